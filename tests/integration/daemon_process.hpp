// Runs the real mfi-gatewayd as a child process for integration tests.
//
// Each instance owns a fresh temporary directory holding the config file, the LMDB
// store and the daemon's stderr, a free loopback port for the admin API, and optionally a
// NOTIFY_SOCKET datagram socket that receives what the daemon tells systemd.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "gateway/admin_client.hpp"

namespace mfigw::testing {

struct ExitStatus {
  bool exited = false;  // normal exit (vs killed by a signal)
  int code = -1;        // exit code, or the signal number when !exited
};

// Runs a command to completion, capturing stdout+stderr.
struct CommandResult {
  ExitStatus status;
  std::string output;
};
CommandResult runCommand(const std::vector<std::string>& argv,
                         std::chrono::milliseconds timeout = std::chrono::seconds(30));

// A loopback TCP port that was free a moment ago.
std::uint16_t freeLoopbackPort();

class DaemonProcess {
 public:
  DaemonProcess();
  ~DaemonProcess();  // SIGKILLs a running child and removes the directory
  DaemonProcess(const DaemonProcess&) = delete;
  DaemonProcess& operator=(const DaemonProcess&) = delete;

  const std::filesystem::path& dir() const { return dir_; }
  std::filesystem::path configPath() const { return dir_ / "gateway.yaml"; }
  std::filesystem::path statePath() const { return dir_ / "state"; }
  std::uint16_t adminPort() const { return port_; }

  // The default test config (store in statePath(), admin on adminPort()), plus `extra`
  // YAML appended at top level.
  void writeConfig(const std::string& extra = "");
  // What writeConfig() writes for log.level and store.map_size (default "debug", "8MiB"):
  // a long run with a large store sets them before writeConfig().
  void setLogLevel(std::string level) { logLevel_ = std::move(level); }
  void setMapSize(std::string size) { mapSize_ = std::move(size); }
  // store.max_map_size (empty: the daemon's default): a test of a full store caps growth.
  void setMaxMapSize(std::string size) { maxMapSize_ = std::move(size); }
  void writeRawConfig(const std::string& yaml);

  // Creates the NOTIFY_SOCKET the next start() passes to the daemon. watchdogUsec > 0 also
  // sets WATCHDOG_USEC.
  void enableNotifySocket(std::chrono::microseconds watchdogUsec = std::chrono::microseconds(0));
  // Waits for one datagram; nullopt on timeout.
  std::optional<std::string> receiveNotify(std::chrono::milliseconds timeout);

  void start(const std::vector<std::string>& extraArgs = {});
  // Polls /readyz until 200; false on timeout or if the child died.
  bool waitReady(std::chrono::milliseconds timeout = std::chrono::seconds(20));
  // Waits for the child to exit; nullopt on timeout.
  std::optional<ExitStatus> waitExit(std::chrono::milliseconds timeout);
  void signal(int sig);
  void kill9();  // SIGKILL and reap
  bool running() const { return pid_ > 0; }
  pid_t pid() const { return pid_; }

  std::string stderrText() const;
  gateway::Secret token() const;
  gateway::AdminClient client() const;

 private:
  std::filesystem::path dir_;
  std::uint16_t port_;
  pid_t pid_ = -1;
  int notifyFd_ = -1;
  std::chrono::microseconds watchdogUsec_{0};
  std::string logLevel_ = "debug";
  std::string mapSize_ = "8MiB";
  std::string maxMapSize_;
};

}  // namespace mfigw::testing
