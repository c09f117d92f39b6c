// SMPP submit throughput to a peer nobody here wrote: EsmeLink (Session + TCP) to node-smpp
// acting as an SMSC sink (tests/interop/smsc.js --sink: answers every submit_sm at once, no
// receipts) on loopback, at window 10 and 50.
//
//   build-bench/bench/node_sink_bench --benchmark_counters_tabular=true
// Needs node and `npm ci` in tests/interop (scripts/install-deps.sh); MFIGW_INTEROP_DIR
// overrides where tests/interop is (default: found from this file's path).
// items_per_second is sustained submit_sm/s, each acknowledged by submit_sm_resp.
// cpu_us_per_msg is OUR process's CPU (getrusage, user + system) per message;
// sink_cpu_us_per_msg is node's (from /proc), and sink_cpu_share the fraction of one core
// node used over the run: near 1.0, the single-threaded sink is what limits the rate.
#include <benchmark/benchmark.h>
#include <sys/resource.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include <boost/asio/io_context.hpp>

#include "smpp/esme_link.hpp"
#include "tests/interop/node_child.hpp"

namespace {

using namespace mfigw::smpp;
using namespace std::chrono_literals;

class CountingHandler final : public LinkHandler {
 public:
  std::size_t acked = 0;
  std::size_t failed = 0;
  void onDeliver(std::variant<DeliverSm, DataSm>) override {}
  void onSubmitAcked(std::uint64_t, const std::string&) override { ++acked; }
  void onSubmitFailed(std::uint64_t, CommandStatus, bool) override { ++failed; }
  void onRequeue(std::vector<OutgoingMessage>) override {}
  void onStateChanged(SessionState, SessionState) override {}
  void onBindRejected(CommandStatus, bool) override {}
  void onEvent(EventKind, const std::string&) override {}
};

std::filesystem::path interopDir() {
  if (const char* dir = std::getenv("MFIGW_INTEROP_DIR")) return dir;
  return std::filesystem::path(__FILE__).parent_path().parent_path() / "tests" / "interop";
}

// CPU (user + system) of this whole process, in seconds.
double ownCpuSeconds() {
  rusage usage{};
  ::getrusage(RUSAGE_SELF, &usage);
  const auto seconds = [](const timeval& tv) {
    return static_cast<double>(tv.tv_sec) + static_cast<double>(tv.tv_usec) * 1e-6;
  };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

// CPU (user + system) of another process so far, from /proc/<pid>/stat; 0 if unreadable.
double processCpuSeconds(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  // Fields after the parenthesised command name: state is field 3, utime 14, stime 15.
  const auto close = text.rfind(')');
  if (close == std::string::npos) return 0;
  std::istringstream fields(text.substr(close + 2));
  std::string field;
  double ticks = 0;
  for (int i = 3; i <= 15 && fields >> field; ++i)
    if (i >= 14) ticks += std::stod(field);
  return ticks / static_cast<double>(::sysconf(_SC_CLK_TCK));
}

void BM_SubmitToNodeSink(benchmark::State& state) {
  const std::filesystem::path dir = interopDir();
  if (const std::string problem = mfigw::interop::setupProblem(dir); !problem.empty()) {
    state.SkipWithError(problem.c_str());
    return;
  }
  mfigw::interop::NodeChild sink(dir, "smsc.js", {"0", "bench", "bench", "--sink"});
  const auto listening = sink.waitForLine("listening ", 20s);
  if (!listening) {
    state.SkipWithError("smsc.js did not start");
    return;
  }
  boost::asio::io_context io;
  CountingHandler handler;
  SessionOptions options;
  options.systemId = "bench";
  options.password = "bench";
  options.window = static_cast<std::uint32_t>(state.range(0));
  options.tps = 1e9;  // measure the link and the sink, not a throttle
  const auto port = static_cast<std::uint16_t>(std::stoi(listening->substr(10)));
  auto link = EsmeLink::create(io, {"127.0.0.1", port}, options, handler);
  link->start();
  const auto bindDeadline = std::chrono::steady_clock::now() + 10s;
  while (link->state() != SessionState::Bound && std::chrono::steady_clock::now() < bindDeadline)
    io.run_one_for(100ms);
  if (link->state() != SessionState::Bound) {
    state.SkipWithError("no bind to the node-smpp sink");
    return;
  }

  SubmitSm pdu;
  pdu.source = {5, 0, "MFI"};
  pdu.destination = {1, 1, "254712345678"};
  pdu.shortMessage = "Your repayment of KES 1,250 is due on 25 Nov. Thank you.";
  constexpr std::size_t kBatch = 10000;
  std::uint64_t localId = 0;
  const double cpuStart = ownCpuSeconds();
  const double sinkCpuStart = processCpuSeconds(sink.pid());
  const auto wallStart = std::chrono::steady_clock::now();
  for (auto _ : state) {
    const std::size_t target = handler.acked + kBatch;
    for (std::size_t i = 0; i < kBatch; ++i)
      link->submit({++localId, pdu});
    while (handler.acked < target) {
      // Bounded: a dead sink ends the run instead of hanging it.
      if (io.run_one_for(1s) == 0 && !sink.running()) {
        state.SkipWithError("the node-smpp sink exited");
        return;
      }
    }
  }
  const double wall =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - wallStart).count();
  const double ownCpu = ownCpuSeconds() - cpuStart;
  const double sinkCpu = processCpuSeconds(sink.pid()) - sinkCpuStart;
  link->stop();
  io.run_for(200ms);

  const double messages = static_cast<double>(state.iterations() * kBatch);
  state.SetItemsProcessed(static_cast<std::int64_t>(messages));
  state.counters["cpu_us_per_msg"] = ownCpu * 1e6 / messages;
  state.counters["sink_cpu_us_per_msg"] = sinkCpu * 1e6 / messages;
  state.counters["sink_cpu_share"] = sinkCpu / wall;
  state.counters["failed"] = static_cast<double>(handler.failed);
}
BENCHMARK(BM_SubmitToNodeSink)
    ->ArgName("window")
    ->Arg(10)
    ->Arg(50)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
