// Nearest payment points: the locator screen's query, nearest-3 among 1,000,000 points.
//
// Points are spread uniformly over East Africa (Kenya, Uganda, Tanzania: about 12 degrees
// by 12 degrees), queries at random places in the same box; the index is the production
// one (store/payment_point_index: Boost.Geometry R-tree over unit vectors, haversine
// distances). Also the time to build the index from the table's rows, which the locator
// pays once after every sync that changed points.
//
//   build-bench/bench/nearest_points_bench --benchmark_counters_tabular=true
#include <benchmark/benchmark.h>

#include <cstdio>
#include <random>
#include <vector>

#include "store/payment_point_index.hpp"

namespace {

using namespace mfigw;

constexpr int32_t kLatMin = -8'000'000, kLatMax = 4'000'000;  // microdegrees
constexpr int32_t kLonMin = 29'000'000, kLonMax = 41'000'000;

std::vector<store::PaymentPoint> randomPoints(std::size_t count) {
  std::mt19937 rng(42);
  std::uniform_int_distribution<int32_t> lat(kLatMin, kLatMax), lon(kLonMin, kLonMax);
  std::vector<store::PaymentPoint> points(count);
  for (std::size_t i = 0; i < count; ++i) {
    // snprintf, not "P" + to_string: g++ 12 warns falsely (-Wrestrict) on the latter.
    char id[24];
    std::snprintf(id, sizeof id, "P%zu", i);
    points[i].id = id;
    points[i].name = points[i].id;
    points[i].latitudeE6 = lat(rng);
    points[i].longitudeE6 = lon(rng);
  }
  return points;
}

void BM_Nearest3(benchmark::State& state) {
  const auto index = store::PaymentPointIndex::fromPoints(
      randomPoints(static_cast<std::size_t>(state.range(0))), 1);
  std::mt19937 rng(7);
  std::uniform_int_distribution<int32_t> lat(kLatMin, kLatMax), lon(kLonMin, kLonMax);
  for (auto _ : state) {
    const auto near = index.nearest(lat(rng), lon(rng), 3);
    benchmark::DoNotOptimize(near.data());
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Nearest3)->ArgName("points")->Arg(10'000)->Arg(1'000'000);

void BM_BuildIndex(benchmark::State& state) {
  const auto points = randomPoints(static_cast<std::size_t>(state.range(0)));
  for (auto _ : state) {
    auto copy = points;
    const auto index = store::PaymentPointIndex::fromPoints(std::move(copy), 1);
    benchmark::DoNotOptimize(index.size());
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_BuildIndex)->ArgName("points")->Arg(1'000'000)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
