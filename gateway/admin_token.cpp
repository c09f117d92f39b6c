#include "gateway/admin_token.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <string>

#include <sodium.h>

namespace mfigw::gateway {
namespace {

std::runtime_error fileError(const std::filesystem::path& path, const std::string& what) {
  return std::runtime_error(path.string() + ": " + what);
}

}  // namespace

Secret readSecretFile(const std::filesystem::path& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    throw fileError(path, std::strerror(errno));
  }
  if ((st.st_mode & (S_IROTH | S_IWOTH)) != 0) {
    throw fileError(path, "is readable by other users; chmod 600 it");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    throw fileError(path, "cannot read");
  }
  std::string value{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  if (!value.empty() && value.back() == '\n') value.pop_back();
  return Secret(std::move(value));
}

Secret loadOrCreateAdminToken(const std::filesystem::path& path) {
  if (std::filesystem::exists(path)) {
    return readSecretFile(path);
  }
  if (sodium_init() < 0) {
    throw std::runtime_error("libsodium failed to initialise");
  }
  std::array<unsigned char, 32> raw{};
  randombytes_buf(raw.data(), raw.size());
  std::array<char, 2 * 32 + 1> hex{};
  sodium_bin2hex(hex.data(), hex.size(), raw.data(), raw.size());
  sodium_memzero(raw.data(), raw.size());

  // Written under a temporary name and renamed, so a crash never leaves a half token.
  const std::filesystem::path tmp = path.string() + ".tmp";
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) {
    throw fileError(tmp, std::string("cannot create: ") + std::strerror(errno));
  }
  std::string content(hex.data());
  content += '\n';
  const bool ok =
      ::write(fd, content.data(), content.size()) == static_cast<ssize_t>(content.size()) &&
      ::fsync(fd) == 0;
  ::close(fd);
  if (!ok || ::rename(tmp.c_str(), path.c_str()) != 0) {
    ::unlink(tmp.c_str());
    throw fileError(path, std::string("cannot write: ") + std::strerror(errno));
  }
  return Secret(std::string(hex.data()));
}

}  // namespace mfigw::gateway
