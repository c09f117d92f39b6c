// ussd_load: end-to-end USSD over SMPP against the real daemon, with many live dialogs.
//
// Purpose:   Plays the operator's SMSC: listens on 127.0.0.1, starts mfi-gatewayd (the real
//            binary, its real LMDB store seeded with one borrower per phone) bound to it, opens
//            --sessions dialogs (*123#, ussd_service_op 1) and keeps them all alive, then sends
//            --steps user inputs (op 18) to random idle dialogs with at most --inflight
//            outstanding, walking welcome -> payment points -> back. For every request it
//            measures the time from our deliver_sm leaving to the gateway's page (submit_sm)
//            arriving: the latency the gateway adds, store commits included. Also the daemon's
//            CPU per step (/proc/PID/stat) and its RSS with every dialog live.
// Threading: one thread, poll() on one socket.
// Errors:    prints why and exits 1 (daemon did not bind, a page never came, bad PDU).
// Ownership: owns the temporary directory and the daemon; both are gone at exit.
//
//   build-bench/bench/ussd_load --sessions 10000 --steps 100000 --inflight 32   (throughput)
//   build-bench/bench/ussd_load --sessions 10000 --steps 20000 --rate 1000     (latency)
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <unordered_map>
#include <vector>

#include "bench/load_support.hpp"
#include "smpp/codec.hpp"
#include "smpp/framer.hpp"
#include "smpp/pdu.hpp"
#include "store/business_tables.hpp"
#include "store/day_number.hpp"
#include "store/env.hpp"

namespace {

namespace fs = std::filesystem;
using namespace mfigw;
using bench::cpuSeconds;
using bench::freePort;
using bench::phoneOf;
using bench::rssKiB;
using bench::seedLoanBook;
using Clock = std::chrono::steady_clock;

struct Options {
  std::size_t sessions = 10000;
  std::size_t steps = 100000;
  std::size_t inflight = 32;
  double rate = 0;  // steps/s offered (open loop); 0: as fast as --inflight allows
  std::string daemon = MFIGW_DAEMON_PATH;
  std::string logLevel = "info";
};

[[noreturn]] void fail(const std::string& why) {
  std::fprintf(stderr, "ussd_load: %s\n", why.c_str());
  std::exit(1);
}

class Smsc {
 public:
  explicit Smsc(int fd) : fd_(fd) {
    const int one = 1;
    ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  }

  void send(const smpp::Pdu& pdu) { out_ += smpp::encode(pdu); }

  // Writes what is queued and reads what arrived (waiting at most `waitMs`); returns the PDUs.
  std::vector<smpp::Pdu> pump(int waitMs) {
    pollfd p{fd_, static_cast<short>(POLLIN | (out_.empty() ? 0 : POLLOUT)), 0};
    if (::poll(&p, 1, waitMs) < 0) fail("poll failed");
    if ((p.revents & POLLOUT) != 0 && !out_.empty()) {
      const ssize_t n = ::send(fd_, out_.data(), out_.size(), MSG_NOSIGNAL);
      if (n < 0) fail("the gateway closed the link");
      out_.erase(0, static_cast<std::size_t>(n));
    }
    std::vector<smpp::Pdu> pdus;
    if ((p.revents & (POLLIN | POLLHUP | POLLERR)) != 0) {
      char buf[65536];
      const ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
      if (n <= 0) fail("the gateway closed the link");
      smpp::FramerOutput framed = framer_.feed({buf, static_cast<std::size_t>(n)});
      if (framed.error) fail("unframeable bytes from the gateway");
      for (const std::string& whole : framed.pdus) {
        smpp::DecodeResult decoded = smpp::decode(whole);
        if (!decoded) fail("undecodable PDU from the gateway: " + decoded.error().reason);
        pdus.push_back(std::move(decoded.pdu()));
      }
    }
    return pdus;
  }

 private:
  int fd_;
  smpp::Framer framer_;
  std::string out_;
};

struct Dialog {
  std::string phone;
  std::string sessionInfo;  // its_session_info, 2 octets
  Clock::time_point sentAt{};
  bool waiting = false;
  bool live = false;
  int position = 0;  // which input of the walk comes next
};

// The walk: welcome -> "4" payment points -> "0" back to welcome -> ... (never ends).
const char* const kWalk[] = {"4", "0"};

double percentile(std::vector<double>& v, double p) {
  if (v.empty()) return 0;
  const std::size_t i =
      std::min(v.size() - 1, static_cast<std::size_t>(p * static_cast<double>(v.size())));
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(i), v.end());
  return v[i];
}

