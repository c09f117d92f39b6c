// The menu engine. One Walk object per call holds the copy of the session being advanced;
// nothing outlives the call.
#include "menus/engine.hpp"

#include <algorithm>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "menus/input_validation.hpp"
#include "menus/page_layout.hpp"
#include "menus/utf8_text.hpp"
#include "menus/value_format.hpp"

namespace mfigw::menus {

std::string_view toString(StepStatus status) {
  switch (status) {
    case StepStatus::Continue:
      return "continue";
    case StepStatus::End:
      return "end";
    case StepStatus::Error:
      return "error";
  }
  return "?";
}

namespace {

// The loader rejects loops among actions; this bounds a chain anyway.
constexpr int kMaxActionHops = 16;

bool truthy(std::string_view v) {
  return v == "1" || v == "true" || v == "yes";
}

std::string_view trimSpaces(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\r' || s.front() == '\n'))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\r' || s.back() == '\n'))
    s.remove_suffix(1);
  return s;
}

class Walk {
 public:
  Walk(const MenuTree& tree, const DataSource& data, Session session)
      : tree_(tree), data_(data), s_(std::move(session)) {
    const int index = tree_.languageIndex(s_.language);
    lang_ = index < 0 ? tree_.defaultLanguage : static_cast<std::size_t>(index);
    s_.language = tree_.languages[lang_].code;
  }

  StepResult begin();
  StepResult input(std::string_view input);

 private:
  // Values
  [[nodiscard]] std::optional<std::string> raw(std::string_view name) const;
  [[nodiscard]] std::optional<std::string> computed(const VarSpec& spec) const;
  [[nodiscard]] std::string render(const TextTemplate& tmpl) const;
  // A locator item: the template with the point_* variables of one point.
  std::string renderPoint(const TextTemplate& tmpl, const PaymentPoint& point);
  [[nodiscard]] bool holds(const Condition& condition) const;
  [[nodiscard]] Fill fill() const {
    return [this](const TextTemplate& t) { return render(t); };
  }

  // Moves
  bool go(const std::string& target);  // push the current screen, then enter target
  bool enter(std::string id);          // runs actions on the way; false on failure
  bool runAction(const Screen& screen);
  [[nodiscard]] std::vector<PaymentPoint> points(const Screen& screen) const;

  // Menu pages that show something at runtime: page 0 always (it has the header), others
  // when one of their options is visible.
  [[nodiscard]] bool pageShows(const Screen& screen, std::size_t page) const;
  [[nodiscard]] std::optional<std::size_t> nextPage(const Screen& screen) const;
  [[nodiscard]] std::optional<std::size_t> previousPage(const Screen& screen) const;

  // Results
  StepResult page(const std::string& errorLine = {});
  StepResult popBack();  // the previous screen, at the page it was left on
  // A well-formed PIN typed on `screen`: verified, compared or just kept.
  StepResult pinInput(const Screen& screen, const std::string& pin);
  void addEffect(EffectValue value, const Screen& screen);
  StepResult invalid(const Screen& screen, bool notDigits = false) {
    return page(render(errorTemplate(tree_, screen, lang_, notDigits)));
  }
  StepResult fail(std::string problem);
  StepResult finish(StepStatus status, std::string text);
  std::string fit(std::string text, bool& trimmed) const;

  const MenuTree& tree_;
  const DataSource& data_;
  Session s_;
  std::size_t lang_ = 0;
  std::vector<Effect> effects_;
  std::string problem_;
  // point_* while rendering a locator item, pin_tries while rendering messages.pin_wrong.
  std::map<std::string_view, std::string> overrides_;
  std::vector<std::string> typedSecrets_;  // secrets written in this step
};

