// sms_http_load: HTTP API to SMSC with receipts, mfi-gateway side by side with Kannel 1.4.5.
//
// Purpose:   One SMSC sink for everything: our SmscSimulator in this process on 127.0.0.1
//            (receipts on, no throttle). Three phases in one run:
//            1. sink ceiling: an SMPP client here binds to the sink and keeps --sink-window
//               submits in flight, acking every receipt: what the sink itself can take;
//            2. mfi-gateway: the real mfi-gatewayd (durable store, fsync per group commit)
//               bound to the sink, fed POST /api/v1/messages (bearer token, Idempotency-Key)
//               from --connections keep-alive HTTP/1.1 connections, --count messages;
//            3. Kannel: bearerbox + smsbox (bench/kannel/kannel.conf.in, default window)
//               bound to the same sink, fed GET /cgi-bin/sendsms with dlr-mask=31 and a
//               dlr-url pointing at a listener here that counts the callbacks.
//            Each gateway phase measures accepted/s (2xx answers), submitted/s (at the sink),
//            receipts/s (start to the last receipt the gateway confirmed: the queue's
//            "delivered" count for ours, final DLR callbacks for Kannel) and the gateway's CPU
//            per message from /proc/PID/stat (bearerbox + smsbox for Kannel).
// Threading: the sink has its own thread; the HTTP load runs on a thread of its own while the
//            main thread samples progress; Kannel's DLR listener has one thread.
// Errors:    prints why and exits 1 (a process did not start, a phase timed out).
// Ownership: owns its temporary directory and every process it starts; all gone at exit.
//
//   build-bench/bench/sms_http_load [--count 20000] [--connections 128] [--window 10,100]
//       [--sink-window 1000] [--receipt-delay-ms 0] [--only sink,gateway,kannel]
//       [--timeout-s 600] [--keep-dir]
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <filesystem>
#include <fstream>
#include <functional>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "smpp/codec.hpp"
#include "smpp/framer.hpp"
#include "smpp/pdu.hpp"
#include "smpp/sim/sim_server.hpp"

namespace {

namespace fs = std::filesystem;
using namespace mfigw;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

const char* const kText = "Your repayment of KES 1,250 is due on 25 Nov. Thank you.";

struct Options {
  std::size_t count = 20000;
  std::size_t connections = 128;
  std::vector<std::uint32_t> windows{10, 100};  // ours, one phase each; Kannel keeps its 10
  std::size_t sinkWindow = 1000;                // the sink-ceiling client
  long receiptDelayMs = 0;
  std::vector<std::string> only;  // empty: all of sink, gateway, kannel
  long timeoutS = 600;            // per phase
  bool keepDir = false;
  std::string daemon = MFIGW_DAEMON_PATH;
  std::string bearerbox = "/usr/sbin/bearerbox";
  std::string smsbox = "/usr/sbin/smsbox";
};

// Every process we started and have not stopped yet: fail() kills them on the way out.
std::vector<pid_t> children;

[[noreturn]] void fail(const std::string& why) {
  std::fprintf(stderr, "sms_http_load: %s\n", why.c_str());
  for (const pid_t pid : children)
    ::kill(pid, SIGKILL);
  std::exit(1);
}

double secondsSince(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

// ---- processes and sockets -------------------------------------------------------------

int listenLoopback(std::uint16_t& port, int backlog) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  const int one = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), len) != 0 || ::listen(fd, backlog) != 0)
    fail("cannot listen on 127.0.0.1");
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  port = ntohs(addr.sin_port);
  return fd;
}

std::uint16_t freePort() {
  std::uint16_t port = 0;
  ::close(listenLoopback(port, 1));
  return port;
}

// A blocking connection to 127.0.0.1:port with TCP_NODELAY, or -1.
int connectLoopback(std::uint16_t port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(port);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return -1;
  }
  const int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  return fd;
}

bool sendAll(int fd, const std::string& bytes) {
  std::size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::send(fd, bytes.data() + done, bytes.size() - done, MSG_NOSIGNAL);
    if (n <= 0) return false;
    done += static_cast<std::size_t>(n);
  }
  return true;
}