Options parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string key = argv[i];
    const std::string value = argv[i + 1];
    if (key == "--sessions")
      o.sessions = std::stoul(value);
    else if (key == "--steps")
      o.steps = std::stoul(value);
    else if (key == "--inflight")
      o.inflight = std::stoul(value);
    else if (key == "--rate")
      o.rate = std::stod(value);
    else if (key == "--daemon")
      o.daemon = value;
    else if (key == "--log-level")
      o.logLevel = value;
    else
      fail("unknown option " + key);
  }
  if (o.sessions == 0 || o.inflight == 0 || o.inflight > o.sessions)
    fail("bad --sessions/--inflight");
  return o;
}

}  // namespace

int main(int argc, char** argv) {
  const Options o = parse(argc, argv);
  std::string pattern = (fs::temp_directory_path() / "mfigw-ussd-load-XXXXXX").string();
  const fs::path dir = ::mkdtemp(pattern.data());
  seedLoanBook(dir / "state" / "data", o.sessions);

  int listener = -1;
  const std::uint16_t smppPort = bench::listenLoopback(listener);
  if (smppPort == 0) fail("cannot listen on 127.0.0.1");
  const fs::path config = dir / "gateway.yaml";
  {
    std::ofstream yaml(config);
    yaml << "log:\n  level: " << o.logLevel << "\n"
         << "store:\n  path: " << (dir / "state").string() << "\n  map_size: 64MiB\n"
         << "  session_map_size: 64MiB\n"
         << "admin:\n  listen: 127.0.0.1:" << freePort() << "\n"
         << "menus:\n  dir: " << MFIGW_SOURCE_DIR << "/menus/mfi\n"
         << "smpp:\n  links:\n    - name: load\n      host: 127.0.0.1\n      port: " << smppPort
         << "\n      system_id: load\n      tps: 10000\n      window: 100\n";
  }
  const auto startedAt = Clock::now();
  const pid_t pid = ::fork();
  if (pid == 0) {
    const int err = ::open((dir / "stderr.log").c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    ::dup2(err, 1);
    ::dup2(err, 2);
    ::execl(o.daemon.c_str(), o.daemon.c_str(), "--config", config.c_str(), nullptr);
    _exit(127);
  }
  const auto cleanup = [&] {
    ::kill(pid, SIGTERM);
    int status = 0;
    ::waitpid(pid, &status, 0);
  };

  pollfd p{listener, POLLIN, 0};
  for (int waited = 0; ::poll(&p, 1, 100) <= 0; waited += 100) {
    int status = 0;
    if (::waitpid(pid, &status, WNOHANG) == pid || waited > 30000) {
      cleanup();
      fail("the daemon did not connect; see " + (dir / "stderr.log").string());
    }
  }
  Smsc smsc(::accept4(listener, nullptr, nullptr, SOCK_CLOEXEC));
  const auto boundAt = Clock::now();

  std::vector<Dialog> dialogs(o.sessions);
  std::unordered_map<std::string, std::size_t> byPhone;
  for (std::size_t i = 0; i < o.sessions; ++i) {
    dialogs[i].phone = phoneOf(i);
    dialogs[i].sessionInfo = {static_cast<char>((i >> 7) & 0xff),
                              static_cast<char>((i << 1) & 0xfe)};
    byPhone[dialogs[i].phone] = i;
  }
  std::uint32_t seq = 1;
  bool bound = false;
  const auto sendUssd = [&](Dialog& d, bool begin, const std::string& text) {
    smpp::DeliverSm m;
    m.sequenceNumber = seq++;
    m.serviceType = "USSD";
    m.source.ton = 1;
    m.source.npi = 1;
    m.source.addr = d.phone;
    m.destination.addr = "*123#";
    m.shortMessage = text;
    m.tlvs.setUssdServiceOp(begin ? 1 : 18);
    m.tlvs.setItsSessionInfo(d.sessionInfo);
    smsc.send(m);
    d.sentAt = Clock::now();
    d.waiting = true;
  };

  std::vector<double> beginUs, stepUs;
  beginUs.reserve(o.sessions);
  stepUs.reserve(o.steps);
  std::size_t inflight = 0, begun = 0, stepsSent = 0, ended = 0;
  std::mt19937 rng(1);
  double cpuAtSteps = 0;
  Clock::time_point stepsStartedAt{};
  long rssAllLive = -1;
  const auto deadline = Clock::now() + std::chrono::minutes(10);

  while (beginUs.size() + stepUs.size() < o.sessions + o.steps) {
    if (Clock::now() > deadline) {
      cleanup();
      fail("timed out; see " + (dir / "stderr.log").string());
    }
    if (bound) {
      // Keep the window full: first every dialog begins, then random idle ones step.
      while (inflight < o.inflight && begun < o.sessions) {
        sendUssd(dialogs[begun++], true, "*123#");
        ++inflight;
      }
      if (begun == o.sessions && beginUs.size() == o.sessions && stepsSent == 0) {
        rssAllLive = rssKiB(pid);
        cpuAtSteps = cpuSeconds(pid);
        stepsStartedAt = Clock::now();
      }
      // Open loop: step n leaves at n / rate (a phone does not wait for the others).
      const auto due = [&] {
        return o.rate <= 0 ||
               Clock::now() >= stepsStartedAt + std::chrono::duration<double>(
                                                    static_cast<double>(stepsSent) / o.rate);
      };
      while (beginUs.size() == o.sessions && inflight < o.inflight && stepsSent < o.steps &&
             due()) {
        Dialog& d = dialogs[rng() % o.sessions];
        if (d.waiting || !d.live) continue;
        sendUssd(d, false, kWalk[d.position++ % 2]);
        ++stepsSent;
        ++inflight;
      }
    }
    for (smpp::Pdu& pdu : smsc.pump(o.rate > 0 ? 0 : 1000)) {
      if (auto* bind = std::get_if<smpp::BindTransceiver>(&pdu)) {
        smsc.send(smpp::makeResponse(*bind, smpp::CommandStatus::Ok));
        bound = true;
      } else if (auto* probe = std::get_if<smpp::EnquireLink>(&pdu)) {
        smsc.send(smpp::makeResponse(*probe, smpp::CommandStatus::Ok));
      } else if (auto* page = std::get_if<smpp::SubmitSm>(&pdu)) {
        const auto arrived = Clock::now();
        smpp::SubmitSmResp resp = smpp::makeResponse(*page, smpp::CommandStatus::Ok);
        resp.messageId = std::to_string(page->sequenceNumber);
        smsc.send(resp);
        const auto it = byPhone.find(page->destination.addr);
        if (it == byPhone.end()) continue;
        Dialog& d = dialogs[it->second];
        if (!d.waiting) continue;
        const double us = std::chrono::duration<double, std::micro>(arrived - d.sentAt).count();
        (d.live ? stepUs : beginUs).push_back(us);
        d.waiting = false;
        --inflight;
        // op 2 (USSR request) keeps the dialog open; 17 (PSSR response) ends it.
        d.live = page->tlvs.ussdServiceOp() == std::optional<std::uint8_t>(2);
        if (!d.live) ++ended;
      } else if (auto* resp = std::get_if<smpp::DeliverSmResp>(&pdu)) {
        if (resp->commandStatus != smpp::CommandStatus::Ok) {
          cleanup();
          fail("deliver_sm refused by the gateway");
        }
      }
    }
  }
  const double wall = std::chrono::duration<double>(Clock::now() - stepsStartedAt).count();
  const double cpu = cpuSeconds(pid) - cpuAtSteps;
  const long rssEnd = rssKiB(pid);
  cleanup();
  fs::remove_all(dir);

  const std::string offered = o.rate > 0 ? std::to_string(static_cast<long>(o.rate)) + " steps/s"
                                         : std::string("as fast as answered");
  std::printf(
      "ussd_load: %zu live dialogs, %zu steps, at most %zu in flight, offered %s, "
      "log level %s\n",
      o.sessions, o.steps, o.inflight, offered.c_str(), o.logLevel.c_str());
  std::printf("daemon start to bind: %.0f ms\n",
              std::chrono::duration<double, std::milli>(boundAt - startedAt).count());
  std::printf("begin  (dial *123#): p50 %.0f us  p99 %.0f us\n", percentile(beginUs, 0.50),
              percentile(beginUs, 0.99));
  std::printf("steps: %.0f steps/s  p50 %.0f us  p99 %.0f us  max %.0f us\n",
              static_cast<double>(stepUs.size()) / wall, percentile(stepUs, 0.50),
              percentile(stepUs, 0.99), *std::max_element(stepUs.begin(), stepUs.end()));
  std::printf("daemon CPU per step: %.1f us  (%.2f s CPU over %.2f s)\n",
              cpu / static_cast<double>(stepUs.size()) * 1e6, cpu, wall);
  std::printf("daemon RSS: %ld KiB with %zu dialogs live, %ld KiB at the end\n", rssAllLive,
              o.sessions, rssEnd);
  std::printf("dialogs ended by the gateway during the run: %zu\n", ended);
  return ended == 0 ? 0 : 1;
}
