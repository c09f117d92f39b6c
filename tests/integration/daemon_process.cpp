#include "daemon_process.hpp"

#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "gateway/admin_token.hpp"

namespace mfigw::testing {
namespace {

using namespace std::chrono_literals;

std::filesystem::path makeTempDir() {
  std::string pattern = (std::filesystem::temp_directory_path() / "mfigw-it-XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr) {
    throw std::runtime_error("mkdtemp failed");
  }
  return pattern;
}

ExitStatus decode(int status) {
  if (WIFEXITED(status)) return {true, WEXITSTATUS(status)};
  if (WIFSIGNALED(status)) return {false, WTERMSIG(status)};
  return {};
}

std::optional<ExitStatus> waitPid(pid_t pid, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    int status = 0;
    const pid_t r = ::waitpid(pid, &status, WNOHANG);
    if (r == pid) return decode(status);
    if (r < 0) return ExitStatus{};
    if (std::chrono::steady_clock::now() >= deadline) return std::nullopt;
    std::this_thread::sleep_for(10ms);
  }
}

std::vector<char*> cArgs(const std::vector<std::string>& argv) {
  std::vector<char*> out;
  for (const auto& a : argv)
    out.push_back(const_cast<char*>(a.c_str()));
  out.push_back(nullptr);
  return out;
}

}  // namespace

CommandResult runCommand(const std::vector<std::string>& argv, std::chrono::milliseconds timeout) {
  int pipeFds[2];
  if (::pipe2(pipeFds, O_CLOEXEC) != 0) throw std::runtime_error("pipe failed");
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::dup2(pipeFds[1], 1);
    ::dup2(pipeFds[1], 2);
    auto args = cArgs(argv);
    ::execv(args[0], args.data());
    _exit(127);
  }
  ::close(pipeFds[1]);
  CommandResult result;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  char buf[4096];
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      ::kill(pid, SIGKILL);
      break;
    }
    pollfd p{pipeFds[0], POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) continue;
    const ssize_t n = ::read(pipeFds[0], buf, sizeof buf);
    if (n <= 0) break;
    result.output.append(buf, static_cast<std::size_t>(n));
  }
  ::close(pipeFds[0]);
  result.status = waitPid(pid, 10s).value_or(ExitStatus{});
  return result;
}

std::uint16_t freeLoopbackPort() {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof addr;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    ::close(fd);
    throw std::runtime_error("cannot find a free port");
  }
  ::close(fd);
  return ntohs(addr.sin_port);
}

DaemonProcess::DaemonProcess() : dir_(makeTempDir()), port_(freeLoopbackPort()) {}

DaemonProcess::~DaemonProcess() {
  if (pid_ > 0) kill9();
  if (notifyFd_ >= 0) ::close(notifyFd_);
  std::error_code ec;
  std::filesystem::remove_all(dir_, ec);
}

void DaemonProcess::writeRawConfig(const std::string& yaml) {
  std::ofstream(configPath()) << yaml;
}

void DaemonProcess::writeConfig(const std::string& extra) {
  std::ostringstream yaml;
  yaml << "log:\n  level: " << logLevel_ << "\n"
       << "store:\n  path: " << statePath().string() << "\n  map_size: " << mapSize_ << "\n";
  if (!maxMapSize_.empty()) yaml << "  max_map_size: " << maxMapSize_ << "\n";
  yaml << "  session_map_size: 4MiB\n"
       << "admin:\n  listen: 127.0.0.1:" << port_ << "\n"
       << "shutdown:\n  drain_timeout: 5s\n";
  // The shipped menu tree, unless the test brings its own menus section.
  if (extra.find("menus:") == std::string::npos)
    yaml << "menus:\n  dir: " << MFIGW_SOURCE_DIR << "/menus/mfi\n";
  yaml << extra;
  writeRawConfig(yaml.str());
}

void DaemonProcess::enableNotifySocket(std::chrono::microseconds watchdogUsec) {
  watchdogUsec_ = watchdogUsec;
  notifyFd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  const std::string path = (dir_ / "notify.sock").string();
  std::strncpy(addr.sun_path, path.c_str(), sizeof addr.sun_path - 1);
  if (::bind(notifyFd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    throw std::runtime_error("cannot bind notify socket");
  }
}

std::optional<std::string> DaemonProcess::receiveNotify(std::chrono::milliseconds timeout) {
  pollfd p{notifyFd_, POLLIN, 0};
  if (::poll(&p, 1, static_cast<int>(timeout.count())) <= 0) return std::nullopt;
  char buf[4096];
  const ssize_t n = ::recv(notifyFd_, buf, sizeof buf, 0);
  if (n <= 0) return std::nullopt;
  return std::string(buf, static_cast<std::size_t>(n));
}

void DaemonProcess::start(const std::vector<std::string>& extraArgs) {
  std::vector<std::string> argv = {MFIGW_DAEMON_PATH, "--config", configPath().string()};
  argv.insert(argv.end(), extraArgs.begin(), extraArgs.end());
  const std::string errPath = (dir_ / "stderr.log").string();
  const std::string notifyPath = (dir_ / "notify.sock").string();
  const bool notify = notifyFd_ >= 0;
  const std::string watchdog = std::to_string(watchdogUsec_.count());
  pid_ = ::fork();
  if (pid_ == 0) {
    const int err = ::open(errPath.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
    ::dup2(err, 2);
    ::unsetenv("NOTIFY_SOCKET");
    ::unsetenv("WATCHDOG_USEC");
    ::unsetenv("WATCHDOG_PID");
    ::unsetenv("JOURNAL_STREAM");
    if (notify) {
      ::setenv("NOTIFY_SOCKET", notifyPath.c_str(), 1);
      if (watchdog != "0") ::setenv("WATCHDOG_USEC", watchdog.c_str(), 1);
    }
    auto args = cArgs(argv);
    ::execv(args[0], args.data());
    _exit(127);
  }
}

bool DaemonProcess::waitReady(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  gateway::AdminClient probe("127.0.0.1", port_, gateway::Secret(), 1s);
  while (std::chrono::steady_clock::now() < deadline) {
    if (pid_ <= 0) return false;
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      return false;
    }
    try {
      if (probe.get("/readyz").status == 200) return true;
    } catch (const std::exception&) {
      // not listening yet
    }
    std::this_thread::sleep_for(20ms);
  }
  return false;
}

std::optional<ExitStatus> DaemonProcess::waitExit(std::chrono::milliseconds timeout) {
  if (pid_ <= 0) return std::nullopt;
  auto status = waitPid(pid_, timeout);
  if (status) pid_ = -1;
  return status;
}

void DaemonProcess::signal(int sig) {
  if (pid_ > 0) ::kill(pid_, sig);
}

void DaemonProcess::kill9() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGKILL);
  waitPid(pid_, 10s);
  pid_ = -1;
}

std::string DaemonProcess::stderrText() const {
  std::ifstream in(dir_ / "stderr.log");
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

gateway::Secret DaemonProcess::token() const {
  return gateway::readSecretFile(statePath() / "admin.token");
}

gateway::AdminClient DaemonProcess::client() const {
  return gateway::AdminClient("127.0.0.1", port_, token(), 5s);
}

}  // namespace mfigw::testing