// CPU seconds (user + system) of a process so far.
double cpuSeconds(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  std::getline(in, line);
  if (line.empty()) return 0;
  std::istringstream rest(line.substr(line.rfind(')') + 2));
  std::string field;
  unsigned long utime = 0, stime = 0;
  for (int i = 3; i <= 15 && rest >> field; ++i) {
    if (i == 14) utime = std::stoul(field);
    if (i == 15) stime = std::stoul(field);
  }
  return static_cast<double>(utime + stime) / static_cast<double>(::sysconf(_SC_CLK_TCK));
}

pid_t spawn(const std::vector<std::string>& argv, const fs::path& log) {
  const pid_t pid = ::fork();
  if (pid == 0) {
    const int out = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    ::dup2(out, 1);
    ::dup2(out, 2);
    std::vector<char*> args;
    for (const std::string& a : argv)
      args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    ::execv(args[0], args.data());
    _exit(127);
  }
  if (pid < 0) fail("fork failed");
  children.push_back(pid);
  return pid;
}

// SIGTERM, then SIGKILL after 10 s.
void stopProcess(pid_t pid) {
  if (pid <= 0) return;
  std::erase(children, pid);
  ::kill(pid, SIGTERM);
  const auto deadline = Clock::now() + 10s;
  int status = 0;
  while (::waitpid(pid, &status, WNOHANG) == 0) {
    if (Clock::now() > deadline) {
      ::kill(pid, SIGKILL);
      ::waitpid(pid, &status, 0);
      return;
    }
    std::this_thread::sleep_for(20ms);
  }
}

bool exited(pid_t pid) {
  int status = 0;
  return ::waitpid(pid, &status, WNOHANG) == pid;
}

std::string urlEncode(const std::string& s) {
  std::string out;
  for (const unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      char buf[4];
      std::snprintf(buf, sizeof buf, "%%%02X", c);
      out += buf;
    }
  }
  return out;
}

std::string phoneOf(std::size_t i) {
  return "+2547" + std::to_string(12000000 + i);
}

// ---- HTTP/1.1 --------------------------------------------------------------------------

// One response read from a byte stream: status, body, and whether the server closes.
struct HttpResponse {
  int status = 0;
  std::string body;
  bool close = false;
};

// Cuts one whole response off the front of `in`; nullopt while it is incomplete.
std::optional<HttpResponse> takeResponse(std::string& in) {
  const std::size_t end = in.find("\r\n\r\n");
  if (end == std::string::npos) return std::nullopt;
  std::string head = in.substr(0, end);
  for (char& c : head)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (head.find("transfer-encoding: chunked") != std::string::npos)
    fail("chunked HTTP responses are not supported here");
  std::size_t length = 0;
  if (const std::size_t at = head.find("content-length:"); at != std::string::npos)
    length = std::stoul(head.substr(at + 15));
  if (in.size() < end + 4 + length) return std::nullopt;
  HttpResponse r;
  r.status = head.size() > 12 ? std::atoi(head.c_str() + 9) : 0;
  r.close = head.find("connection: close") != std::string::npos ||
            (head.rfind("http/1.0", 0) == 0 && head.find("keep-alive") == std::string::npos);
  r.body = in.substr(end + 4, length);
  in.erase(0, end + 4 + length);
  return r;
}

// A single request on a fresh connection (probes and queue counts).
std::optional<HttpResponse> httpOnce(std::uint16_t port, const std::string& request) {
  const int fd = connectLoopback(port);
  if (fd < 0) return std::nullopt;
  std::optional<HttpResponse> r;
  if (sendAll(fd, request)) {
    std::string in;
    char buf[16384];
    pollfd p{fd, POLLIN, 0};
    while (!r && ::poll(&p, 1, 5000) > 0) {
      const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
      if (n <= 0) break;
      in.append(buf, static_cast<std::size_t>(n));
      r = takeResponse(in);
    }
  }
  ::close(fd);
  return r;
}

// What the load thread reports.
struct LoadResult {
  std::size_t accepted = 0;  // 2xx
  std::size_t refused = 0;   // other answers (retried)
  std::size_t reconnects = 0;
  double seconds = 0;  // first request to the last 2xx
  bool timedOut = false;
};

