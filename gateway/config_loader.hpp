// Loading gateway.yaml into a GatewayConfig, with every mistake reported at once.
//
// Purpose: walks the YAML tree against the settings table (config_schema.hpp): unknown
//   keys (with a "did you mean" hint), duplicate keys, wrong node kinds, type and bounds
//   errors, missing required list keys, cross-field rules and unreadable or world-readable
//   secret files all become ConfigErrors that point at FILE:LINE:COL.
//   `mfi-gatewayd --check-config FILE` runs only this.
// Threading: no shared state; the functions may run on any thread.
// Errors: never throws for any input (yaml-cpp exceptions become ConfigErrors); all
//   errors are collected before returning. No error text contains a secret's content.
// Ownership: the result owns its config (secrets included) and its errors.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "gateway/config.hpp"

namespace mfigw::gateway {

struct ConfigError {
  std::string file;
  int line = 0;      // 1-based; 0 when the error has no position (file unreadable)
  int column = 0;    // 1-based
  std::string path;  // "smpp.links[1].host"; "" for YAML syntax and file errors
  std::string message;

  // "FILE:LINE:COL: key.path: message"; the position is left out when line is 0 and
  // the path when it is empty.
  [[nodiscard]] std::string toString() const;
};

struct ConfigResult {
  GatewayConfig config;             // meaningful only when ok()
  std::vector<ConfigError> errors;  // in file order (line, then column)

  [[nodiscard]] bool ok() const { return errors.empty(); }
  // Every error's toString(), one per line (what --check-config prints).
  [[nodiscard]] std::string errorText() const;
};

// Reads and loads a config file. Secret files and relative paths resolve against the
// directory of `path`.
[[nodiscard]] ConfigResult loadConfigFile(const std::string& path);

// Loads YAML text. `displayName` is the file name used in errors; its directory (if any)
// is the base for relative secret files and paths, as in loadConfigFile().
[[nodiscard]] ConfigResult loadConfigText(std::string_view yaml, const std::string& displayName);

}  // namespace mfigw::gateway