std::optional<std::string> Walk::raw(std::string_view name) const {
  if (const auto it = overrides_.find(name); it != overrides_.end()) return it->second;
  const VarSpec* spec = tree_.var(name);
  if (spec == nullptr) return std::nullopt;
  if (spec->type == VarType::Secret) {
    const auto it = s_.secrets.find(name);
    if (it == s_.secrets.end()) return std::nullopt;
    return it->second;
  }
  if (spec->formula != VarSpec::Formula::None) return computed(*spec);
  if (spec->session) {
    const auto it = s_.vars.find(name);
    if (it == s_.vars.end()) return std::nullopt;
    return it->second;
  }
  return data_.value(name);
}

std::optional<std::string> Walk::computed(const VarSpec& spec) const {
  std::vector<int64_t> values;
  for (const std::string& operand : spec.operands) {
    const auto text = raw(operand);
    int64_t n = 0;
    if (!text || !parseInt64(*text, n)) return std::nullopt;  // shown as "-"
    values.push_back(n);
  }
  int64_t out = 0;
  if (spec.formula == VarSpec::Formula::Share) {
    // of * bp / 10000, half up; amounts on a phone stay far below the overflow bound.
    const int64_t of = values[0], bp = values[1];
    int64_t product = 0;
    if (of < 0 || bp < 0 || __builtin_mul_overflow(of, bp, &product) || product > INT64_MAX - 5000)
      return std::nullopt;
    out = (product + 5000) / 10000;
  } else {
    for (const int64_t v : values)
      if (__builtin_add_overflow(out, v, &out)) return std::nullopt;
  }
  return std::to_string(out);
}

std::string Walk::render(const TextTemplate& tmpl) const {
  return renderTemplate(tmpl, [this](std::string_view name) -> std::string {
    const VarSpec* spec = tree_.var(name);
    if (spec == nullptr) return {};
    const auto value = raw(name);
    if (!value) return spec->type == VarType::Text ? std::string() : std::string("-");
    return formatValue(*spec, *value, tree_.languages[lang_]);
  });
}

std::string Walk::renderPoint(const TextTemplate& tmpl, const PaymentPoint& point) {
  overrides_ = {{kPointName, point.name},
                {kPointDistance, std::to_string(point.distanceMeters)},
                {kPointHours, point.hours},
                {kPointLandmark, point.landmark}};
  std::string out = render(tmpl);
  overrides_.clear();
  return out;
}

bool Walk::holds(const Condition& condition) const {
  if (condition.var.empty()) return true;
  const auto value = raw(condition.var);
  const bool set = value && truthy(*value);
  return set != condition.negated;
}

bool Walk::go(const std::string& target) {
  s_.backStack.push_back(BackEntry{s_.screen, s_.page});
  if (s_.backStack.size() > kMaxBackStack) s_.backStack.erase(s_.backStack.begin());
  return enter(target);
}

bool Walk::enter(std::string id) {
  for (int hops = 0;; ++hops) {
    const Screen* screen = tree_.screen(id);
    if (screen == nullptr) {
      problem_ = fmt::format("unknown screen '{}'", id);
      return false;
    }
    // The start screen is "main": nothing to go back to from there.
    if (id == tree_.start) s_.backStack.clear();
    if (screen->verifiesPin() && data_.pinState().outcome == PinOutcome::NotSet) {
      // Nothing to verify yet: the tree's PIN creation screen instead.
      if (hops >= kMaxActionHops) {
        problem_ = "too many screens in a row without a page";
        return false;
      }
      id = screen->onNoPin;
      continue;
    }
    if (screen->type != ScreenType::Action) {
      s_.screen = std::move(id);
      s_.page = 0;
      return true;
    }
    if (hops >= kMaxActionHops) {
      problem_ = "too many actions in a row";
      return false;
    }
    if (!runAction(*screen)) return false;
    // An action is a commit point: going back past it could confirm a request twice.
    s_.backStack.clear();
    id = screen->next;
  }
}