// Sends requests 0..count-1 over the keep-alive connections `fds` (opened before the clock
// starts: a burst of connects can overflow a server's listen backlog, and SYN retries are
// not what we measure), one outstanding request per connection; a non-2xx answer sends the
// same request again. Takes the fds.
LoadResult runHttpLoad(std::uint16_t port, std::size_t count, const std::vector<int>& fds,
                       const std::function<std::string(std::size_t)>& request,
                       std::chrono::seconds limit) {
  struct Conn {
    int fd = -1;
    std::string in;
    std::optional<std::size_t> pending;
  };
  const std::size_t connections = fds.size();
  std::vector<Conn> conns(connections);
  for (std::size_t i = 0; i < connections; ++i)
    conns[i].fd = fds[i];
  std::deque<std::size_t> retry;
  std::size_t next = 0;
  LoadResult result;
  const auto start = Clock::now();
  const auto deadline = start + limit;
  const auto feed = [&](Conn& c) {
    std::size_t index = 0;
    if (!retry.empty()) {
      index = retry.front();
      retry.pop_front();
    } else if (next < count) {
      index = next++;
    } else {
      return;
    }
    if (c.fd < 0) {
      c.fd = connectLoopback(port);
      if (c.fd < 0) fail("cannot connect to port " + std::to_string(port));
    }
    c.pending = index;
    if (!sendAll(c.fd, request(index))) {
      ::close(c.fd);
      c.fd = -1;
      ++result.reconnects;
      retry.push_back(index);
      c.pending.reset();
    }
  };
  for (Conn& c : conns)
    feed(c);
  std::vector<pollfd> polls(connections);
  char buf[65536];
  while (result.accepted < count) {
    if (Clock::now() > deadline) {
      result.timedOut = true;
      break;
    }
    for (std::size_t i = 0; i < connections; ++i)
      polls[i] = {conns[i].pending ? conns[i].fd : -1, POLLIN, 0};
    if (::poll(polls.data(), polls.size(), 1000) < 0) fail("poll failed");
    for (std::size_t i = 0; i < connections; ++i) {
      Conn& c = conns[i];
      if (polls[i].fd < 0 || polls[i].revents == 0) continue;
      const ssize_t n = ::recv(c.fd, buf, sizeof buf, 0);
      if (n <= 0) {  // closed under us: send it again on a new connection
        ::close(c.fd);
        c.fd = -1;
        c.in.clear();
        ++result.reconnects;
        retry.push_back(*c.pending);
        c.pending.reset();
        feed(c);
        continue;
      }
      c.in.append(buf, static_cast<std::size_t>(n));
      if (std::optional<HttpResponse> r = takeResponse(c.in)) {
        if (r->status >= 200 && r->status < 300) {
          ++result.accepted;
          result.seconds = secondsSince(start);
        } else {
          ++result.refused;
          retry.push_back(*c.pending);
          if (result.refused <= 3)
            std::fprintf(stderr, "sms_http_load: HTTP %d: %s\n", r->status, r->body.c_str());
        }
        c.pending.reset();
        if (r->close) {
          ::close(c.fd);
          c.fd = -1;
          c.in.clear();
          ++result.reconnects;
        }
        feed(c);
      }
    }
  }
  for (Conn& c : conns)
    if (c.fd >= 0) ::close(c.fd);
  return result;
}

// Kannel's dlr-url target: answers every GET with 200 and counts the callbacks; type 1
// (delivered) and 2 (failed) are final receipts, the rest are intermediate (8: SMSC ack).
class DlrListener {
 public:
  DlrListener() : listener_(listenLoopback(port_, 64)) {
    thread_ = std::thread([this] { run(); });
  }
  ~DlrListener() {
    stop_ = true;
    thread_.join();
    ::close(listener_);
  }
  std::uint16_t port() const { return port_; }
  std::size_t finals() const { return finals_; }
  std::size_t all() const { return all_; }

