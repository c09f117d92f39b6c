// sd_notify(3) for a Type=notify service: READY, STATUS, WATCHDOG, STOPPING, RELOADING.
//
// Purpose: tell systemd what state the daemon is in. Outside systemd (no NOTIFY_SOCKET)
//   every call is a cheap no-op, so the daemon runs the same in a terminal.
// Threading: call from the event loop thread.
#pragma once

#include <chrono>
#include <optional>
#include <string_view>

namespace mfigw::gateway {

class SystemdNotifier {
 public:
  void ready(std::string_view status);
  void status(std::string_view status);
  void reloading();
  void stopping(std::string_view status);
  void watchdog();

  // The interval at which to send WATCHDOG=1: half of WatchdogSec, as sd_watchdog_enabled(3)
  // advises; nullopt when the watchdog is off.
  [[nodiscard]] static std::optional<std::chrono::microseconds> watchdogInterval();
};

}  // namespace mfigw::gateway
