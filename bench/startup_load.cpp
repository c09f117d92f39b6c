// startup_load: how long the real daemon takes to READY over a large loan book, and what it
// holds in memory.
//
// Purpose:   Seeds a real LMDB store with --loans borrowers (one client and one loan each,
//            written before the daemon starts), then starts mfi-gatewayd --starts times on it
//            with NOTIFY_SOCKET pointing at a datagram socket of ours, as systemd would, and
//            measures: exec to READY=1, the daemon's RSS at READY, and its RSS once the
//            reminder scheduler's first pass over the whole book is done (read from
//            /metrics), or after 30 s of it. The first start is the one after seeding (page cache
//            warm, as after an upgrade); later ones are restarts. The store's size on disk is
//            printed too.
// Threading: one thread.
// Errors:    prints why and exits 1 (the daemon exited, no READY within 60 s).
// Ownership: owns the temporary directory and the daemon; both are gone at exit.
//
//   build-bench/bench/startup_load --loans 100000 --starts 3
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "bench/load_support.hpp"

namespace {

namespace fs = std::filesystem;
using namespace mfigw;
using bench::rssKiB;
using Clock = std::chrono::steady_clock;

[[noreturn]] void fail(const std::string& why) {
  std::fprintf(stderr, "startup_load: %s\n", why.c_str());
  std::exit(1);
}

// GET /metrics on 127.0.0.1:port with the admin token (HTTP/1.0: the server closes, so
// read to EOF).
std::string metrics(std::uint16_t port, const std::string& token) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(port);
  std::string out;
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0) {
    const std::string req =
        "GET /metrics HTTP/1.0\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + token + "\r\n\r\n";
    if (::write(fd, req.data(), req.size()) == static_cast<ssize_t>(req.size())) {
      char buf[65536];
      for (ssize_t n; (n = ::read(fd, buf, sizeof buf)) > 0;)
        out.append(buf, static_cast<std::size_t>(n));
    }
  }
  ::close(fd);
  return out;
}

// The value of one sample ("name{labels}") in an exposition text; 0 when absent.
double sample(const std::string& text, const std::string& series) {
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind(series + " ", 0) == 0)
      return std::strtod(line.c_str() + series.size() + 1, nullptr);
  }
  return 0;
}

std::uintmax_t bytesUnder(const fs::path& dir) {
  std::uintmax_t total = 0;
  for (const auto& e : fs::recursive_directory_iterator(dir))
    if (e.is_regular_file()) total += e.file_size();
  return total;
}

struct StartFigures {
  double readyMs = 0;
  long rssReadyKiB = 0;
  // READY to the end of the first full reminder scan (complete pass); -1: none in 30 s, or
  // the scheduler skipped it (quiet hours: `quiet` is set).
  double firstPassMs = -1;
  long rssAfterPassKiB = -1;  // then, or after 30 s
  bool quiet = false;
  double backlogPasses = 0;  // passes cut at the per-pass bound before the complete one
};