 private:
  void run() {
    struct Peer {
      int fd;
      std::string in;
    };
    std::vector<Peer> peers;
    char buf[65536];
    while (!stop_) {
      std::vector<pollfd> polls{{listener_, POLLIN, 0}};
      for (const Peer& p : peers)
        polls.push_back({p.fd, POLLIN, 0});
      if (::poll(polls.data(), polls.size(), 100) <= 0) continue;
      if (polls[0].revents != 0) {
        const int fd = ::accept4(listener_, nullptr, nullptr, SOCK_CLOEXEC);
        if (fd >= 0) peers.push_back({fd, {}});
      }
      for (std::size_t i = 1; i < polls.size(); ++i) {
        if (polls[i].revents == 0) continue;
        Peer& p = peers[i - 1];
        const ssize_t n = ::recv(p.fd, buf, sizeof buf, 0);
        if (n <= 0) {
          ::close(p.fd);
          p.fd = -1;
          continue;
        }
        p.in.append(buf, static_cast<std::size_t>(n));
        // Kannel's callbacks are GETs without a body: one request per blank line.
        for (std::size_t end; (end = p.in.find("\r\n\r\n")) != std::string::npos;) {
          const std::string line = p.in.substr(0, p.in.find("\r\n"));
          p.in.erase(0, end + 4);
          ++all_;
          if (line.find("t=1&") != std::string::npos || line.find("t=2&") != std::string::npos)
            ++finals_;
          sendAll(p.fd, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
        }
      }
      std::erase_if(peers, [](const Peer& p) { return p.fd < 0; });
    }
    for (const Peer& p : peers)
      ::close(p.fd);
  }

  std::uint16_t port_ = 0;
  int listener_;
  std::atomic<bool> stop_{false};
  std::atomic<std::size_t> finals_{0};
  std::atomic<std::size_t> all_{0};
  std::thread thread_;
};

// ---- the phases ------------------------------------------------------------------------

struct PhaseResult {
  std::string name;
  double acceptedPerS = 0;  // 0: not applicable
  double submittedPerS = 0;
  double receiptsPerS = 0;
  double cpuUsPerMsg = 0;  // 0: not applicable
  // This process (HTTP client, sink, sampler) per message: the harness's share of the cores.
  double harnessCpuUsPerMsg = 0;
  double seconds = 0;  // start to the last receipt confirmed
  std::size_t submits = 0;
  std::size_t receipts = 0;
  std::string note;
};

// Sink ceiling: a plain SMPP client (our codec, one socket) with `window` submits in flight,
// acking every receipt the sink sends. Ends when `count` receipts are acked.
PhaseResult sinkCeiling(smpp::sim::SimServer& sim, std::size_t count, std::size_t window) {
  const smpp::sim::Counters before = sim.counters();
  const double harnessBefore = cpuSeconds(::getpid());
  const int fd = connectLoopback(sim.port());
  if (fd < 0) fail("cannot connect to the sink");
  smpp::Framer framer;
  std::string out;
  std::uint32_t seq = 1;
  smpp::BindTransceiver bind;
  bind.sequenceNumber = seq++;
  bind.systemId = "ceiling";
  bind.password = "ceiling";
  out += smpp::encode(bind);
  bool bound = false;
  std::size_t sent = 0, answered = 0, receipts = 0;
  Clock::time_point start{}, lastSubmitResp{};
  char buf[65536];
  while (receipts < count) {
    while (bound && sent < count && sent - answered < window) {
      smpp::SubmitSm submit;
      submit.sequenceNumber = seq++;
      submit.source = {5, 0, "MFI"};
      submit.destination = {1, 1, phoneOf(sent).substr(1)};
      submit.registeredDelivery = 1;
      submit.shortMessage = kText;
      out += smpp::encode(submit);
      if (sent++ == 0) start = Clock::now();
    }
    if (!out.empty() && !sendAll(fd, out)) fail("the sink closed the ceiling link");
    out.clear();
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, 10000) <= 0) fail("the sink went silent during the ceiling run");
    const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) fail("the sink closed the ceiling link");
    smpp::FramerOutput framed = framer.feed({buf, static_cast<std::size_t>(n)});
    if (framed.error) fail("unframeable bytes from the sink");
    for (const std::string& whole : framed.pdus) {
      smpp::DecodeResult decoded = smpp::decode(whole);
      if (!decoded) fail("undecodable PDU from the sink: " + decoded.error().reason);
      smpp::Pdu& pdu = decoded.pdu();
      if (std::holds_alternative<smpp::BindTransceiverResp>(pdu)) {
        bound = true;
      } else if (std::holds_alternative<smpp::SubmitSmResp>(pdu)) {
        ++answered;
        lastSubmitResp = Clock::now();
      } else if (auto* deliver = std::get_if<smpp::DeliverSm>(&pdu)) {
        out += smpp::encode(smpp::makeResponse(*deliver, smpp::CommandStatus::Ok));
        ++receipts;
      } else if (auto* probe = std::get_if<smpp::EnquireLink>(&pdu)) {
        out += smpp::encode(smpp::makeResponse(*probe, smpp::CommandStatus::Ok));
      }
    }
  }
  sendAll(fd, out);  // the last acks
  const double seconds = secondsSince(start);
  // Let the sink count the last acks before reading its counters.
  const auto settle = Clock::now() + 5s;
  while (sim.counters().receiptsAcked - before.receiptsAcked < count && Clock::now() < settle)
    std::this_thread::sleep_for(5ms);
  ::close(fd);
  const smpp::sim::Counters after = sim.counters();
  PhaseResult r;
  r.name = "sink-ceiling";
  r.submits = after.submits - before.submits;
  r.receipts = after.receiptsAcked - before.receiptsAcked;
  r.submittedPerS =
      static_cast<double>(count) / std::chrono::duration<double>(lastSubmitResp - start).count();
  r.receiptsPerS = static_cast<double>(count) / seconds;
  r.seconds = seconds;
  r.harnessCpuUsPerMsg =
      (cpuSeconds(::getpid()) - harnessBefore) / static_cast<double>(count) * 1e6;
  r.note = "window " + std::to_string(window) + "; harness CPU = the SMPP client + the sink";
  return r;
}

