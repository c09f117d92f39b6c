// Fuzz target for the menu loader and engine. The input is YAML text, optionally followed
// by a NUL byte and dialog inputs separated by newlines. Any bytes must give a load
// result, never a crash, a hang or an exception; a tree that loads is then walked with
// those inputs, and every page must fit the measure's budget and every session must
// survive its encoding.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

#include "menus/dial_through.hpp"
#include "menus/engine.hpp"
#include "menus/menu_loader.hpp"
#include "smpp/text_encoding.hpp"
#include "smpp/text_gsm7.hpp"

namespace {

using namespace mfigw::menus;

TextMeasurement measure(std::string_view text) {
  if (const auto septets = mfigw::smpp::gsm7Length(text)) return {*septets, 182};
  if (const auto units = mfigw::smpp::ucs2Length(text)) return {*units, 80};
  return {std::numeric_limits<std::size_t>::max(), 0};
}

// Plausible values for every declared variable, by type; a few left unknown.
class FuzzData : public DataSource {
 public:
  explicit FuzzData(const MenuTree& tree) : tree_(tree) {}

  std::optional<std::string> value(std::string_view name) const override {
    const VarSpec* spec = tree_.var(name);
    if (spec == nullptr || name.size() % 7 == 3) return std::nullopt;
    switch (spec->type) {
      case VarType::Text:
        return name.size() % 2 == 0 ? std::string("Wanjiru Njeri Kamau") : std::string("أمينة");
      case VarType::Number:
        return std::string("1234567");
      case VarType::Money:
        return name.size() % 2 == 0 ? std::string("150000") : std::string("99999999999");
      case VarType::Date:
        return std::string("2024-02-29");
      case VarType::Distance:
        return std::string("1250");
      case VarType::Flag:
        return std::string(name.size() % 2 == 0 ? "1" : "0");
      case VarType::Secret:
        break;
    }
    return std::nullopt;
  }
  std::vector<PaymentPoint> paymentPointsNear(std::string_view place,
                                              std::size_t limit) const override {
    std::vector<PaymentPoint> out;
    for (std::size_t i = 0; i < limit && i < place.size() + 2; ++i)
      out.push_back(PaymentPoint{"Point " + std::to_string(i), static_cast<uint32_t>(i * 700),
                                 "8-18", "market"});
    return out;
  }

 private:
  const MenuTree& tree_;
};

void check(bool ok) {
  if (!ok) std::abort();
}

void checkStep(const MenuTree& tree, const StepResult& r) {
  const TextMeasurement m = tree.measure(r.text);
  check(m.units <= m.budget);
  const auto decoded = decodeSession(encodeSession(r.session));
  check(decoded.has_value() && *decoded == r.session);
  check(r.session.backStack.size() <= kMaxBackStack);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view all(reinterpret_cast<const char*>(data), size);
  const std::size_t split = all.find('\0');
  const std::string_view yaml = all.substr(0, split);
  const std::string_view rest = split == std::string_view::npos ? "" : all.substr(split + 1);

  const MenuLoadResult result = loadMenuText(yaml, "fuzz.yaml", measure);
  (void)result.errorText();
  if (!result.ok()) return 0;
  const MenuTree& tree = *result.tree;

  for (const auto& shortcut : dialThroughShortcuts(tree, "*123#")) {
    const auto inputs = dialThroughInputs(shortcut.dial, "*123#");
    check(inputs.has_value() && *inputs == shortcut.keys);
  }

  const FuzzData source(tree);
  const std::string language = tree.languages[rest.size() % tree.languages.size()].code;
  StepResult r = begin(tree, language, source);
  checkStep(tree, r);
  std::string_view inputs = rest;
  for (int steps = 0; steps < 64 && r.continues() && !inputs.empty(); ++steps) {
    const std::size_t newline = inputs.find('\n');
    const std::string_view input = inputs.substr(0, newline);
    inputs = newline == std::string_view::npos ? "" : inputs.substr(newline + 1);
    r = step(tree, r.session, input, source);
    checkStep(tree, r);
  }
  return 0;
}