bool Walk::runAction(const Screen& screen) {
  const ActionSpec& a = screen.action;
  bool missing = false;
  auto param = [&](std::string_view name, bool required) -> std::string {
    const auto it = a.params.find(name);
    if (it == a.params.end()) return {};
    auto value = raw(it->second);
    if (!value && required) {
      missing = true;
      problem_ = fmt::format("action '{}': no value for '{}' ({})", screen.id, name, it->second);
    }
    return value.value_or(std::string());
  };
  auto number = [&](std::string_view name, bool required) -> std::optional<int64_t> {
    const std::string text = param(name, required);
    int64_t n = 0;
    if (text.empty() && !required) return std::nullopt;
    if (!parseInt64(text, n)) {
      if (!missing) {
        missing = true;
        problem_ = fmt::format("action '{}': '{}' is not a number", screen.id, name);
      }
      return std::nullopt;
    }
    return n;
  };
  Effect effect;
  effect.screen = screen.id;
  effect.tag = a.tag;
  effect.language = s_.language;
  effect.step = s_.steps;
  switch (a.effect) {
    case EffectType::CreditRequest: {
      CreditRequest e;
      e.amountMinor = number("amount", true).value_or(0);
      if (const auto it = a.params.find("amount"); it != a.params.end()) {
        e.currency = tree_.var(it->second)->currency;
      }
      e.termDays = number("term", false);
      e.product = param("product", false);
      e.pin = param("pin", false);
      effect.value = std::move(e);
      break;
    }
    case EffectType::DeferralRequest: {
      DeferralRequest e;
      e.installment = param("installment", true);
      e.days = number("days", true).value_or(0);
      e.reason = param("reason", false);
      e.pin = param("pin", false);
      effect.value = std::move(e);
      break;
    }
    case EffectType::Referral:
      effect.value = Referral{param("phone", false), param("note", false)};
      break;
    case EffectType::SurveyAnswer:
      effect.value = SurveyAnswer{a.tag, param("answer", true)};
      break;
    case EffectType::SendSms:
      effect.value = SendSms{param("to", false), render(a.smsText.byLanguage[lang_])};
      break;
    case EffectType::PinSet:
      effect.value = PinSet{param("pin", true)};
      break;
  }
  if (missing) return false;
  effects_.push_back(std::move(effect));
  return true;
}

std::vector<PaymentPoint> Walk::points(const Screen& screen) const {
  const auto place = raw(screen.locator.place);
  if (!place || place->empty()) return {};
  auto found = data_.paymentPointsNear(*place, screen.locator.count);
  if (found.size() > screen.locator.count) found.resize(screen.locator.count);
  return found;
}

bool Walk::pageShows(const Screen& screen, std::size_t page) const {
  if (page == 0) return true;
  const auto& pages = screen.pages[lang_];
  if (page >= pages.size()) return false;
  return std::any_of(pages[page].begin(), pages[page].end(),
                     [&](std::size_t i) { return holds(screen.options[i].when); });
}

std::optional<std::size_t> Walk::nextPage(const Screen& screen) const {
  for (std::size_t p = s_.page + 1; p < screen.pages[lang_].size(); ++p)
    if (pageShows(screen, p)) return p;
  return std::nullopt;
}

std::optional<std::size_t> Walk::previousPage(const Screen& screen) const {
  for (std::size_t p = s_.page; p-- > 0;)
    if (pageShows(screen, p)) return p;
  return std::nullopt;
}

std::string Walk::fit(std::string text, bool& trimmed) const {
  // Last resort: the loader proved every page fits when variables keep their declared
  // bounds; a gateway value that breaks them must not make the network reject the page.
  for (TextMeasurement m = tree_.measure(text); m.units > m.budget && !text.empty();
       m = tree_.measure(text)) {
    text = std::string(dropLastCharacter(text));
    trimmed = true;
  }
  return text;
}

