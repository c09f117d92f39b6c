// tests/interop/node_child.hpp: runs one of the node-smpp scripts (smsc.js, client.js) as a
// child process, for the interop tests and bench/node_sink_bench.cpp.
//
// Purpose:   finds `node`, checks that `npm ci` has installed node-smpp in tests/interop,
//            spawns `node <script> args...` with its stdout+stderr going to an unlinked
//            temporary file (a file never fills up and blocks the child, as an undrained pipe
//            would, and a crashed test leaves no file behind) and
//            its stdin on a pipe we hold: the scripts exit when stdin closes, so a test that
//            crashes leaves no orphan behind. Lines of output can be awaited with a deadline.
// Threading: one owner thread.
// Errors:    setupProblem() says what is missing as text (the tests fail with it); spawning
//            throws std::runtime_error. Waits return nullopt on timeout, never block longer.
// Ownership: owns the child (SIGKILLed and reaped by the destructor if still running) and
//            the descriptor of its output file.
//
// Header-only so the benchmark, a single .cpp by bench/'s rules, can use it too.
#pragma once

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace mfigw::interop {

inline constexpr std::string_view kInstallHint =
    "run scripts/install-deps.sh (it installs nodejs and npm and runs `npm ci` in "
    "tests/interop)";

// `node` (or Debian's older `nodejs` name) from PATH; empty when absent.
inline std::filesystem::path findNode() {
  const char* path = std::getenv("PATH");
  std::stringstream dirs(path != nullptr ? path : "/usr/bin:/bin");
  std::string dir;
  while (std::getline(dirs, dir, ':')) {
    for (const char* name : {"node", "nodejs"}) {
      const std::filesystem::path candidate = std::filesystem::path(dir) / name;
      if (!dir.empty() && ::access(candidate.c_str(), X_OK) == 0) return candidate;
    }
  }
  return {};
}

// Empty when node and the pinned node-smpp are installed; else what is missing and the fix.
inline std::string setupProblem(const std::filesystem::path& interopDir) {
  if (findNode().empty()) {
    return "node is not installed (no `node` on PATH): " + std::string(kInstallHint);
  }
  const auto manifest = interopDir / "node_modules" / "smpp" / "package.json";
  std::ifstream in(manifest);
  if (!in) {
    return "node-smpp is not installed (" + manifest.string() +
           " missing): " + std::string(kInstallHint);
  }
  const std::string text{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  if (text.find("\"version\": \"0.5.1\"") == std::string::npos) {
    return "node_modules holds another node-smpp than the pinned 0.5.1 (stale): " +
           std::string(kInstallHint);
  }
  return {};
}

struct ExitStatus {
  bool exited = false;  // normal exit (vs killed by a signal)
  int code = -1;        // exit code, or the signal number when !exited
};

class NodeChild {
 public:
  // Runs `node <interopDir>/<script> args...`.
  NodeChild(const std::filesystem::path& interopDir, const std::string& script,
            const std::vector<std::string>& args) {
    const std::filesystem::path node = findNode();
    if (node.empty()) throw std::runtime_error("node not found on PATH");
    std::vector<std::string> argv = {node.string(), (interopDir / script).string()};
    argv.insert(argv.end(), args.begin(), args.end());

    std::string pattern =
        (std::filesystem::temp_directory_path() / "mfigw-node-XXXXXX.log").string();
    const int outFd = ::mkostemps(pattern.data(), 4, O_CLOEXEC);
    if (outFd < 0) throw std::runtime_error("mkostemps failed");
    ::unlink(pattern.c_str());  // we and the child keep it open; nothing to clean up
    outputFd_ = outFd;
    int stdinPipe[2];
    // CLOEXEC: a later child must not inherit this one's stdin, or closing ours would not
    // reach it.
    if (::pipe2(stdinPipe, O_CLOEXEC) != 0) {
      ::close(outputFd_);
      throw std::runtime_error("pipe2 failed");
    }
    std::vector<char*> cargs;
    for (auto& a : argv)
      cargs.push_back(a.data());
    cargs.push_back(nullptr);
    const pid_t parent = ::getpid();
    pid_ = ::fork();
    if (pid_ == 0) {
      // Belt and braces next to the stdin rule: die with the test process.
      ::prctl(PR_SET_PDEATHSIG, SIGKILL);
      if (::getppid() != parent) _exit(126);
      ::dup2(stdinPipe[0], 0);
      ::dup2(outFd, 1);
      ::dup2(outFd, 2);
      ::execv(cargs[0], cargs.data());
      _exit(127);
    }
    ::close(stdinPipe[0]);
    stdinFd_ = stdinPipe[1];
    if (pid_ < 0) {
      closeStdin();
      ::close(outputFd_);
      throw std::runtime_error("fork failed");
    }
  }

  ~NodeChild() {
    closeStdin();
    if (pid_ > 0 && !waitExit(std::chrono::seconds(2))) kill9();
    ::close(outputFd_);
  }
  NodeChild(const NodeChild&) = delete;
  NodeChild& operator=(const NodeChild&) = delete;

  pid_t pid() const { return pid_; }
  bool running() const { return pid_ > 0; }

  // Everything the child printed so far (stdout and stderr interleaved).
  std::string output() const {
    std::string text;
    char buf[8192];
    for (off_t at = 0;;) {
      const ssize_t n = ::pread(outputFd_, buf, sizeof buf, at);
      if (n <= 0) break;
      text.append(buf, static_cast<std::size_t>(n));
      at += n;
    }
    return text;
  }
  std::vector<std::string> lines() const {
    std::vector<std::string> out;
    std::istringstream in(output());
    for (std::string line; std::getline(in, line);)
      out.push_back(line);
    return out;
  }
  // The first complete line starting with `prefix`; nullopt when the deadline passes or the
  // child exits without printing it.
  std::optional<std::string> waitForLine(std::string_view prefix,
                                         std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
      const std::string text = output();
      std::size_t start = 0;
      for (std::size_t end; (end = text.find('\n', start)) != std::string::npos; start = end + 1) {
        const std::string_view line(text.data() + start, end - start);
        if (line.substr(0, prefix.size()) == prefix) return std::string(line);
      }
      if (!running() || std::chrono::steady_clock::now() >= deadline) return std::nullopt;
      if (reap()) continue;  // read once more: the child may have printed it and exited
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
  }
  // How many complete lines start with `prefix`.
  std::size_t countLines(std::string_view prefix) const {
    std::size_t n = 0;
    for (const std::string& line : lines())
      if (std::string_view(line).substr(0, prefix.size()) == prefix) ++n;
    return n;
  }

  // The scripts take a closed stdin as "exit now".
  void closeStdin() {
    if (stdinFd_ >= 0) ::close(stdinFd_);
    stdinFd_ = -1;
  }
  void signal(int sig) {
    if (pid_ > 0) ::kill(pid_, sig);
  }
  std::optional<ExitStatus> waitExit(std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (pid_ > 0) {
      if (reap()) break;
      if (std::chrono::steady_clock::now() >= deadline) return std::nullopt;
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    return status_;
  }
  void kill9() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGKILL);
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
    status_ = ExitStatus{false, SIGKILL};
  }

 private:
  // True once the child has exited (and was reaped now).
  bool reap() {
    if (pid_ <= 0) return false;
    int status = 0;
    const pid_t r = ::waitpid(pid_, &status, WNOHANG);
    if (r != pid_) return false;
    if (WIFEXITED(status)) status_ = ExitStatus{true, WEXITSTATUS(status)};
    if (WIFSIGNALED(status)) status_ = ExitStatus{false, WTERMSIG(status)};
    pid_ = -1;
    return true;
  }

  pid_t pid_ = -1;
  int stdinFd_ = -1;
  int outputFd_ = -1;
  std::optional<ExitStatus> status_;
};

}  // namespace mfigw::interop
