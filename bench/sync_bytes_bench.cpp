// Bytes on the wire per synced loan: what the branch's thin link pays for the loan book.
//
// The real UpstreamSync pulls 10,000 loans (pages of 1,000, gzip) from the reference upstream
// server (tests/upstream/server) on 127.0.0.1; both directions' socket bytes are counted by
// the sync client. Then a second window with nothing to move gives the fixed cost of a window
// (push, pull, headers, TLS-less). Issue 4's targets: <= 64 B per loan in batches of 1,000 and
// <= 4 KB per window. One iteration: the figure is a size, not a time.
//
//
// BM_FineractSyncBytesPerLoan is the same measure for the Apache Fineract adapter against
// FakeFineract (tests/upstream/server): 10,000 clients and 10,000 loans shaped like
// Fineract's list answers (tests/upstream/fineract_generator.hpp), pages of 1,000, gzip from
// 2 KB as Spring Boot does. Fineract has no "modified since": every window is a full sweep,
// so the "empty" window moves the whole book again (gateway/fineract_sync.hpp).
//
//   build-bench/bench/sync_bytes_bench
#include <benchmark/benchmark.h>

#include "tests/upstream/fineract_generator.hpp"
#include "tests/upstream/fineract_harness.hpp"
#include "tests/upstream/loan_generator.hpp"
#include "tests/upstream/sync_harness.hpp"

namespace {

using namespace mfigw;

void BM_SyncBytesPerLoan(benchmark::State& state) {
  const auto loans = static_cast<std::size_t>(state.range(0));
  for (auto _ : state) {
    testing::SyncHarness h;
    h.server->putLoans(testing::generateLoans(loans, 8));
    gateway::UpstreamOptions o = h.options();
    o.pageSize = 1000;
    h.startSync(o);
    if (!h.windowsDone(1) || h.localLoanCount() != loans) {
      state.SkipWithError("the first window did not pull every loan");
      return;
    }
    const gateway::UpstreamStatus first = h.status();
    if (!h.sync->syncNow() || !h.windowsDone(2)) {
      state.SkipWithError("the second window did not finish");
      return;
    }
    const gateway::UpstreamStatus second = h.status();
    const double idle =
        static_cast<double>(second.bytesIn - first.bytesIn + second.bytesOut - first.bytesOut);
    const double total = static_cast<double>(first.bytesIn + first.bytesOut);
    state.counters["bytes_per_loan"] = total / static_cast<double>(loans);
    state.counters["bytes_per_loan_delta"] = (total - idle) / static_cast<double>(loans);
    state.counters["empty_window_bytes"] = idle;
    state.counters["bytes_in"] = static_cast<double>(first.bytesIn);
    state.counters["bytes_out"] = static_cast<double>(first.bytesOut);
  }
}
BENCHMARK(BM_SyncBytesPerLoan)
    ->ArgName("loans")
    ->Arg(10000)
    ->Iterations(1)
    ->Unit(benchmark::kMillisecond);

void BM_FineractSyncBytesPerLoan(benchmark::State& state) {
  const auto loans = static_cast<std::int64_t>(state.range(0));
  for (auto _ : state) {
    testing::FineractHarness h;
    const nlohmann::json base = testing::fineractFixture("loan_active.json");
    for (std::int64_t i = 1; i <= loans; ++i) {
      h.server->putClient(testing::fineractClient(i));
      h.server->putLoan(testing::fineractLoan(i, base));
    }
    gateway::UpstreamConfig c = h.config();
    c.pageSize = 1000;
    h.startSync(h.options(c));
    if (!h.windowsDone(1) || h.localLoanCount() != static_cast<std::uint64_t>(loans)) {
      state.SkipWithError("the first window did not pull every loan");
      return;
    }
    const gateway::UpstreamStatus first = h.status();
    if (!h.sync->syncNow() || !h.windowsDone(2)) {
      state.SkipWithError("the second window did not finish");
      return;
    }
    const gateway::UpstreamStatus second = h.status();
    const double idle =
        static_cast<double>(second.bytesIn - first.bytesIn + second.bytesOut - first.bytesOut);
    const double total = static_cast<double>(first.bytesIn + first.bytesOut);
    state.counters["bytes_per_loan"] = total / static_cast<double>(loans);
    state.counters["empty_window_bytes"] = idle;
    state.counters["bytes_in"] = static_cast<double>(first.bytesIn);
    state.counters["bytes_out"] = static_cast<double>(first.bytesOut);
    state.counters["requests"] = static_cast<double>(h.server->requestCount());
  }
}
BENCHMARK(BM_FineractSyncBytesPerLoan)
    ->ArgName("loans")
    ->Arg(10000)
    ->Iterations(1)
    ->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
