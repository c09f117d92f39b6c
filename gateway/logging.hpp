// The daemon's loggers: one spdlog logger per part, levels from config.
//
// Purpose: named loggers (smpp, store, menus, gateway, http) that write to stderr. Under
//   systemd (JOURNAL_STREAM set) lines carry a "<N>" syslog priority prefix and no timestamp,
//   because journald adds both; on a terminal they carry a local timestamp.
// Threading: the loggers are thread-safe (the store's writer thread logs too).
// Ownership: Loggers owns them; no global registry is used, parts get a reference.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include <spdlog/logger.h>

#include "gateway/config.hpp"

namespace mfigw::gateway {

enum class LogStyle { Terminal, Journal };

// Journal when stderr is connected to journald (systemd sets JOURNAL_STREAM), else Terminal.
[[nodiscard]] LogStyle detectLogStyle();

// Parses "trace".."off"; nullopt-like false return for unknown names.
[[nodiscard]] bool parseLogLevel(std::string_view name, spdlog::level::level_enum& out);

class Loggers {
 public:
  explicit Loggers(LogStyle style);

  // Applies log.level and the per-part overrides; safe to call again on reload.
  void applyLevels(const LogConfig& config);

  spdlog::logger& smpp() { return *smpp_; }
  spdlog::logger& store() { return *store_; }
  spdlog::logger& menus() { return *menus_; }
  spdlog::logger& gateway() { return *gateway_; }
  spdlog::logger& http() { return *http_; }

 private:
  std::shared_ptr<spdlog::logger> make(const std::string& name, LogStyle style);

  std::shared_ptr<spdlog::logger> smpp_;
  std::shared_ptr<spdlog::logger> store_;
  std::shared_ptr<spdlog::logger> menus_;
  std::shared_ptr<spdlog::logger> gateway_;
  std::shared_ptr<spdlog::logger> http_;
};

}  // namespace mfigw::gateway