StepResult Walk::finish(StepStatus status, std::string text) {
  StepResult result;
  result.status = status;
  result.text = fit(std::move(text), result.trimmed);
  s_.ended = status != StepStatus::Continue;
  // A PIN lives for the step that typed it, never in the encoded session; a new PIN that a
  // repeat is compared with (carried) also for the next step, in Session::secrets only.
  std::erase_if(s_.vars, [&](const auto& kv) {
    const VarSpec* spec = tree_.var(kv.first);
    return spec == nullptr || spec->type == VarType::Secret;
  });
  std::erase_if(s_.secrets, [&](const auto& kv) {
    const VarSpec* spec = tree_.var(kv.first);
    const bool typedNow =
        std::find(typedSecrets_.begin(), typedSecrets_.end(), kv.first) != typedSecrets_.end();
    return s_.ended || spec == nullptr || !spec->carried || !typedNow;
  });
  result.session = std::move(s_);
  if (status != StepStatus::Error) result.effects = std::move(effects_);
  result.problem = std::move(problem_);
  return result;
}

StepResult Walk::fail(std::string problem) {
  problem_ = std::move(problem);
  effects_.clear();
  return finish(StepStatus::Error, render(tree_.messages.unavailable.byLanguage[lang_]));
}

StepResult Walk::page(const std::string& errorLine) {
  const Screen* screen = tree_.screen(s_.screen);
  if (screen == nullptr || screen->type == ScreenType::Action) {
    return fail(fmt::format("cannot show screen '{}'", s_.screen));
  }
  if (screen->verifiesPin() && data_.pinState().outcome == PinOutcome::Locked) {
    return finish(StepStatus::End, render(tree_.messages.pinLocked.byLanguage[lang_]));
  }
  PageFrame frame;
  frame.errorLine = errorLine;
  frame.back = !s_.backStack.empty() || s_.page > 0;
  frame.main = s_.screen != tree_.start;
  std::string text;
  switch (screen->type) {
    case ScreenType::Menu: {
      const auto& pages = screen->pages[lang_];
      if (s_.page >= pages.size()) s_.page = 0;
      std::vector<std::size_t> shown;
      for (const std::size_t i : pages[s_.page])
        if (holds(screen->options[i].when)) shown.push_back(i);
      frame.more = nextPage(*screen).has_value();
      text = menuPage(tree_, *screen, lang_, fill(), shown, s_.page == 0, frame);
      break;
    }
    case ScreenType::Input:
      text = inputPage(tree_, *screen, lang_, fill(), frame);
      break;
    case ScreenType::Confirm:
      text = confirmPage(tree_, *screen, lang_, fill(), frame);
      break;
    case ScreenType::Language:
      text = languagePage(tree_, *screen, lang_, fill(), frame);
      break;
    case ScreenType::Display:
    case ScreenType::End:
      if (screen->ends()) frame = PageFrame{};
      text = displayPage(tree_, *screen, lang_, fill(), frame);
      break;
    case ScreenType::Locator: {
      const auto found = points(*screen);
      if (found.empty()) {
        frame.back = !s_.backStack.empty();
        text = locatorEmptyPage(tree_, *screen, lang_, fill(), frame);
        break;
      }
      const std::size_t perPage = screen->locator.perPageByLanguage[lang_];
      if (static_cast<std::size_t>(s_.page) * perPage >= found.size()) s_.page = 0;
      std::vector<std::string> items;
      for (std::size_t i = s_.page * perPage; i < found.size() && i < (s_.page + 1) * perPage; ++i)
        items.push_back(renderPoint(screen->locator.item.byLanguage[lang_], found[i]));
      frame.more = (s_.page + 1) * perPage < found.size();
      text = locatorPage(tree_, *screen, lang_, fill(), items, s_.page == 0, frame);
      break;
    }
    case ScreenType::Action:
      break;  // handled above
  }
  return finish(screen->ends() ? StepStatus::End : StepStatus::Continue, std::move(text));
}

StepResult Walk::popBack() {
  BackEntry back = std::move(s_.backStack.back());
  s_.backStack.pop_back();
  s_.screen = std::move(back.screen);
  s_.page = back.page;
  return page();
}

