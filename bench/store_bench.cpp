// Store throughput: how many acknowledged-durable writes per second the group-commit writer
// sustains (one fsync per batch, not per write), and the cost of a point read.
//
//   build-bench/bench/store_bench --benchmark_counters_tabular=true
// Uses a temporary directory under $TMPDIR (the disk there is what is measured).
#include <benchmark/benchmark.h>

#include <atomic>
#include <condition_variable>
#include <filesystem>
#include <mutex>
#include <string>

#include "store/env.hpp"
#include "store/group_commit_writer.hpp"
#include "store/optouts.hpp"
#include "store/txn.hpp"

namespace {

namespace fs = std::filesystem;
using mfigw::store::Durability;
using mfigw::store::Env;
using mfigw::store::EnvOptions;
using mfigw::store::GroupCommitWriter;
using mfigw::store::OptOut;
using mfigw::store::OptOutTable;
using mfigw::store::WriteTxn;

struct TempDir {
  fs::path path;
  TempDir() {
    std::string pattern = (fs::temp_directory_path() / "mfigw-bench-XXXXXX").string();
    path = ::mkdtemp(pattern.data());
  }
  ~TempDir() { fs::remove_all(path); }
};

std::string msisdnFor(std::int64_t i) {
  return "+2547" + std::to_string(10000000 + i % 89999999);
}

// Submits state.range(0) writes at a time (as concurrent API clients would), waits until all
// are durable, repeats. items/s is the acknowledged-durable write rate.
void BM_GroupCommitDurableWrites(benchmark::State& state) {
  TempDir dir;
  EnvOptions options;
  options.path = dir.path.string();
  options.mapSize = 256ull << 20;
  options.maxMapSize = 1ull << 30;
  options.durability = state.range(1) != 0 ? Durability::Durable : Durability::Relaxed;
  Env env(options);
  OptOutTable table;
  {
    WriteTxn txn = env.beginWrite();
    table = OptOutTable::open(txn, "optouts");
    txn.commit();
  }
  GroupCommitWriter writer(env, [](std::function<void()> fn) { fn(); });
  const std::int64_t inFlight = state.range(0);
  std::int64_t next = 0;
  for (auto _ : state) {
    std::mutex mutex;
    std::condition_variable cv;
    std::int64_t pending = inFlight;
    for (std::int64_t i = 0; i < inFlight; ++i) {
      OptOut record{msisdnFor(next++), 1795000000, mfigw::store::OptOutSource::Sms};
      writer.submit([&table, record](WriteTxn& txn) { table.put(txn, record.msisdn, record); },
                    [&](std::error_code) {
                      std::lock_guard lock(mutex);
                      if (--pending == 0) cv.notify_one();
                    });
    }
    std::unique_lock lock(mutex);
    cv.wait(lock, [&] { return pending == 0; });
  }
  writer.stop();
  const auto stats = writer.stats();
  state.SetItemsProcessed(state.iterations() * inFlight);
  state.counters["commits"] = static_cast<double>(stats.batchesCommitted);
  state.counters["writes_per_commit"] =
      static_cast<double>(stats.itemsCommitted) / static_cast<double>(stats.batchesCommitted);
}
BENCHMARK(BM_GroupCommitDurableWrites)
    ->ArgNames({"in_flight", "durable"})
    ->Args({1, 1})
    ->Args({64, 1})
    ->Args({1024, 1})
    ->Args({1024, 0})
    ->UseRealTime();

// A point read in a fresh read transaction, as an API GET does.
void BM_OptOutLookup(benchmark::State& state) {
  TempDir dir;
  EnvOptions options;
  options.path = dir.path.string();
  Env env(options);
  OptOutTable table;
  const std::int64_t rows = 100000;
  {
    WriteTxn txn = env.beginWrite();
    table = OptOutTable::open(txn, "optouts");
    for (std::int64_t i = 0; i < rows; ++i) {
      OptOut record{msisdnFor(i), 1795000000, mfigw::store::OptOutSource::Sms};
      table.put(txn, record.msisdn, record);
    }
    txn.commit();
  }
  std::int64_t i = 0;
  for (auto _ : state) {
    auto txn = env.beginRead();
    auto record = table.get(txn, msisdnFor(i++ % rows));
    benchmark::DoNotOptimize(record);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_OptOutLookup);

}  // namespace

BENCHMARK_MAIN();
