// Dial-through strings: splitting them into inputs, and deriving them from a tree.
#include "menus/dial_through.hpp"

#include <algorithm>
#include <deque>
#include <set>

namespace mfigw::menus {

namespace {

bool wellFormedCode(std::string_view code) {
  return code.size() >= 3 && code.front() == '*' && code.back() == '#';
}

std::string dialString(std::string_view serviceCode, const std::vector<std::string>& keys) {
  std::string out(serviceCode.substr(0, serviceCode.size() - 1));  // without '#'
  for (const auto& key : keys)
    out += '*' + key;
  return out + '#';
}

std::string labelText(const MenuTree& tree, const MenuOption& option) {
  std::string out;
  for (const auto& part : option.label.byLanguage[tree.defaultLanguage].parts)
    out += part.variable ? "{" + part.text + "}" : part.text;
  return out;
}

}  // namespace

std::optional<std::vector<std::string>> dialThroughInputs(std::string_view dialed,
                                                          std::string_view serviceCode) {
  if (!wellFormedCode(serviceCode) || dialed.empty() || dialed.back() != '#') return std::nullopt;
  const std::string_view base = serviceCode.substr(0, serviceCode.size() - 1);
  if (dialed == serviceCode) return std::vector<std::string>{};
  if (dialed.substr(0, base.size()) != base || dialed.size() < base.size() + 2 ||
      dialed[base.size()] != '*') {
    return std::nullopt;
  }
  std::string_view rest = dialed.substr(base.size() + 1);
  rest.remove_suffix(1);  // '#'
  std::vector<std::string> inputs;
  while (true) {
    const auto star = rest.find('*');
    const std::string_view part = rest.substr(0, star);
    if (part.empty() || part.find('#') != std::string_view::npos) return std::nullopt;
    inputs.emplace_back(part);
    if (star == std::string_view::npos) break;
    rest.remove_prefix(star + 1);
  }
  return inputs;
}

std::vector<Shortcut> dialThroughShortcuts(const MenuTree& tree, std::string_view serviceCode) {
  std::vector<Shortcut> out;
  if (!wellFormedCode(serviceCode)) return out;
  const Screen* start = tree.screen(tree.start);
  if (start == nullptr || start->type != ScreenType::Menu) return out;
  struct Visit {
    const Screen* menu;
    std::vector<std::string> keys;
  };
  std::set<std::string_view> seen{start->id};
  std::deque<Visit> queue{Visit{start, {}}};
  while (!queue.empty()) {
    const Visit visit = std::move(queue.front());
    queue.pop_front();
    for (const auto& option : visit.menu->options) {
      std::vector<std::string> keys = visit.keys;
      keys.push_back(option.key);
      out.push_back(
          Shortcut{dialString(serviceCode, keys), keys, option.target, labelText(tree, option)});
      const Screen* next = tree.screen(option.target);
      // The start screen is where dialling lands anyway; other menus are explored once,
      // by their shortest path.
      if (next != nullptr && next->type == ScreenType::Menu && seen.insert(next->id).second) {
        queue.push_back(Visit{next, std::move(keys)});
      }
    }
  }
  return out;
}

}  // namespace mfigw::menus