void Walk::addEffect(EffectValue value, const Screen& screen) {
  Effect effect;
  effect.value = std::move(value);
  effect.screen = screen.id;
  effect.language = s_.language;
  effect.step = s_.steps;
  effects_.push_back(std::move(effect));
}

StepResult Walk::pinInput(const Screen& screen, const std::string& pin) {
  const Validator& v = screen.validator;
  if (v.verify) {
    const PinCheck check = data_.checkPin(pin);
    switch (check.outcome) {
      case PinOutcome::Ok:
        addEffect(PinAttempt{true}, screen);
        break;
      case PinOutcome::Wrong:
        addEffect(PinAttempt{false}, screen);
        if (check.triesLeft == 0) {
          return finish(StepStatus::End, render(tree_.messages.pinLocked.byLanguage[lang_]));
        }
        overrides_ = {{kPinTries, std::to_string(check.triesLeft)}};
        {
          const std::string line = render(tree_.messages.pinWrong.byLanguage[lang_]);
          overrides_.clear();
          return page(line);
        }
      case PinOutcome::Locked:
        return finish(StepStatus::End, render(tree_.messages.pinLocked.byLanguage[lang_]));
      case PinOutcome::NotSet:
        if (!go(screen.onNoPin)) return fail(problem_);
        return page();
    }
  }
  if (!v.sameAs.empty()) {
    const auto first = raw(v.sameAs);
    if (!first || *first != pin) {
      if (!go(screen.onMismatch)) return fail(problem_);
      return page();
    }
  }
  s_.secrets[screen.store] = pin;
  typedSecrets_.push_back(screen.store);
  if (!go(screen.next)) return fail(problem_);
  return page();
}

StepResult Walk::begin() {
  s_.treeVersion = tree_.version;
  if (!enter(tree_.start)) return fail(problem_);
  return page();
}