StartFigures startOnce(const fs::path& dir, const fs::path& config, std::uint16_t adminPort) {
  const fs::path sockPath = dir / "notify.sock";
  fs::remove(sockPath);
  const int notify = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  sockaddr_un sun{};
  sun.sun_family = AF_UNIX;
  std::strncpy(sun.sun_path, sockPath.c_str(), sizeof sun.sun_path - 1);
  if (::bind(notify, reinterpret_cast<sockaddr*>(&sun), sizeof sun) != 0)
    fail("cannot bind the notify socket");

  const auto startedAt = Clock::now();
  const pid_t pid = ::fork();
  if (pid == 0) {
    const int err = ::open((dir / "stderr.log").c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
    ::dup2(err, 1);
    ::dup2(err, 2);
    ::setenv("NOTIFY_SOCKET", sockPath.c_str(), 1);
    ::execl(MFIGW_DAEMON_PATH, MFIGW_DAEMON_PATH, "--config", config.c_str(), nullptr);
    _exit(127);
  }
  StartFigures f;
  const auto stop = [&] {
    ::kill(pid, SIGTERM);
    int status = 0;
    ::waitpid(pid, &status, 0);
    ::close(notify);
  };
  bool ready = false;
  while (!ready) {
    pollfd p{notify, POLLIN, 0};
    if (::poll(&p, 1, 100) > 0) {
      char buf[4096];
      const ssize_t n = ::recv(notify, buf, sizeof buf, 0);
      if (n > 0 &&
          std::string(buf, static_cast<std::size_t>(n)).find("READY=1") != std::string::npos)
        ready = true;
    }
    int status = 0;
    if (!ready && (::waitpid(pid, &status, WNOHANG) == pid ||
                   Clock::now() - startedAt > std::chrono::seconds(60))) {
      stop();
      fail("no READY=1; see " + (dir / "stderr.log").string());
    }
  }
  const auto readyAt = Clock::now();
  f.readyMs = std::chrono::duration<double, std::milli>(readyAt - startedAt).count();
  f.rssReadyKiB = rssKiB(pid);
  // The daemon wrote its admin token (admin.token in store.path) before READY.
  std::string token;
  std::getline(std::ifstream(dir / "state" / "admin.token"), token);
  std::string text;
  while (Clock::now() - readyAt < std::chrono::seconds(30)) {
    text = metrics(adminPort, token);
    if (sample(text, "mfigw_reminder_passes_total{result=\"quiet\"}") >= 1) {
      f.quiet = true;
      break;
    }
    if (sample(text, "mfigw_reminder_passes_total{result=\"complete\"}") >= 1) {
      f.firstPassMs = std::chrono::duration<double, std::milli>(Clock::now() - readyAt).count();
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  f.rssAfterPassKiB = rssKiB(pid);
  f.backlogPasses = sample(text, "mfigw_reminder_passes_total{result=\"backlog\"}");
  stop();
  return f;
}

}  // namespace

int main(int argc, char** argv) {
  std::size_t loans = 100000;
  int starts = 3;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string key = argv[i];
    if (key == "--loans")
      loans = std::stoul(argv[i + 1]);
    else if (key == "--starts")
      starts = std::stoi(argv[i + 1]);
    else
      fail("unknown option " + key + " (--loans N --starts N)");
  }
  if (loans == 0 || starts < 1) fail("bad --loans/--starts");
  std::string pattern = (fs::temp_directory_path() / "mfigw-startup-load-XXXXXX").string();
  const fs::path dir = ::mkdtemp(pattern.data());
  const auto seedStart = Clock::now();
  bench::seedLoanBook(dir / "state" / "data", loans, {.branches = 40, .spreadDue = true});
  std::printf("seeded %zu borrowers in %.1f s\n", loans,
              std::chrono::duration<double>(Clock::now() - seedStart).count());

  const std::uint16_t adminPort = bench::freePort();
  const fs::path config = dir / "gateway.yaml";
  {
    // The embedded simulator stands in for the SMSC: no other process to start.
    std::ofstream yaml(config);
    yaml << "log:\n  level: warn\n"
         << "store:\n  path: " << (dir / "state").string() << "\n  map_size: 256MiB\n"
         << "admin:\n  listen: 127.0.0.1:" << adminPort << "\n"
         << "menus:\n  dir: " << MFIGW_SOURCE_DIR << "/menus/mfi\n"
         << "smpp:\n  simulator: true\n";
  }
  for (int i = 0; i < starts; ++i) {
    const StartFigures f = startOnce(dir, config, adminPort);
    const std::string pass = f.quiet ? std::string("skipped (quiet hours)")
                             : f.firstPassMs < 0
                                 ? "not done in 30 s (" +
                                       std::to_string(static_cast<long>(f.backlogPasses)) +
                                       " partial passes)"
                                 : std::to_string(static_cast<long>(f.firstPassMs)) + " ms";
    std::printf(
        "start %d (%s): ready in %.0f ms, RSS %ld KiB at ready; first reminder scan of the "
        "book after ready: %s, RSS %ld KiB then\n",
        i + 1, i == 0 ? "first" : "restart", f.readyMs, f.rssReadyKiB, pass.c_str(),
        f.rssAfterPassKiB);
    if (i == 0) {
      std::printf("ready: %.0f ms with %zu loans\n", f.readyMs, loans);
      std::printf("rss: %ld KiB at ready, %ld KiB after the first reminder scan: %s (%zu loans)\n",
                  f.rssReadyKiB, f.rssAfterPassKiB, pass.c_str(), loans);
    }
  }
  std::printf("store on disk: %.1f MiB\n",
              static_cast<double>(bytesUnder(dir / "state")) / (1 << 20));
  std::error_code ec;
  fs::remove_all(dir, ec);
  return 0;
}
