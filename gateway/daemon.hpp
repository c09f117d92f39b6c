// The daemon: builds the object graph from a config file and runs the event loop.
//
// Purpose: start-up in a fixed order (config -> loggers -> store open + migrate -> admin
//   listener bound -> READY=1), then serve until SIGTERM/SIGINT. SIGHUP reloads the config
//   without dropping live work. Everything runs on one io_context thread, except the
//   store's group-commit writer, which has its own thread so fsync never stalls the loop.
// Errors: every start-up failure throws StartupError with one line for the operator;
//   main() prints it and exits non-zero, before READY=1 is ever sent.
// Ownership: Daemon owns everything it builds; run() returns when the loop has drained.
#pragma once

#include <memory>
#include <optional>
#include <stdexcept>
#include <string>

namespace mfigw::gateway {

class StartupError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct DaemonOptions {
  std::string configPath;
  std::optional<std::string> stateDir;  // overrides store.path (the demo, tests)
  std::optional<std::string> menusDir;  // overrides menus.dir (the demo, tests)
};

class Daemon {
 public:
  explicit Daemon(DaemonOptions options);
  ~Daemon();
  Daemon(const Daemon&) = delete;
  Daemon& operator=(const Daemon&) = delete;

  // Loads, opens, binds; throws StartupError. Separate from run() so main() can tell a
  // start-up failure (exit 1) from a failure while serving.
  void start();
  // Serves until a stop signal, then drains within shutdown.drain_timeout. Returns the
  // process exit code.
  int run();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace mfigw::gateway
