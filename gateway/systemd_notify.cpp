#include "gateway/systemd_notify.hpp"

#include <string>

#include <systemd/sd-daemon.h>

namespace mfigw::gateway {
namespace {

void notify(const std::string& text) {
  // unset_environment=0: children we might spawn are none, and tests re-read NOTIFY_SOCKET.
  sd_notify(0, text.c_str());
}

// STATUS= is one line; a newline would start a new assignment.
std::string oneLine(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c == '\n' || c == '\r') c = ' ';
  }
  return out;
}

}  // namespace

void SystemdNotifier::ready(std::string_view status) {
  notify("READY=1\nSTATUS=" + oneLine(status));
}

void SystemdNotifier::status(std::string_view status) {
  notify("STATUS=" + oneLine(status));
}

void SystemdNotifier::reloading() {
  notify("RELOADING=1\nSTATUS=reloading configuration");
}

void SystemdNotifier::stopping(std::string_view status) {
  notify("STOPPING=1\nSTATUS=" + oneLine(status));
}

void SystemdNotifier::watchdog() {
  notify("WATCHDOG=1");
}

std::optional<std::chrono::microseconds> SystemdNotifier::watchdogInterval() {
  uint64_t usec = 0;
  if (sd_watchdog_enabled(0, &usec) <= 0 || usec == 0) {
    return std::nullopt;
  }
  return std::chrono::microseconds(usec / 2);
}

}  // namespace mfigw::gateway
