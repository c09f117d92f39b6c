// tests/menus/test_support.hpp: what the menus tests share.
//
// Purpose:   A TextMeasure built on smpp/text_encoding (the one the gateway will pass):
//            GSM 7-bit septets against a GSM budget (182 on the air, 160 the safe figure),
//            else UCS-2 units against 80. Paths of the test data and the shipped tree.
// Threading: Test code; single thread.
// Errors:    Text that is not UTF-8 measures as over any budget.
// Ownership: Plain values.
#pragma once

#include <cstddef>
#include <fstream>
#include <iterator>
#include <limits>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "menus/data_source.hpp"
#include "menus/menu_tree.hpp"
#include "smpp/text_encoding.hpp"
#include "smpp/text_gsm7.hpp"

namespace mfigw::menus::test {

inline TextMeasure smppMeasure(std::size_t gsmBudget = 182, std::size_t ucs2Budget = 80) {
  return [=](std::string_view text) -> TextMeasurement {
    if (const auto septets = smpp::gsm7Length(text)) return {*septets, gsmBudget};
    if (const auto units = smpp::ucs2Length(text)) return {*units, ucs2Budget};
    return {std::numeric_limits<std::size_t>::max(), 0};
  };
}

inline std::string dataPath(std::string_view name) {
  return std::string(MFIGW_SOURCE_DIR) + "/tests/menus/data/" + std::string(name);
}

inline std::string shippedTreePath() {
  return std::string(MFIGW_SOURCE_DIR) + "/menus/mfi/menu.yaml";
}

inline std::string readFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// A DataSource over plain maps, counting its calls. The PIN answers as the gateway does:
// pinStatus for the state, `pin` is the right one, a wrong one leaves triesLeftAfterWrong.
class MapData : public DataSource {
 public:
  std::map<std::string, std::string, std::less<>> values;
  std::map<std::string, std::vector<PaymentPoint>, std::less<>> points;
  std::set<std::string, std::less<>> refusedPhones;
  mutable int pointQueries = 0;

  std::optional<std::string> value(std::string_view name) const override {
    const auto it = values.find(name);
    if (it == values.end()) return std::nullopt;
    return it->second;
  }
  std::vector<PaymentPoint> paymentPointsNear(std::string_view place,
                                              std::size_t limit) const override {
    ++pointQueries;
    const auto it = points.find(place);
    if (it == points.end()) return {};
    std::vector<PaymentPoint> out = it->second;
    if (out.size() > limit) out.resize(limit);
    return out;
  }
  bool phoneAcceptable(std::string_view digits) const override {
    return refusedPhones.count(digits) == 0;
  }

  PinOutcome pinStatus = PinOutcome::NotSet;
  std::string pin;
  uint32_t triesLeftAfterWrong = 2;
  mutable std::vector<std::string> checkedPins;

  PinCheck pinState() const override { return {pinStatus, 0}; }
  PinCheck checkPin(std::string_view typed) const override {
    checkedPins.emplace_back(typed);
    if (pinStatus != PinOutcome::Ok) return {pinStatus, 0};
    if (typed == pin) return {PinOutcome::Ok, 0};
    return {PinOutcome::Wrong, triesLeftAfterWrong};
  }
};

}  // namespace mfigw::menus::test