// Samples the sink (and the gateway's own receipt count) while the HTTP load runs; returns
// the phase figures. `confirmed` says how many receipts the gateway has taken in so far.
PhaseResult measure(const std::string& name, smpp::sim::SimServer& sim, const Options& o,
                    const std::vector<pid_t>& pids, std::uint16_t httpPort,
                    const std::function<std::string(std::size_t)>& request,
                    const std::function<std::size_t()>& confirmed) {
  std::vector<int> fds;
  for (std::size_t i = 0; i < o.connections; ++i) {
    fds.push_back(connectLoopback(httpPort));
    if (fds.back() < 0) fail(name + ": cannot connect to port " + std::to_string(httpPort));
  }
  const smpp::sim::Counters before = sim.counters();
  const double harnessBefore = cpuSeconds(::getpid());
  double cpuBefore = 0;
  for (const pid_t pid : pids)
    cpuBefore += cpuSeconds(pid);
  const auto start = Clock::now();
  const auto limit = std::chrono::seconds(o.timeoutS);
  LoadResult load;
  std::thread loader([&] { load = runHttpLoad(httpPort, o.count, fds, request, limit); });
  std::optional<double> submittedAt, confirmedAt;
  std::size_t submits = 0, acked = 0, gatewayCount = 0;
  bool timedOut = false;
  while (!confirmedAt) {
    if (secondsSince(start) > static_cast<double>(o.timeoutS)) {
      timedOut = true;
      break;
    }
    for (const pid_t pid : pids)
      if (exited(pid)) fail(name + ": a gateway process exited during the run");
    const smpp::sim::Counters now = sim.counters();
    submits = now.submits - before.submits;
    acked = now.receiptsAcked - before.receiptsAcked;
    if (!submittedAt && submits >= o.count) submittedAt = secondsSince(start);
    // The gateway's own count is dearer to ask for: only once the sink has every ack.
    if (acked >= o.count) {
      gatewayCount = confirmed();
      if (gatewayCount >= o.count) confirmedAt = secondsSince(start);
    }
    std::this_thread::sleep_for(acked >= o.count ? 2ms : 10ms);
  }
  double cpu = -cpuBefore;
  for (const pid_t pid : pids)
    cpu += cpuSeconds(pid);
  loader.join();
  PhaseResult r;
  r.name = name;
  r.submits = submits;
  r.receipts = acked;
  if (load.accepted > 0) r.acceptedPerS = static_cast<double>(load.accepted) / load.seconds;
  if (submittedAt) r.submittedPerS = static_cast<double>(o.count) / *submittedAt;
  if (confirmedAt) {
    r.receiptsPerS = static_cast<double>(o.count) / *confirmedAt;
    r.seconds = *confirmedAt;
  }
  r.cpuUsPerMsg = cpu / static_cast<double>(o.count) * 1e6;
  r.harnessCpuUsPerMsg =
      (cpuSeconds(::getpid()) - harnessBefore) / static_cast<double>(o.count) * 1e6;
  r.note = "accepted " + std::to_string(load.accepted) + ", refused " +
           std::to_string(load.refused) + ", reconnects " + std::to_string(load.reconnects) +
           ", submits at sink " + std::to_string(submits) + ", receipts acked " +
           std::to_string(acked) + ", confirmed by the gateway " + std::to_string(gatewayCount);
  if (timedOut || load.timedOut) r.note += ", TIMED OUT";
  return r;
}

