// The admin API's bearer token when the operator did not configure admin.token_file.
//
// On first start the daemon writes 32 random bytes (hex) to <store.path>/admin.token,
// mode 0600, and uses that file from then on; mfi-gatewayctl reads the same file.
#pragma once

#include <filesystem>

#include "gateway/secret.hpp"

namespace mfigw::gateway {

// Reads the token at `path`, creating it first if it does not exist. Throws
// std::runtime_error (one line, naming the path) when the file cannot be read or written,
// or when it is readable by other users.
[[nodiscard]] Secret loadOrCreateAdminToken(const std::filesystem::path& path);

// Reads a secret file (the token, for mfi-gatewayctl): one trailing newline stripped.
[[nodiscard]] Secret readSecretFile(const std::filesystem::path& path);

}  // namespace mfigw::gateway
