// Page layout shared by the loader's worst-case proof and the engine's rendering.
#include "menus/page_layout.hpp"

namespace mfigw::menus {

std::string optionLine(std::string_view key, std::string_view label) {
  std::string line(key);
  line += ' ';
  line += label;
  return line;
}

std::string layoutPage(const MenuTree& tree, std::size_t language, const Fill& fill,
                       const PageFrame& frame, std::string_view header,
                       const std::vector<std::string>& lines) {
  std::string out;
  auto add = [&out](std::string_view block) {
    if (block.empty()) return;
    if (!out.empty()) out += '\n';
    out += block;
  };
  add(frame.errorLine);
  add(header);
  for (const auto& line : lines)
    add(line);
  if (frame.more) add(optionLine(tree.nav.more, fill(tree.labels.more.byLanguage[language])));
  // Back and main share one line: two short items, one line break saved.
  std::string footer;
  if (frame.back) footer = optionLine(tree.nav.back, fill(tree.labels.back.byLanguage[language]));
  if (frame.main) {
    if (!footer.empty()) footer += ' ';
    footer += optionLine(tree.nav.main, fill(tree.labels.main.byLanguage[language]));
  }
  add(footer);
  return out;
}

std::string menuPage(const MenuTree& tree, const Screen& screen, std::size_t language,
                     const Fill& fill, const std::vector<std::size_t>& options, bool withHeader,
                     const PageFrame& frame) {
  std::vector<std::string> lines;
  lines.reserve(options.size());
  for (const std::size_t i : options) {
    const MenuOption& option = screen.options[i];
    lines.push_back(optionLine(option.key, fill(option.label.byLanguage[language])));
  }
  const std::string header = withHeader ? fill(screen.text.byLanguage[language]) : std::string();
  return layoutPage(tree, language, fill, frame, header, lines);
}

std::string inputPage(const MenuTree& tree, const Screen& screen, std::size_t language,
                      const Fill& fill, const PageFrame& frame) {
  std::vector<std::string> lines;
  if (screen.validator.kind == ValidatorKind::Choice) {
    for (const auto& choice : screen.validator.choices)
      lines.push_back(optionLine(choice.key, fill(choice.label.byLanguage[language])));
  }
  return layoutPage(tree, language, fill, frame, fill(screen.text.byLanguage[language]), lines);
}

std::string confirmPage(const MenuTree& tree, const Screen& screen, std::size_t language,
                        const Fill& fill, const PageFrame& frame) {
  const std::vector<std::string> lines{
      optionLine(tree.nav.yes, fill(tree.labels.yes.byLanguage[language])),
      optionLine(tree.nav.no, fill(tree.labels.no.byLanguage[language])),
  };
  return layoutPage(tree, language, fill, frame, fill(screen.text.byLanguage[language]), lines);
}

std::string languagePage(const MenuTree& tree, const Screen& screen, std::size_t language,
                         const Fill& fill, const PageFrame& frame) {
  std::vector<std::string> lines;
  for (std::size_t i = 0; i < tree.languages.size(); ++i)
    lines.push_back(optionLine(std::to_string(i + 1), tree.languages[i].name));
  return layoutPage(tree, language, fill, frame, fill(screen.text.byLanguage[language]), lines);
}

std::string displayPage(const MenuTree& tree, const Screen& screen, std::size_t language,
                        const Fill& fill, const PageFrame& frame) {
  return layoutPage(tree, language, fill, frame, fill(screen.text.byLanguage[language]), {});
}

std::string locatorPage(const MenuTree& tree, const Screen& screen, std::size_t language,
                        const Fill& fill, const std::vector<std::string>& items, bool withHeader,
                        const PageFrame& frame) {
  std::vector<std::string> lines = items;
  const LocatorSpec& spec = screen.locator;
  if (spec.hasSms)
    lines.push_back(optionLine(spec.sms.key, fill(spec.sms.label.byLanguage[language])));
  const std::string header = withHeader ? fill(screen.text.byLanguage[language]) : std::string();
  return layoutPage(tree, language, fill, frame, header, lines);
}

std::string locatorEmptyPage(const MenuTree& tree, const Screen& screen, std::size_t language,
                             const Fill& fill, const PageFrame& frame) {
  return layoutPage(tree, language, fill, frame, fill(screen.locator.empty.byLanguage[language]),
                    {});
}

const TextTemplate& errorTemplate(const MenuTree& tree, const Screen& screen, std::size_t language,
                                  bool notDigits) {
  if (screen.type == ScreenType::Input) {
    if (notDigits && !tree.messages.digitsOnly.empty())
      return tree.messages.digitsOnly.byLanguage[language];
    if (!screen.error.empty()) return screen.error.byLanguage[language];
    return tree.messages.invalidInput.byLanguage[language];
  }
  return tree.messages.invalidOption.byLanguage[language];
}

}  // namespace mfigw::menus
