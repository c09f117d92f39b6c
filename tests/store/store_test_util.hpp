// Helpers shared by the store tests: a fresh temporary directory per test.
#pragma once

#include "store/env.hpp"

#include <cstdlib>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <system_error>

namespace mfigw::store::testing {

// mkdtemp'd directory under $TMPDIR (or /tmp), removed recursively on destruction.
class TempDir {
 public:
  TempDir() {
    const char* base = std::getenv("TMPDIR");
    std::string tmpl = std::string(base != nullptr ? base : "/tmp") + "/mfigw-store-XXXXXX";
    if (::mkdtemp(tmpl.data()) == nullptr) {
      throw std::runtime_error("mkdtemp failed for " + tmpl);
    }
    path_ = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return path_; }
  std::string sub(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

inline EnvOptions smallEnv(const std::string& path, Durability d = Durability::Relaxed) {
  EnvOptions o;
  o.path = path;
  o.mapSize = 4ull << 20;
  o.maxMapSize = 16ull << 20;
  o.durability = d;
  return o;
}

}  // namespace mfigw::store::testing