// Waits until the sink has one more bind than `binds` (the gateway's link is up).
void waitBound(smpp::sim::SimServer& sim, std::uint64_t binds, const std::vector<pid_t>& pids,
               const std::string& who, const fs::path& logs) {
  const auto deadline = Clock::now() + 30s;
  while (sim.counters().binds <= binds) {
    for (const pid_t pid : pids)
      if (exited(pid)) fail(who + " exited before binding; see " + logs.string());
    if (Clock::now() > deadline) fail(who + " did not bind within 30 s; see " + logs.string());
    std::this_thread::sleep_for(20ms);
  }
}

std::string readFile(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

PhaseResult runGateway(smpp::sim::SimServer& sim, const Options& o, std::uint32_t window,
                       const fs::path& dir) {
  const std::uint16_t adminPort = freePort();
  const fs::path config = dir / "gateway.yaml";
  std::ofstream(config) << "log:\n  level: info\n"
                        << "store:\n  path: " << (dir / "state").string() << "\n"
                        << "  map_size: 256MiB\n  session_map_size: 16MiB\n"
                        << "admin:\n  listen: 127.0.0.1:" << adminPort << "\n"
                        << "  max_connections: " << o.connections + 16 << "\n"
                        << "menus:\n  dir: " << MFIGW_SOURCE_DIR << "/menus/mfi\n"
                        << "smpp:\n  links:\n    - name: sink\n      host: 127.0.0.1\n"
                        << "      port: " << sim.port() << "\n      system_id: mfi\n"
                        << "      window: " << window << "\n      tps: 10000\n";
  const std::uint64_t binds = sim.counters().binds;
  const fs::path log = dir / "gateway.log";
  const pid_t pid = spawn({o.daemon, "--config", config.string()}, log);
  waitBound(sim, binds, {pid}, "mfi-gatewayd", log);
  const auto readyBy = Clock::now() + 30s;
  while (true) {
    const auto r = httpOnce(adminPort, "GET /readyz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
    if (r && r->status == 200) break;
    if (Clock::now() > readyBy) {
      stopProcess(pid);
      fail("mfi-gatewayd not ready within 30 s; see " + log.string());
    }
    std::this_thread::sleep_for(20ms);
  }
  std::string token = readFile(dir / "state" / "admin.token");
  while (!token.empty() && (token.back() == '\n' || token.back() == '\r'))
    token.pop_back();
  const std::string auth = "Authorization: Bearer " + token + "\r\n";
  const auto request = [&](std::size_t i) {
    const std::string body =
        "{\"to\":\"" + phoneOf(i) + "\",\"text\":\"" + std::string(kText) + "\"}";
    return "POST /api/v1/messages HTTP/1.1\r\nHost: 127.0.0.1\r\n" + auth +
           "Content-Type: application/json\r\nIdempotency-Key: load-" + std::to_string(i) +
           "\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
  };
  const std::string queueRequest =
      "GET /api/v1/queue HTTP/1.1\r\nHost: 127.0.0.1\r\n" + auth + "Connection: close\r\n\r\n";
  const auto delivered = [&]() -> std::size_t {
    const auto r = httpOnce(adminPort, queueRequest);
    if (!r || r->status != 200) return 0;
    const std::size_t at = r->body.find("\"delivered\":");
    return at == std::string::npos ? 0 : std::stoul(r->body.substr(at + 12));
  };
  PhaseResult r = measure("mfi-gateway/w" + std::to_string(window), sim, o, {pid}, adminPort,
                          request, delivered);
  stopProcess(pid);
  return r;
}

PhaseResult runKannel(smpp::sim::SimServer& sim, const Options& o, const fs::path& dir) {
  DlrListener dlr;
  const std::uint16_t sendsmsPort = freePort();
  std::string conf = readFile(fs::path(MFIGW_SOURCE_DIR) / "bench/kannel/kannel.conf.in");
  if (conf.empty()) fail("cannot read bench/kannel/kannel.conf.in");
  const std::pair<std::string, std::string> fields[] = {
      {"@ADMIN_PORT@", std::to_string(freePort())},
      {"@SMSBOX_PORT@", std::to_string(freePort())},
      {"@SENDSMS_PORT@", std::to_string(sendsmsPort)},
      {"@SMPP_PORT@", std::to_string(sim.port())},
      {"@DIR@", dir.string()}};
  for (const auto& [key, value] : fields)
    for (std::size_t at; (at = conf.find(key)) != std::string::npos;)
      conf.replace(at, key.size(), value);
  const fs::path config = dir / "kannel.conf";
  std::ofstream(config) << conf;

  const std::uint64_t binds = sim.counters().binds;
  const pid_t bearerbox = spawn({o.bearerbox, "-v", "2", config.string()}, dir / "bearerbox.out");
  waitBound(sim, binds, {bearerbox}, "bearerbox", dir);
  const pid_t smsbox = spawn({o.smsbox, "-v", "2", config.string()}, dir / "smsbox.out");
  const auto cleanup = [&] {
    stopProcess(smsbox);
    stopProcess(bearerbox);
  };
  // smsbox answers sendsms once it is connected to bearerbox.
  const std::string auth = "username=load&password=load";
  const auto readyBy = Clock::now() + 30s;
  while (true) {
    const auto r = httpOnce(sendsmsPort,
                            "GET /cgi-bin/sendsms HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                            "Connection: close\r\n\r\n");
    if (r && r->status > 0) break;
    if (exited(smsbox) || Clock::now() > readyBy) {
      cleanup();
      fail("smsbox did not answer within 30 s; see " + dir.string());
    }
    std::this_thread::sleep_for(50ms);
  }
  std::this_thread::sleep_for(500ms);  // smsbox's link to bearerbox
  const std::string dlrUrl =
      urlEncode("http://127.0.0.1:" + std::to_string(dlr.port()) + "/dlr?t=%d&i=");
  const std::string text = urlEncode(kText);
  const auto request = [&](std::size_t i) {
    return "GET /cgi-bin/sendsms?" + auth + "&from=MFI&to=" + urlEncode(phoneOf(i)) +
           "&text=" + text + "&dlr-mask=31&dlr-url=" + dlrUrl + std::to_string(i) +
           " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
  };
  PhaseResult r = measure("kannel-1.4.5", sim, o, {bearerbox, smsbox}, sendsmsPort, request,
                          [&] { return dlr.finals(); });
  r.note += ", DLR callbacks " + std::to_string(dlr.all()) + " (final " +
            std::to_string(dlr.finals()) + "), default window";
  cleanup();
  return r;
}

Options parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string key = argv[i];
    if (key == "--keep-dir") {
      o.keepDir = true;
      continue;
    }
    if (i + 1 >= argc) fail(key + " needs a value");
    const std::string value = argv[++i];
    std::string part;
    if (key == "--count")
      o.count = std::stoul(value);
    else if (key == "--connections")
      o.connections = std::stoul(value);
    else if (key == "--window") {
      o.windows.clear();
      std::istringstream list(value);
      for (std::string one; std::getline(list, one, ',');)
        o.windows.push_back(static_cast<std::uint32_t>(std::stoul(one)));
    } else if (key == "--sink-window")
      o.sinkWindow = std::stoul(value);
    else if (key == "--receipt-delay-ms")
      o.receiptDelayMs = std::stol(value);
    else if (key == "--only")
      for (std::istringstream list(value); std::getline(list, part, ',');)
        o.only.push_back(part);
    else if (key == "--timeout-s")
      o.timeoutS = std::stol(value);
    else if (key == "--daemon")
      o.daemon = value;
    else
      fail("unknown option " + key);
  }
  if (o.count == 0 || o.connections == 0 || o.sinkWindow == 0 || o.windows.empty() ||
      std::find(o.windows.begin(), o.windows.end(), 0u) != o.windows.end())
    fail("--count, --connections, --window and --sink-window must be positive");
  for (const std::string& part : o.only)
    if (part != "sink" && part != "gateway" && part != "kannel")
      fail("--only takes a list of sink, gateway, kannel");
  return o;
}

void printLine(const PhaseResult& r) {
  const auto num = [](double v, const char* format) {
    if (v <= 0) return std::string("-");
    char buf[32];
    std::snprintf(buf, sizeof buf, format, v);
    return std::string(buf);
  };
  std::printf(
      "%-16s accepted_per_s=%-6s submitted_per_s=%-6s receipts_per_s=%-6s "
      "cpu_us_per_msg=%-6s seconds=%-6s harness_cpu_us_per_msg=%s\n",
      r.name.c_str(), num(r.acceptedPerS, "%.0f").c_str(), num(r.submittedPerS, "%.0f").c_str(),
      num(r.receiptsPerS, "%.0f").c_str(), num(r.cpuUsPerMsg, "%.1f").c_str(),
      num(r.seconds, "%.2f").c_str(), num(r.harnessCpuUsPerMsg, "%.1f").c_str());
}

}  // namespace

