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
#include <string>
#include <string_view>

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

}  // namespace mfigw::menus::test
