// SMPP submit throughput: EsmeLink (Session + TCP) to the built-in simulator on loopback.
//
//   build-bench/bench/smpp_bench --benchmark_counters_tabular=true
// items_per_second is sustained submit_sm/s, each acknowledged by submit_sm_resp (no
// receipts requested). cpu_us_per_msg is the CPU of the gateway side only (the link runs on
// the benchmark thread; the simulator has its own thread, not counted).
#include <benchmark/benchmark.h>
#include <time.h>

#include <boost/asio/io_context.hpp>

#include "smpp/codec.hpp"
#include "smpp/esme_link.hpp"
#include "smpp/sim/sim_server.hpp"

namespace {

using namespace mfigw::smpp;
using namespace std::chrono_literals;

class CountingHandler final : public LinkHandler {
 public:
  std::size_t acked = 0;
  void onDeliver(std::variant<DeliverSm, DataSm>) override {}
  void onSubmitAcked(std::uint64_t, const std::string&) override { ++acked; }
  void onSubmitFailed(std::uint64_t, CommandStatus, bool) override { ++acked; }
  void onRequeue(std::vector<OutgoingMessage>) override {}
  void onStateChanged(SessionState, SessionState) override {}
  void onBindRejected(CommandStatus, bool) override {}
  void onEvent(EventKind, const std::string&) override {}
};

// CPU time of the calling thread: the gateway side of the link.
double threadCpuSeconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

void BM_SubmitToSimulator(benchmark::State& state) {
  sim::SimServer sim(sim::SimulatorOptions{});
  sim.start();
  boost::asio::io_context io;
  CountingHandler handler;
  SessionOptions options;
  options.systemId = "bench";
  options.password = "bench";
  options.window = static_cast<std::uint32_t>(state.range(0));
  options.tps = 1e9;  // measure the gateway, not a throttle
  auto link = EsmeLink::create(io, {"127.0.0.1", sim.port()}, options, handler);
  link->start();
  while (link->state() != SessionState::Bound)
    io.run_one();

  SubmitSm pdu;
  pdu.source = {5, 0, "MFI"};
  pdu.destination = {1, 1, "254712345678"};
  pdu.shortMessage = "Your repayment of KES 1,250 is due on 25 Nov. Thank you.";
  constexpr std::size_t kBatch = 10000;
  std::uint64_t localId = 0;
  const double cpuStart = threadCpuSeconds();
  for (auto _ : state) {
    const std::size_t target = handler.acked + kBatch;
    for (std::size_t i = 0; i < kBatch; ++i)
      link->submit({++localId, pdu});
    while (handler.acked < target)
      io.run_one();
  }
  link->stop();
  io.run_for(200ms);
  sim.stop();
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * kBatch));
  const double messages = static_cast<double>(state.iterations() * kBatch);
  state.counters["cpu_us_per_msg"] = (threadCpuSeconds() - cpuStart) * 1e6 / messages;
}
BENCHMARK(BM_SubmitToSimulator)
    ->ArgName("window")
    ->Arg(10)
    ->Arg(50)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

// Encoding one submit_sm: the production path (encode) and the hand writer alone.
void BM_EncodeSubmitSm(benchmark::State& state) {
  SubmitSm pdu;
  pdu.sequenceNumber = 42;
  pdu.source = {5, 0, "MFI"};
  pdu.destination = {1, 1, "254712345678"};
  pdu.registeredDelivery = 1;
  pdu.shortMessage = "Your repayment of KES 1,250 is due on 25 Nov. Thank you.";
  const Pdu any = pdu;
  const bool byHand = state.range(0) != 0;
  for (auto _ : state) {
    std::string bytes = byHand ? detail::encodeByHand(any) : encode(any);
    benchmark::DoNotOptimize(bytes);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_EncodeSubmitSm)->ArgName("hand_only")->Arg(0)->Arg(1);

}  // namespace

BENCHMARK_MAIN();