int main(int argc, char** argv) {
  const Options o = parse(argc, argv);
  ::signal(SIGPIPE, SIG_IGN);
  std::string pattern = (fs::temp_directory_path() / "mfigw-sms-http-load-XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr) fail("cannot create a temporary directory");
  const fs::path dir = pattern;

  smpp::sim::SimulatorOptions simOptions;  // any account, receipts on every registered submit
  simOptions.receiptDelay = std::chrono::milliseconds(o.receiptDelayMs);
  smpp::sim::SimServer sim(simOptions);
  sim.start();

  std::vector<PhaseResult> results;
  char load[64] = "?";
  if (std::FILE* f = std::fopen("/proc/loadavg", "r")) {
    if (std::fgets(load, sizeof load, f) == nullptr) load[0] = '\0';
    std::fclose(f);
  }
  const auto wanted = [&](const char* part) {
    return o.only.empty() || std::find(o.only.begin(), o.only.end(), part) != o.only.end();
  };
  if (wanted("kannel") && !fs::exists(o.bearerbox))
    fail(o.bearerbox + " not found: install Debian's kannel or pass --only sink,gateway");
  if (wanted("sink")) results.push_back(sinkCeiling(sim, o.count, o.sinkWindow));
  if (wanted("gateway")) {
    for (const std::uint32_t window : o.windows) {
      const fs::path own = dir / ("gateway-w" + std::to_string(window));
      fs::create_directories(own);
      results.push_back(runGateway(sim, o, window, own));
    }
  }
  if (wanted("kannel")) {
    fs::create_directories(dir / "kannel");
    results.push_back(runKannel(sim, o, dir / "kannel"));
  }
  sim.stop();

  std::printf(
      "sms_http_load: %zu messages, %zu HTTP connections, sink: in-process "
      "SmscSimulator, receipts on, receipt delay %ld ms, no throttle\n",
      o.count, o.connections, o.receiptDelayMs);
  std::printf("load average at start: %s", load);
  for (const PhaseResult& r : results)
    printLine(r);
  const auto find = [&](const std::string& name) -> const PhaseResult* {
    for (const PhaseResult& r : results)
      if (r.name == name) return &r;
    return nullptr;
  };
  const PhaseResult* kannel = find("kannel-1.4.5");
  for (const PhaseResult& ours : results) {
    if (!ours.name.starts_with("mfi-gateway") || !kannel || kannel->receiptsPerS <= 0 ||
        ours.receiptsPerS <= 0)
      continue;
    // "ratio/w10": mfi-gateway at window 10 over Kannel.
    std::printf("ratio%s receipts_per_s=%.1f accepted_per_s=%.1f cpu_per_msg=%.2f\n",
                ours.name.substr(ours.name.find('/')).c_str(),
                ours.receiptsPerS / kannel->receiptsPerS, ours.acceptedPerS / kannel->acceptedPerS,
                ours.cpuUsPerMsg / kannel->cpuUsPerMsg);
  }
  for (const PhaseResult& r : results)
    std::printf("# %s: %s\n", r.name.c_str(), r.note.c_str());
  if (o.keepDir)
    std::printf("# logs kept in %s\n", dir.c_str());
  else
    fs::remove_all(dir);
  bool complete = true;
  for (const PhaseResult& r : results)
    complete = complete && r.receiptsPerS > 0;
  return complete ? 0 : 1;
}