StepResult Walk::input(std::string_view typed) {
  if (s_.treeVersion != tree_.version) {
    return fail(
        fmt::format("session is for tree version {}, not {}", s_.treeVersion, tree_.version));
  }
  if (s_.ended) return fail("the dialog has ended");
  const Screen* screen = tree_.screen(s_.screen);
  if (screen == nullptr || screen->type == ScreenType::Action || screen->ends()) {
    return fail(fmt::format("session is on screen '{}', which cannot take input", s_.screen));
  }
  ++s_.steps;
  const std::string_view in = trimSpaces(typed);
  if (in.size() > kMaxInputBytes) return invalid(*screen);
  const Navigation& nav = tree_.nav;
  const bool paged = screen->type == ScreenType::Menu || screen->type == ScreenType::Locator;

  if (screen->type == ScreenType::Display) {
    // A display that goes on takes any input as "next", so it never shows an error line;
    // back and main still work when they can.
    if (in == nav.back && !s_.backStack.empty()) return popBack();
    if (in == nav.main && s_.screen != tree_.start) {
      s_.backStack.clear();
      if (!enter(tree_.start)) return fail(problem_);
      return page();
    }
    if (!go(screen->next)) return fail(problem_);
    return page();
  }
  if (in == nav.main) {
    if (s_.screen == tree_.start && s_.page == 0) return invalid(*screen);
    s_.backStack.clear();
    if (!enter(tree_.start)) return fail(problem_);
    return page();
  }
  if (in == nav.back) {
    if (s_.page > 0) {
      // Locator pages are all shown; menu pages may be hidden by their conditions.
      s_.page = screen->type == ScreenType::Menu ? previousPage(*screen).value_or(0) : s_.page - 1;
      return page();
    }
    if (s_.backStack.empty()) return invalid(*screen);
    return popBack();
  }
  if (in == nav.more && paged) {
    if (screen->type == ScreenType::Menu) {
      const auto next = nextPage(*screen);
      if (!next) return invalid(*screen);
      s_.page = static_cast<uint32_t>(*next);
    } else {
      const std::size_t perPage = screen->locator.perPageByLanguage[lang_];
      if ((s_.page + 1) * perPage >= points(*screen).size()) return invalid(*screen);
      ++s_.page;
    }
    return page();
  }

  switch (screen->type) {
    case ScreenType::Menu:
      // Any visible option counts, on whichever page: dial-through strings and users
      // who remember a number skip the paging.
      for (const auto& option : screen->options) {
        if (option.key != in || !holds(option.when)) continue;
        for (const auto& [name, value] : option.sets)
          s_.vars[name] = value;
        if (!go(option.target)) return fail(problem_);
        return page();
      }
      return invalid(*screen);
    case ScreenType::Input: {
      const VarSpec* store = tree_.var(screen->store);
      const InputCheck check = checkInput(
          screen->validator, in, store != nullptr ? store->decimals : 0,
          [this](std::string_view name) { return raw(name); }, data_);
      if (check.verdict == InputVerdict::Unavailable) {
        return fail(fmt::format("input '{}': {}", screen->id, check.reason));
      }
      if (check.verdict == InputVerdict::Rejected) return invalid(*screen, check.notDigits);
      if (screen->validator.kind == ValidatorKind::Pin) return pinInput(*screen, check.value);
      s_.vars[screen->store] = check.value;
      if (!go(screen->next)) return fail(problem_);
      return page();
    }
    case ScreenType::Confirm:
      if (in != nav.yes && in != nav.no) return invalid(*screen);
      if (!go(in == nav.yes ? screen->onYes : screen->onNo)) return fail(problem_);
      return page();
    case ScreenType::Language: {
      int64_t choice = 0;
      if (!parseInt64(in, choice) || choice < 1 ||
          choice > static_cast<int64_t>(tree_.languages.size())) {
        return invalid(*screen);
      }
      lang_ = static_cast<std::size_t>(choice - 1);
      s_.language = tree_.languages[lang_].code;
      Effect effect;
      effect.value = LanguageChosen{s_.language};
      effect.screen = screen->id;
      effect.language = s_.language;
      effect.step = s_.steps;
      effects_.push_back(std::move(effect));
      if (!go(screen->next)) return fail(problem_);
      return page();
    }
    case ScreenType::Locator: {
      const LocatorSpec& l = screen->locator;
      if (!l.hasSms || in != l.sms.key) return invalid(*screen);
      const auto found = points(*screen);
      if (found.empty()) return invalid(*screen);
      // The SMS has room for every point, not just one page of them.
      std::string list = render(screen->text.byLanguage[lang_]);
      for (const auto& p : found)
        list += '\n' + renderPoint(l.item.byLanguage[lang_], p);
      Effect effect;
      effect.value = SendSms{{}, std::move(list)};
      effect.screen = screen->id;
      effect.language = s_.language;
      effect.step = s_.steps;
      effects_.push_back(std::move(effect));
      if (!go(l.sms.next)) return fail(problem_);
      return page();
    }
    case ScreenType::Display:
    case ScreenType::Action:
    case ScreenType::End:
      break;  // handled above
  }
  return invalid(*screen);
}

}  // namespace

StepResult begin(const MenuTree& tree, std::string_view language, const DataSource& data) {
  Session session;
  session.language = std::string(language);
  return Walk(tree, data, std::move(session)).begin();
}

StepResult step(const MenuTree& tree, const Session& session, std::string_view input,
                const DataSource& data) {
  return Walk(tree, data, session).input(input);
}

StepResult run(const MenuTree& tree, std::string_view language,
               const std::vector<std::string>& inputs, const DataSource& data) {
  StepResult result = begin(tree, language, data);
  std::vector<Effect> effects = std::move(result.effects);
  for (const auto& input : inputs) {
    if (!result.continues()) break;
    result = step(tree, result.session, input, data);
    effects.insert(effects.end(), result.effects.begin(), result.effects.end());
  }
  result.effects = std::move(effects);
  return result;
}

}  // namespace mfigw::menus
