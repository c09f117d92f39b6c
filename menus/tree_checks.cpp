// Graph and page-budget checks over a built tree. Pages are laid out by page_layout.cpp,
// the same code the engine renders with, filled with each variable's worst-case value.
#include "menus/tree_checks.hpp"

#include <algorithm>
#include <deque>
#include <set>

#include <fmt/format.h>

#include "menus/input_validation.hpp"
#include "menus/page_layout.hpp"
#include "menus/value_format.hpp"

namespace mfigw::menus {

namespace {

struct Edge {
  const std::string* target;
  SourcePos pos;
  std::string path;
};

std::vector<Edge> edgesOf(const Screen& s) {
  std::vector<Edge> edges;
  const std::string base = "screens." + s.id;
  for (std::size_t i = 0; i < s.options.size(); ++i) {
    edges.push_back(Edge{&s.options[i].target, s.options[i].targetPos,
                         fmt::format("{}.options[{}].target", base, i)});
  }
  edges.push_back(Edge{&s.next, s.nextPos, base + ".next"});
  edges.push_back(Edge{&s.onYes, s.onYesPos, base + ".on_yes"});
  edges.push_back(Edge{&s.onNo, s.onNoPos, base + ".on_no"});
  edges.push_back(Edge{&s.onNoPin, s.onNoPinPos, base + ".on_no_pin"});
  edges.push_back(Edge{&s.onMismatch, s.onMismatchPos, base + ".on_mismatch"});
  if (s.locator.hasSms)
    edges.push_back(Edge{&s.locator.sms.next, s.locator.sms.nextPos, base + ".sms.next"});
  std::erase_if(edges, [](const Edge& e) { return e.target->empty(); });
  return edges;
}

}  // namespace

std::string worstCase(const MenuTree& tree, std::size_t language, const TextTemplate& tmpl) {
  return renderTemplate(tmpl, [&](std::string_view name) {
    const VarSpec* spec = tree.var(name);
    return spec == nullptr ? std::string() : worstCaseValue(*spec, tree.languages[language]);
  });
}

std::vector<TreeIssue> checkGraph(const MenuTree& tree, SourcePos startPos) {
  std::vector<TreeIssue> issues;
  for (const auto& [id, screen] : tree.screens) {
    for (const Edge& edge : edgesOf(screen)) {
      if (tree.screen(*edge.target) == nullptr) {
        issues.push_back(
            TreeIssue{edge.pos, edge.path, fmt::format("unknown screen '{}'", *edge.target)});
      }
    }
  }
  const Screen* start = tree.screen(tree.start);
  if (tree.start.empty()) return issues;
  if (start == nullptr) {
    issues.push_back(TreeIssue{startPos, "start", fmt::format("unknown screen '{}'", tree.start)});
    return issues;
  }
  if (start->type == ScreenType::Action) {
    issues.push_back(
        TreeIssue{startPos, "start", "the start screen must show a page, not be an action"});
  }

  std::set<std::string_view> reached{tree.start};
  std::deque<const Screen*> queue{start};
  while (!queue.empty()) {
    const Screen* s = queue.front();
    queue.pop_front();
    for (const Edge& edge : edgesOf(*s)) {
      const Screen* next = tree.screen(*edge.target);
      if (next != nullptr && reached.insert(next->id).second) queue.push_back(next);
    }
  }
  for (const auto& [id, screen] : tree.screens) {
    if (reached.count(id) == 0) {
      issues.push_back(TreeIssue{screen.pos, "screens." + id,
                                 fmt::format("unreachable: no path leads here from the start "
                                             "screen '{}'",
                                             tree.start)});
    }
  }

  // Actions run one after another without a page; a loop among them would never end.
  for (const auto& [id, screen] : tree.screens) {
    if (screen.type != ScreenType::Action) continue;
    std::vector<std::string_view> chain{id};
    const Screen* s = tree.screen(screen.next);
    while (s != nullptr && s->type == ScreenType::Action && chain.size() <= tree.screens.size()) {
      if (s->id == id) {
        // Report each loop once, at its smallest id.
        bool smallest = true;
        for (const auto other : chain)
          smallest = smallest && id <= other;
        if (smallest) {
          std::string path;
          for (const auto step : chain)
            path += std::string(step) + " -> ";
          issues.push_back(
              TreeIssue{screen.pos, "screens." + id,
                        fmt::format("actions loop without showing a page ({}{})", path, id)});
        }
        break;
      }
      chain.push_back(s->id);
      s = tree.screen(s->next);
    }
  }
  return issues;
}

std::vector<TreeIssue> planPages(MenuTree& tree, SourcePos unavailablePos, SourcePos pinLockedPos) {
  std::vector<TreeIssue> issues;
  auto over = [&](const std::string& text, TextMeasurement& m) {
    m = tree.measure(text);
    return m.units > m.budget;
  };
  for (auto& [id, screen] : tree.screens)
    screen.pages.assign(tree.languages.size(), {});

  for (std::size_t lang = 0; lang < tree.languages.size(); ++lang) {
    const std::string& code = tree.languages[lang].code;
    const Fill fill = [&](const TextTemplate& t) { return worstCase(tree, lang, t); };
    auto report = [&](SourcePos pos, std::string path, std::string_view what,
                      const TextMeasurement& m) {
      issues.push_back(
          TreeIssue{pos, std::move(path),
                    fmt::format("{} in '{}' needs {} units in the worst case; the budget is {}",
                                what, code, m.units, m.budget)});
    };
    TextMeasurement m;
    if (over(fill(tree.messages.unavailable.byLanguage[lang]), m)) {
      report(unavailablePos, "messages.unavailable", "the page", m);
    }
    if (!tree.messages.pinLocked.empty() &&
        over(fill(tree.messages.pinLocked.byLanguage[lang]), m)) {
      report(pinLockedPos, "messages.pin_locked", "the page", m);
    }

    for (auto& entry : tree.screens) {
      // Not a structured binding: the lambdas below capture it (clang 14 cannot).
      const std::string& id = entry.first;
      Screen& screen = entry.second;
      const std::string path = "screens." + id;
      const bool isStart = id == tree.start;
      PageFrame frame;
      frame.errorLine = fill(errorTemplate(tree, screen, lang));
      frame.back = !isStart;
      frame.main = !isStart;
      switch (screen.type) {
        case ScreenType::Menu: {
          auto& pages = screen.pages[lang];
          std::vector<std::size_t> current;
          const std::size_t n = screen.options.size();
          for (std::size_t i = 0; i < n; ++i) {
            const bool last = i + 1 == n;
            auto fitsWith = [&](const std::vector<std::size_t>& options, TextMeasurement& out) {
              PageFrame f = frame;
              f.back = frame.back || !pages.empty();
              f.more = true;
              const bool first = pages.empty();
              if (!over(menuPage(tree, screen, lang, fill, options, first, f), out)) return true;
              f.more = false;
              return last && !over(menuPage(tree, screen, lang, fill, options, first, f), out);
            };
            std::vector<std::size_t> candidate = current;
            candidate.push_back(i);
            TextMeasurement cm;
            if (fitsWith(candidate, cm)) {
              current = std::move(candidate);
              continue;
            }
            if (!current.empty()) {
              pages.push_back(std::move(current));
              current = {i};
              if (fitsWith(current, cm)) continue;
            } else {
              current = {i};
            }
            report(
                screen.options[i].pos, fmt::format("{}.options[{}]", path, i),
                pages.empty() ? "the first page with this option" : "a page with this option alone",
                cm);
          }
          if (!current.empty()) pages.push_back(std::move(current));
          break;
        }
        case ScreenType::Input:
          if (over(inputPage(tree, screen, lang, fill, frame), m))
            report(screen.pos, path, "the page", m);
          // Letters where digits are due show messages.digits_only instead.
          if (takesDigitsOnly(screen.validator.kind) && !tree.messages.digitsOnly.empty()) {
            PageFrame letters = frame;
            letters.errorLine = fill(tree.messages.digitsOnly.byLanguage[lang]);
            if (over(inputPage(tree, screen, lang, fill, letters), m))
              report(screen.pos, path, "the page after letters instead of digits", m);
          }
          // After a wrong PIN the error line is messages.pin_wrong instead.
          if (screen.verifiesPin() && !tree.messages.pinWrong.empty()) {
            PageFrame wrong = frame;
            wrong.errorLine = fill(tree.messages.pinWrong.byLanguage[lang]);
            if (over(inputPage(tree, screen, lang, fill, wrong), m))
              report(screen.pos, path, "the page after a wrong PIN", m);
          }
          break;
        case ScreenType::Confirm:
          if (over(confirmPage(tree, screen, lang, fill, frame), m))
            report(screen.pos, path, "the page", m);
          break;
        case ScreenType::Language:
          if (over(languagePage(tree, screen, lang, fill, frame), m))
            report(screen.pos, path, "the page", m);
          break;
        case ScreenType::Display:
        case ScreenType::End: {
          // Any input moves a display on, so it never shows an error line.
          PageFrame f;
          if (!screen.ends()) {
            f.back = frame.back;
            f.main = frame.main;
          }
          if (over(displayPage(tree, screen, lang, fill, f), m))
            report(screen.pos, path, "the page", m);
          break;
        }
        case ScreenType::Locator: {
          // As many points a page as fit, up to per_page: Arabic pages hold fewer.
          LocatorSpec& l = screen.locator;
          const std::string item = fill(l.item.byLanguage[lang]);
          std::size_t fits = 0;
          for (std::size_t k = l.perPage; k >= 1 && fits == 0; --k) {
            PageFrame f = frame;
            f.more = l.count > k;
            const std::vector<std::string> items(k, item);
            if (!over(locatorPage(tree, screen, lang, fill, items, true, f), m)) fits = k;
          }
          l.perPageByLanguage.resize(tree.languages.size(), l.perPage);
          l.perPageByLanguage[lang] = std::max<std::size_t>(fits, 1);
          // m still holds the one-point page's measure.
          if (fits == 0) report(screen.pos, path, "the first page with one point", m);
          if (over(locatorEmptyPage(tree, screen, lang, fill, frame), m)) {
            report(screen.pos, path + ".empty", "the page", m);
          }
          break;
        }
        case ScreenType::Action:
          break;  // never shown
      }
    }
  }
  return issues;
}

}  // namespace mfigw::menus
