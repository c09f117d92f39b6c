// The menu loader's screen reading: each screen type's keys, options, validators, actions
// and locators, with the variable and key rules that apply to them.
#include <algorithm>
#include <cstdint>
#include <map>
#include <memory>
#include <regex>
#include <utility>

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include "menus/menu_reader.hpp"
#include "menus/utf8_text.hpp"
#include "menus/value_format.hpp"

namespace mfigw::menus {

namespace {

// Patterns run on what users type, so matching must stay cheap whatever the pattern:
// libstdc++'s polynomial-time executor (no back-references; a pattern with one is
// rejected at load), and a cap on repetition bounds, which the compiler expands into states.
#if defined(__GLIBCXX__)
constexpr auto kRegexSyntax = std::regex::ECMAScript | std::regex_constants::__polynomial;
#else
constexpr auto kRegexSyntax = std::regex::ECMAScript;
#endif
constexpr int64_t kMaxRepeat = 30;

// The largest number inside {...} in a pattern (0 if none).
int64_t largestRepeat(std::string_view pattern) {
  int64_t largest = 0;
  bool inBraces = false;
  int64_t current = 0;
  for (std::size_t i = 0; i < pattern.size(); ++i) {
    const char c = pattern[i];
    if (c == '\\') {
      ++i;  // an escaped character is literal
      continue;
    }
    if (c == '{') {
      inBraces = true;
      current = 0;
    } else if (!inBraces) {
      continue;
    } else if (c >= '0' && c <= '9') {
      current = std::min<int64_t>(current * 10 + (c - '0'), 1'000'000);
      largest = std::max(largest, current);
    } else if (c == ',') {
      current = 0;
    } else {
      inBraces = false;
    }
  }
  return largest;
}

// Which parameters each effect takes: name, required, allowed variable types (empty: any
// shown type).
struct ParamSpec {
  std::string_view name;
  bool required;
  std::vector<VarType> types;
};

const std::vector<ParamSpec>& paramsOf(EffectType effect) {
  static const std::vector<ParamSpec> credit{
      {"amount", true, {VarType::Money}},
      {"term", false, {VarType::Number}},
      {"product", false, {}},
      {"pin", false, {VarType::Secret}},
  };
  static const std::vector<ParamSpec> deferral{
      {"installment", true, {}},
      {"days", true, {VarType::Number}},
      {"reason", false, {}},
      {"pin", false, {VarType::Secret}},
  };
  static const std::vector<ParamSpec> referral{
      {"phone", false, {VarType::Text}},
      {"note", false, {}},
  };
  static const std::vector<ParamSpec> survey{{"answer", true, {}}};
  static const std::vector<ParamSpec> sms{{"to", false, {VarType::Text}}};
  static const std::vector<ParamSpec> pinSet{{"pin", true, {VarType::Secret}}};
  switch (effect) {
    case EffectType::CreditRequest:
      return credit;
    case EffectType::DeferralRequest:
      return deferral;
    case EffectType::Referral:
      return referral;
    case EffectType::SurveyAnswer:
      return survey;
    case EffectType::SendSms:
      break;
    case EffectType::PinSet:
      return pinSet;
  }
  return sms;
}

}  // namespace

void MenuReader::readScreen(const Entry& e) {
  Screen s;
  s.id = e.name;
  s.pos = posOf(e.key.Mark());
  s.text = emptyTranslated();
  s.error = Translated{};
  static const std::map<std::string_view, ScreenType> kTypes{
      {"menu", ScreenType::Menu},         {"input", ScreenType::Input},
      {"display", ScreenType::Display},   {"confirm", ScreenType::Confirm},
      {"action", ScreenType::Action},     {"locator", ScreenType::Locator},
      {"language", ScreenType::Language}, {"end", ScreenType::End},
  };
  static const std::map<ScreenType, std::vector<std::string_view>> kKeys{
      {ScreenType::Menu, {"type", "text", "options"}},
      {ScreenType::Input,
       {"type", "text", "store", "validate", "error", "next", "on_no_pin", "on_mismatch"}},
      {ScreenType::Display, {"type", "text", "next"}},
      {ScreenType::Confirm, {"type", "text", "on_yes", "on_no"}},
      {ScreenType::Action, {"type", "effect", "params", "tag", "message", "next"}},
      {ScreenType::Locator, {"type", "text", "place", "count", "per_page", "item", "empty", "sms"}},
      {ScreenType::Language, {"type", "text", "next"}},
      {ScreenType::End, {"type", "text"}},
  };
  bool typed = false;
  if (e.value.IsMap()) {
    const YAML::Node t = e.value["type"];
    if (t.IsScalar()) {
      const auto type = kTypes.find(t.Scalar());
      if (type != kTypes.end()) {
        s.type = type->second;
        typed = true;
      } else {
        error(t.Mark(), e.path + ".type",
              fmt::format("unknown screen type '{}' (menu, input, display, confirm, action, "
                          "locator, language, end)",
                          t.Scalar()));
      }
    } else {
      error(e.mark(), e.path, "missing key 'type' (menu, input, display, ...)");
    }
  } else {
    error(e.mark(), e.path, fmt::format("expected a map, got {}", kindName(e.value)));
  }
  if (!typed) {
    screenTypesKnown_ = false;
    tree_.screens.emplace(s.id, std::move(s));
    return;
  }
  const Fields f = readMap(e.value, e.mark(), e.path, kKeys.at(s.type));
  switch (s.type) {
    case ScreenType::Menu:
      if (const Entry* t = f.get("text")) s.text = readTranslated(*t);
      readMenu(f, s);
      break;
    case ScreenType::Input:
      requireText(f, "text", s.text);
      readInput(f, s);
      break;
    case ScreenType::Display:
      requireText(f, "text", s.text);
      if (const Entry* n = f.get("next")) screenRef(*n, s.next, s.nextPos);
      break;
    case ScreenType::Confirm:
      requireText(f, "text", s.text);
      if (const Entry* y = require(f, "on_yes")) screenRef(*y, s.onYes, s.onYesPos);
      if (const Entry* n = require(f, "on_no")) screenRef(*n, s.onNo, s.onNoPos);
      break;
    case ScreenType::Action:
      readAction(f, s);
      break;
    case ScreenType::Locator:
      requireText(f, "text", s.text);
      readLocator(f, s);
      break;
    case ScreenType::Language: {
      requireText(f, "text", s.text);
      if (const Entry* n = require(f, "next")) screenRef(*n, s.next, s.nextPos);
      // Languages are numbered 1..n; those numbers must not be navigation keys.
      std::map<std::string, SourcePos> keys;
      for (std::size_t i = 1; i <= tree_.languages.size(); ++i)
        checkReserved(std::to_string(i), s.pos, e.path, keys);
      break;
    }
    case ScreenType::End:
      requireText(f, "text", s.text);
      break;
  }
  tree_.screens.emplace(s.id, std::move(s));
}

void MenuReader::checkReserved(const std::string& k, SourcePos pos, const std::string& path,
                               std::map<std::string, SourcePos>& seen) {
  const std::pair<std::string_view, const std::string*> reserved[] = {
      {"back", &tree_.nav.back}, {"main", &tree_.nav.main}, {"more", &tree_.nav.more}};
  for (const auto& [role, value] : reserved) {
    if (k == *value) {
      error(pos, path,
            fmt::format("key \"{}\" is reserved for '{}' (navigation.{})", k, role, role));
      return;
    }
  }
  if (const auto [it, fresh] = seen.emplace(k, pos); !fresh) {
    error(pos, path, fmt::format("duplicate key \"{}\" (first at line {})", k, it->second.line));
  }
}

void MenuReader::readMenu(const Fields& f, Screen& s) {
  const Entry* o = require(f, "options");
  if (o == nullptr) return;
  if (!o->value.IsSequence() || o->value.size() == 0) {
    error(o->mark(), o->path, "expected a list of options");
    return;
  }
  if (o->value.size() > kMaxOptions) {
    error(o->mark(), o->path, fmt::format("at most {} options", kMaxOptions));
    return;
  }
  std::map<std::string, SourcePos> keys;
  for (std::size_t i = 0; i < o->value.size(); ++i)
    readOption(o->value[i], fmt::format("{}[{}]", o->path, i), i, s, keys);
}

void MenuReader::readOption(const YAML::Node& node, const std::string& path, std::size_t index,
                            Screen& s, std::map<std::string, SourcePos>& keys) {
  const Fields f = readMap(node, node.Mark(), path, {"key", "label", "target", "when", "set"});
  if (!f.ok) return;
  MenuOption option;
  option.pos = posOf(f.mark);
  option.keyPos = option.pos;
  option.key = std::to_string(index + 1);  // default: the position in the list
  option.label = emptyTranslated();
  if (const Entry* k = f.get("key")) {
    option.keyPos = posOf(k->mark());
    if (!key(*k, option.key)) option.key.clear();
  }
  if (!option.key.empty()) checkReserved(option.key, option.keyPos, path + ".key", keys);
  requireText(f, "label", option.label);
  if (const Entry* t = require(f, "target")) screenRef(*t, option.target, option.targetPos);
  if (const Entry* w = f.get("when")) {
    std::string cond;
    if (text(*w, cond)) {
      if (!cond.empty() && cond.front() == '!') {
        option.when.negated = true;
        cond.erase(0, 1);
      }
      const VarSpec* var = tree_.var(cond);
      if (var == nullptr) {
        error(w->mark(), w->path,
              fmt::format("unknown variable '{}'; declare it under vars", cond));
      } else if (var->type != VarType::Flag) {
        error(w->mark(), w->path, fmt::format("'{}' is not a flag variable", cond));
      } else {
        option.when.var = cond;
      }
    }
  }
  if (const Entry* set = f.get("set")) {
    const Fields sf = readMap(set->value, set->mark(), set->path, {});
    for (const Entry& assignment : sf.entries) {
      VarSpec* var = nullptr;
      if (auto it = tree_.vars.find(assignment.name); it != tree_.vars.end()) var = &it->second;
      std::string value;
      if (!text(assignment, value)) continue;
      if (var == nullptr) {
        error(assignment.key.Mark(), assignment.path,
              fmt::format("unknown variable '{}'; declare it under vars", assignment.name));
      } else if (var->type == VarType::Secret) {
        error(assignment.key.Mark(), assignment.path,
              "a secret variable is set by a pin input only");
      } else {
        var->session = true;
        option.sets.emplace_back(assignment.name, value);
      }
    }
  }
  s.options.push_back(std::move(option));
}

void MenuReader::checkStoreType(const VarSpec& var, ValidatorKind kind, const Entry& e) {
  std::vector<VarType> allowed;
  switch (kind) {
    case ValidatorKind::Integer:
      allowed = {VarType::Number, VarType::Text};
      break;
    case ValidatorKind::Amount:
      allowed = {VarType::Money};
      break;
    case ValidatorKind::Pin:
      allowed = {VarType::Secret};
      break;
    case ValidatorKind::Date:
      allowed = {VarType::Date, VarType::Text};
      break;
    case ValidatorKind::Phone:
    case ValidatorKind::Regex:
      allowed = {VarType::Text};
      break;
    case ValidatorKind::Choice:
      allowed = {VarType::Text, VarType::Number, VarType::Flag, VarType::Date};
      break;
  }
  if (std::find(allowed.begin(), allowed.end(), var.type) != allowed.end()) return;
  std::string names;
  for (const VarType t : allowed)
    names += (names.empty() ? "" : " or ") + std::string(toString(t));
  error(e.mark(), e.path,
        fmt::format("{} {} input stores into a {} variable; '{}' is {}",
                    kind == ValidatorKind::Amount ? "an" : "a", toString(kind), names, var.name,
                    toString(var.type)));
}

void MenuReader::readInput(const Fields& f, Screen& s) {
  if (const Entry* v = require(f, "validate")) readValidator(*v, s);
  if (const Entry* st = require(f, "store")) {
    if (varRef(*st, s.store) != nullptr) {
      VarSpec& var = tree_.vars.at(s.store);
      var.session = true;
      checkStoreType(var, s.validator.kind, *st);
    } else {
      s.store.clear();
    }
  }
  if (const Entry* err = f.get("error")) s.error = readTranslated(*err);
  if (const Entry* n = require(f, "next")) screenRef(*n, s.next, s.nextPos);
  // A verifying PIN input needs somewhere to send a caller without a PIN; a repeated one,
  // somewhere to go when the two differ. Neither key means anything elsewhere.
  const Entry* noPin = f.get("on_no_pin");
  if (s.validator.verify) {
    pinVerified_ = true;
    if (const Entry* n = require(f, "on_no_pin")) screenRef(*n, s.onNoPin, s.onNoPinPos);
  } else if (noPin != nullptr) {
    error(noPin->key.Mark(), noPin->path, "'on_no_pin' applies only to a pin input with verify");
  }
  const Entry* mismatch = f.get("on_mismatch");
  if (!s.validator.sameAs.empty()) {
    if (const Entry* n = require(f, "on_mismatch")) screenRef(*n, s.onMismatch, s.onMismatchPos);
  } else if (mismatch != nullptr) {
    error(mismatch->key.Mark(), mismatch->path,
          "'on_mismatch' applies only to a pin input with same_as");
  }
}

void MenuReader::readAmountBound(const Entry& e, AmountBound& bound) {
  std::string v;
  if (!text(e, v)) return;
  int64_t major = 0;
  if (parseInt64(v, major)) {
    if (major < 0 || major > 1'000'000'000'000) {
      error(e.mark(), e.path, "an amount bound is 0 to 10^12 (in major units)");
      return;
    }
    bound.present = true;
    bound.literalMajor = major;
    return;
  }
  const VarSpec* var = tree_.var(v);
  if (var == nullptr) {
    error(e.mark(), e.path, fmt::format("expected an amount or a money variable, got \"{}\"", v));
  } else if (var->type != VarType::Money) {
    error(e.mark(), e.path, fmt::format("'{}' is not a money variable", v));
  } else {
    bound.present = true;
    bound.var = v;
  }
}

void MenuReader::readValidator(const Entry& e, Screen& s) {
  static const std::map<std::string_view, ValidatorKind> kKinds{
      {"integer", ValidatorKind::Integer}, {"amount", ValidatorKind::Amount},
      {"pin", ValidatorKind::Pin},         {"date", ValidatorKind::Date},
      {"phone", ValidatorKind::Phone},     {"regex", ValidatorKind::Regex},
      {"choice", ValidatorKind::Choice},
  };
  static const std::map<ValidatorKind, std::vector<std::string_view>> kKeys{
      {ValidatorKind::Integer, {"type", "min", "max"}},
      {ValidatorKind::Amount, {"type", "min", "max"}},
      {ValidatorKind::Pin, {"type", "min_length", "max_length", "verify", "same_as"}},
      {ValidatorKind::Date, {"type"}},
      {ValidatorKind::Phone, {"type", "min_length", "max_length"}},
      {ValidatorKind::Regex, {"type", "pattern"}},
      {ValidatorKind::Choice, {"type", "choices"}},
  };
  Validator& v = s.validator;
  const YAML::Node t = e.value.IsMap() ? e.value["type"] : YAML::Node();
  if (!e.value.IsMap() || !t.IsScalar()) {
    error(e.mark(), e.path,
          "expected a map with a 'type' (integer, amount, pin, date, phone, regex, choice)");
    return;
  }
  const auto kind = kKinds.find(t.Scalar());
  if (kind == kKinds.end()) {
    error(t.Mark(), e.path + ".type",
          fmt::format("unknown validator '{}' (integer, amount, pin, date, phone, regex, choice)",
                      t.Scalar()));
    return;
  }
  v.kind = kind->second;
  const Fields f = readMap(e.value, e.mark(), e.path, kKeys.at(v.kind));
  auto lengths = [&](std::size_t defMin, std::size_t defMax, int64_t lo, int64_t hi) {
    v.minLength = defMin;
    v.maxLength = defMax;
    int64_t n = 0;
    if (const Entry* m = f.get("min_length"); m != nullptr && integer(*m, lo, hi, n)) {
      v.minLength = static_cast<std::size_t>(n);
    }
    if (const Entry* m = f.get("max_length"); m != nullptr && integer(*m, lo, hi, n)) {
      v.maxLength = static_cast<std::size_t>(n);
    }
    if (v.minLength > v.maxLength) error(f.mark, e.path, "min_length is above max_length");
  };
  switch (v.kind) {
    case ValidatorKind::Integer: {
      const Entry* mn = require(f, "min");
      const Entry* mx = require(f, "max");
      constexpr int64_t kLimit = 999'999'999'999;
      if (mn != nullptr && mx != nullptr && integer(*mn, 0, kLimit, v.min) &&
          integer(*mx, 0, kLimit, v.max) && v.min > v.max) {
        error(mn->mark(), e.path, "min is above max");
      }
      break;
    }
    case ValidatorKind::Amount:
      if (const Entry* mn = require(f, "min")) readAmountBound(*mn, v.amountMin);
      if (const Entry* mx = require(f, "max")) readAmountBound(*mx, v.amountMax);
      if (v.amountMin.present && v.amountMax.present && v.amountMin.var.empty() &&
          v.amountMax.var.empty() && v.amountMin.literalMajor > v.amountMax.literalMajor) {
        error(f.mark, e.path, "min is above max");
      }
      break;
    case ValidatorKind::Pin: {
      lengths(4, 6, 4, 12);
      if (const Entry* ve = f.get("verify")) {
        std::string flag;
        if (text(*ve, flag)) {
          if (flag == "true") {
            v.verify = true;
          } else if (flag != "false") {
            error(ve->mark(), ve->path, "verify is true or false");
          }
        }
      }
      if (const Entry* same = f.get("same_as")) {
        if (const VarSpec* var = varRef(*same, v.sameAs); var == nullptr) {
          v.sameAs.clear();
        } else if (var->type != VarType::Secret) {
          error(same->mark(), same->path, fmt::format("'{}' is not a secret variable", v.sameAs));
          v.sameAs.clear();
        } else {
          tree_.vars.at(v.sameAs).carried = true;
        }
        if (v.verify) {
          error(same->mark(), same->path,
                "a PIN input either verifies the caller's PIN or repeats a new one, not both");
        }
      }
      break;
    }
    case ValidatorKind::Date:
      break;
    case ValidatorKind::Phone:
      lengths(7, 15, 3, 15);
      break;
    case ValidatorKind::Regex: {
      const Entry* p = require(f, "pattern");
      if (p == nullptr || !text(*p, v.pattern)) break;
      if (v.pattern.empty() || v.pattern.size() > kMaxPatternBytes) {
        error(p->mark(), p->path, fmt::format("a pattern is 1 to {} bytes", kMaxPatternBytes));
        break;
      }
      if (const auto bound = largestRepeat(v.pattern); bound > kMaxRepeat) {
        error(p->mark(), p->path,
              fmt::format("repetition bound {} is above {} (the matcher expands repetitions)",
                          bound, kMaxRepeat));
        break;
      }
      try {
        v.regex = std::make_shared<const std::regex>(v.pattern, kRegexSyntax);
      } catch (const std::regex_error& re) {
        error(p->mark(), p->path, fmt::format("bad regular expression: {}", re.what()));
      }
      break;
    }
    case ValidatorKind::Choice: {
      const Entry* c = require(f, "choices");
      if (c == nullptr) break;
      if (!c->value.IsSequence() || c->value.size() == 0 || c->value.size() > kMaxChoices) {
        error(c->mark(), c->path, fmt::format("expected a list of 1 to {} choices", kMaxChoices));
        break;
      }
      std::map<std::string, SourcePos> keys;
      for (std::size_t i = 0; i < c->value.size(); ++i) {
        const std::string path = fmt::format("{}[{}]", c->path, i);
        const Fields cf = readMap(c->value[i], c->mark(), path, {"key", "label", "value"});
        if (!cf.ok) continue;
        Choice choice;
        choice.pos = posOf(cf.mark);
        choice.key = std::to_string(i + 1);
        SourcePos keyPos = choice.pos;
        if (const Entry* k = cf.get("key")) {
          keyPos = posOf(k->mark());
          if (!key(*k, choice.key)) choice.key.clear();
        }
        if (!choice.key.empty()) checkReserved(choice.key, keyPos, path + ".key", keys);
        requireText(cf, "label", choice.label);
        if (const Entry* val = require(cf, "value")) {
          if (text(*val, choice.value) && (choice.value.size() > 64 || !validUtf8(choice.value))) {
            error(val->mark(), val->path, "a choice value is at most 64 bytes of UTF-8");
          }
        }
        v.choices.push_back(std::move(choice));
      }
      break;
    }
  }
}

void MenuReader::readAction(const Fields& f, Screen& s) {
  static const std::map<std::string_view, EffectType> kEffects{
      {"credit_request", EffectType::CreditRequest},
      {"deferral_request", EffectType::DeferralRequest},
      {"referral", EffectType::Referral},
      {"survey_answer", EffectType::SurveyAnswer},
      {"send_sms", EffectType::SendSms},
      {"pin_set", EffectType::PinSet},
  };
  ActionSpec& a = s.action;
  const Entry* eff = require(f, "effect");
  std::string name;
  if (eff == nullptr || !text(*eff, name)) return;
  const auto effect = kEffects.find(name);
  if (effect == kEffects.end()) {
    error(eff->mark(), eff->path,
          fmt::format("unknown effect '{}' (credit_request, deferral_request, referral, "
                      "survey_answer, send_sms, pin_set)",
                      name));
    return;
  }
  a.effect = effect->second;
  const auto& specs = paramsOf(a.effect);
  if (const Entry* p = f.get("params")) {
    std::vector<std::string_view> allowed;
    for (const auto& spec : specs)
      allowed.push_back(spec.name);
    const Fields pf = readMap(p->value, p->mark(), p->path, allowed);
    for (const Entry& param : pf.entries) {
      std::string varName;
      const VarSpec* var = varRef(param, varName);
      if (var == nullptr) continue;
      const auto spec = std::find_if(specs.begin(), specs.end(),
                                     [&](const ParamSpec& ps) { return ps.name == param.name; });
      const bool typeOk =
          spec->types.empty()
              ? var->type != VarType::Secret && var->type != VarType::Flag
              : std::find(spec->types.begin(), spec->types.end(), var->type) != spec->types.end();
      if (!typeOk) {
        error(param.mark(), param.path,
              fmt::format("'{}' is a {} variable, which does not fit parameter '{}'", varName,
                          toString(var->type), param.name));
        continue;
      }
      a.params.emplace(param.name, varName);
    }
    if (pf.ok) {
      for (const auto& spec : specs) {
        if (spec.required && pf.get(spec.name) == nullptr) {
          error(pf.mark, p->path, fmt::format("missing parameter '{}' for {}", spec.name, name));
        }
      }
    }
  } else {
    for (const auto& spec : specs)
      if (spec.required)
        error(f.mark, f.path, fmt::format("missing key 'params' ({} needs '{}')", name, spec.name));
  }
  if (const Entry* t = f.get("tag")) {
    if (text(*t, a.tag) && (a.tag.size() > 64 || !validUtf8(a.tag))) {
      error(t->mark(), t->path, "a tag is at most 64 bytes of UTF-8");
    }
  } else if (a.effect == EffectType::SurveyAnswer) {
    error(f.mark, f.path, "missing key 'tag' (the question a survey_answer answers)");
  }
  const Entry* message = f.get("message");
  if (a.effect == EffectType::SendSms) {
    requireText(f, "message", a.smsText);
  } else if (message != nullptr) {
    error(message->key.Mark(), message->path, "'message' applies only to send_sms");
  }
  if (const Entry* n = require(f, "next")) screenRef(*n, s.next, s.nextPos);
}

void MenuReader::readLocator(const Fields& f, Screen& s) {
  LocatorSpec& l = s.locator;
  if (const Entry* p = require(f, "place")) {
    if (const VarSpec* var = varRef(*p, l.place);
        var != nullptr && (var->type == VarType::Flag || var->type == VarType::Secret)) {
      error(p->mark(), p->path,
            fmt::format("'{}' is a {} variable, not a place", l.place, toString(var->type)));
    }
  }
  int64_t n = 0;
  if (const Entry* c = f.get("count"); c != nullptr && integer(*c, 1, 30, n)) {
    l.count = static_cast<std::size_t>(n);
  }
  if (const Entry* c = f.get("per_page"); c != nullptr && integer(*c, 1, 10, n)) {
    l.perPage = static_cast<std::size_t>(n);
  }
  if (l.perPage > l.count) l.perPage = l.count;
  requireText(f, "item", l.item);
  requireText(f, "empty", l.empty);
  l.sms.label = emptyTranslated();
  if (const Entry* sms = f.get("sms")) {
    const Fields sf = readMap(sms->value, sms->mark(), sms->path, {"key", "label", "next"});
    if (!sf.ok) return;
    l.hasSms = true;
    l.sms.keyPos = posOf(sf.mark);
    if (const Entry* k = require(sf, "key")) {
      l.sms.keyPos = posOf(k->mark());
      if (key(*k, l.sms.key)) {
        std::map<std::string, SourcePos> seen;
        checkReserved(l.sms.key, l.sms.keyPos, k->path, seen);
      }
    }
    requireText(sf, "label", l.sms.label);
    if (const Entry* nx = require(sf, "next")) screenRef(*nx, l.sms.next, l.sms.nextPos);
  }
}

}  // namespace mfigw::menus
