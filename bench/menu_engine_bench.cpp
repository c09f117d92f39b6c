// The menu engine on the shipped tree: USSD steps per second on one core.
//
// One step is what the gateway does per request around the pure engine: decode the stored
// session, step, encode the new session. Two dialogs: a navigation walk that keeps the
// dialog alive (welcome -> payment points -> back, the commonest traffic), and a whole loan
// request (amount, term, confirm) that ends in an effect. The PIN screen is left out: its
// cost is argon2id, measured on its own.
//
//   build-bench/bench/menu_engine_bench --benchmark_counters_tabular=true
#include <benchmark/benchmark.h>

#include <map>
#include <string>
#include <vector>

#include "gateway/ussd_page_measure.hpp"
#include "menus/data_source.hpp"
#include "menus/engine.hpp"
#include "menus/menu_loader.hpp"
#include "menus/session.hpp"

namespace {

using namespace mfigw;

// The values a borrower's snapshot gives the shipped tree.
class SnapshotValues : public menus::DataSource {
 public:
  std::optional<std::string> value(std::string_view name) const override {
    const auto it = values_.find(std::string(name));
    if (it == values_.end()) return std::nullopt;
    return it->second;
  }
  std::vector<menus::PaymentPoint> paymentPointsNear(std::string_view,
                                                     std::size_t limit) const override {
    std::vector<menus::PaymentPoint> out = {{"Duka la Mama", 350, "Mon-Sat 8-18", "market"},
                                            {"Agent 42", 900, "daily 7-21", "stage"},
                                            {"Branch 7", 1800, "Mon-Fri 8-17", "post office"}};
    if (out.size() > limit) out.resize(limit);
    return out;
  }

 private:
  std::map<std::string, std::string> values_ = {
      {"client_name", "Wanjiru"}, {"balance", "1250000"},      {"next_amount", "250000"},
      {"next_due", "2026-12-01"}, {"second_amount", "250000"}, {"second_due", "2027-01-01"},
      {"has_second", "1"},        {"as_of", "2026-11-22"},     {"can_borrow", "1"},
      {"can_defer", "1"},         {"loan_min", "500000"},      {"loan_max", "5000000"},
      {"officer_name", "Joseph"}, {"home_branch", "7"}};
};

const menus::MenuTree& shippedTree() {
  static const menus::MenuLoadResult loaded =
      menus::loadMenuFile(MFIGW_SOURCE_DIR "/menus/mfi/menu.yaml", gateway::ussdPageMeasure());
  if (!loaded.ok()) throw std::runtime_error(loaded.errorText());
  return *loaded.tree;
}

// Runs one dialog the way UssdService does (session stored as bytes between steps) and
// returns the number of steps taken.
std::size_t dialog(const menus::MenuTree& tree, const menus::DataSource& data,
                   const std::vector<std::string>& inputs, std::string_view language) {
  menus::StepResult r = menus::begin(tree, language, data);
  std::string stored = menus::encodeSession(r.session);
  std::size_t steps = 1;
  for (const std::string& input : inputs) {
    if (!r.continues()) break;
    const auto session = menus::decodeSession(stored);
    r = menus::step(tree, *session, input, data);
    stored = menus::encodeSession(r.session);
    benchmark::DoNotOptimize(r.text.data());
    ++steps;
  }
  return steps;
}

void runDialog(benchmark::State& state, const std::vector<std::string>& inputs) {
  const menus::MenuTree& tree = shippedTree();
  const SnapshotValues data;
  const std::string language = state.range(0) == 0 ? "en" : "ar";
  std::size_t steps = 0;
  for (auto _ : state)
    steps += dialog(tree, data, inputs, language);
  state.counters["steps_per_s"] =
      benchmark::Counter(static_cast<double>(steps), benchmark::Counter::kIsRate);
}

void BM_NavigationWalk(benchmark::State& state) {
  runDialog(state, {"4", "1", "0", "0", "4", "1", "98", "0"});
}
BENCHMARK(BM_NavigationWalk)->ArgName("arabic")->Arg(0)->Arg(1);

void BM_LoanRequest(benchmark::State& state) {
  runDialog(state, {"2", "1", "10000", "1", "1"});
}
BENCHMARK(BM_LoanRequest)->ArgName("arabic")->Arg(0)->Arg(1);

}  // namespace

BENCHMARK_MAIN();
