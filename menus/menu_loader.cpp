// The menu loader's document-level reading: languages, navigation, currency, variables,
// labels, messages and translated texts; the public entry points.
#include "menus/menu_loader.hpp"

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>
#include <utility>

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include "menus/menu_reader.hpp"
#include "menus/tree_checks.hpp"
#include "menus/utf8_text.hpp"
#include "menus/value_format.hpp"

namespace mfigw::menus {

std::string MenuError::toString() const {
  std::string out = file;
  if (line > 0) out += fmt::format(":{}:{}", line, column);
  out += ": ";
  if (!path.empty()) out += path + ": ";
  out += message;
  return out;
}

std::string MenuLoadResult::errorText() const {
  std::string out;
  for (const auto& e : errors)
    out += e.toString() + "\n";
  return out;
}

namespace {

uint64_t fnv1a(std::string_view text) {
  uint64_t hash = 14695981039346656037ull;
  for (const char c : text) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 1099511628211ull;
  }
  return hash;
}

std::string trimTrailing(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ' || text.back() == '\r'))
    text.pop_back();
  return text;
}

}  // namespace

bool isName(std::string_view s) {
  if (s.empty() || s.size() > 40 || s.front() < 'a' || s.front() > 'z') return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
  });
}

bool isKey(std::string_view s) {
  return !s.empty() && s.size() <= 3 &&
         std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

bool MenuReader::key(const Entry& e, std::string& out) {
  if (!text(e, out)) return false;
  if (!isKey(out)) {
    error(e.mark(), e.path, fmt::format("a key is 1 to 3 digits, got \"{}\"", out));
    return false;
  }
  return true;
}

bool MenuReader::screenRef(const Entry& e, std::string& out, SourcePos& pos) {
  pos = posOf(e.mark());
  if (!text(e, out)) return false;
  if (!isName(out)) {
    error(e.mark(), e.path, fmt::format("\"{}\" is not a screen id", out));
    out.clear();
    return false;
  }
  return true;
}

const VarSpec* MenuReader::varRef(const Entry& e, std::string& out) {
  if (!text(e, out)) return nullptr;
  const VarSpec* var = tree_.var(out);
  if (var == nullptr)
    error(e.mark(), e.path, fmt::format("unknown variable '{}'; declare it under vars", out));
  return var;
}

Translated MenuReader::emptyTranslated() const {
  Translated t;
  t.byLanguage.resize(tree_.languages.size());
  return t;
}

Translated MenuReader::readTranslated(const Entry& e) {
  Translated t = emptyTranslated();
  t.pos = posOf(e.mark());
  if (!e.value.IsMap()) {
    error(e.mark(), e.path,
          fmt::format("expected a translation per language ({}: ...), got {}",
                      tree_.languages.front().code, kindName(e.value)));
    return t;
  }
  const Fields f = readMap(e.value, e.mark(), e.path, {}, "translation");
  std::vector<bool> given(tree_.languages.size(), false);
  for (const Entry& lang : f.entries) {
    const int index = tree_.languageIndex(lang.name);
    if (index < 0) {
      error(lang.key.Mark(), lang.path,
            fmt::format("'{}' is not a configured language", lang.name));
      continue;
    }
    const auto i = static_cast<std::size_t>(index);
    given[i] = true;
    std::string raw;
    if (!text(lang, raw)) continue;
    if (!validUtf8(raw)) {
      error(lang.mark(), lang.path, "not valid UTF-8");
      continue;
    }
    if (raw.size() > kMaxTextBytes) {
      error(lang.mark(), lang.path, fmt::format("longer than {} bytes", kMaxTextBytes));
      continue;
    }
    TemplateParse parsed = parseTemplate(trimTrailing(std::move(raw)));
    if (!parsed.error.empty()) {
      error(lang.mark(), lang.path, parsed.error);
      continue;
    }
    for (const auto& name : parsed.value.variables()) {
      const VarSpec* var = tree_.var(name);
      if (var == nullptr) {
        error(lang.mark(), lang.path,
              fmt::format("unknown variable '{{{}}}'; declare it under vars", name));
      } else if (var->type == VarType::Flag || var->type == VarType::Secret) {
        error(lang.mark(), lang.path,
              fmt::format("'{{{}}}' is a {} variable and cannot be shown", name,
                          toString(var->type)));
      }
    }
    t.byLanguage[i] = std::move(parsed.value);
  }
  for (std::size_t i = 0; i < given.size(); ++i) {
    if (!given[i]) {
      error(e.mark(), e.path, fmt::format("missing translation for '{}'", tree_.languages[i].code));
    }
  }
  return t;
}

void MenuReader::requireText(const Fields& f, std::string_view name, Translated& out) {
  out = emptyTranslated();
  if (const Entry* e = require(f, name)) out = readTranslated(*e);
}

MenuLoadResult MenuReader::run(std::string_view yaml) {
  yaml_ = std::make_unique<YamlReader>(file_, std::string(yaml));
  const std::string& text = yaml_->text();
  try {
    std::optional<YAML::Node> root;
    try {
      root = YAML::Load(text);
      if (const auto second = secondDocument(text)) {
        error(*second, "", "only one YAML document is allowed");
      }
    } catch (const YAML::Exception& e) {
      error(e.mark, "", e.msg);
      root.reset();
    }
    if (!tree_.measure) error(SourcePos{}, "", "no text measure given to the loader");
    if (root) {
      readDocument(*root);
      tree_.version = fmt::format("{}@{:016x}", tree_.label, fnv1a(text));
    }
  } catch (const std::exception& e) {
    // Every access checks the node kind first; reaching this is a loader bug, reported
    // as an error rather than taking the caller down.
    error(SourcePos{}, "", fmt::format("internal error while loading: {}", e.what()));
  }
  std::vector<MenuError>& errors = yaml_->errors();
  std::stable_sort(errors.begin(), errors.end(), [](const MenuError& a, const MenuError& b) {
    return std::pair(a.line, a.column) < std::pair(b.line, b.column);
  });
  MenuLoadResult result;
  result.errors = std::move(errors);
  if (result.errors.empty()) result.tree = std::make_shared<const MenuTree>(std::move(tree_));
  return result;
}

void MenuReader::readDocument(const YAML::Node& root) {
  if (root.IsNull()) {
    error(SourcePos{1, 1}, "", "the menu file is empty");
    return;
  }
  const Fields top = readMap(root, root.Mark(), "",
                             {"version", "start", "languages", "default_language", "navigation",
                              "currency", "labels", "messages", "vars", "screens"});
  if (!top.ok) return;
  if (const Entry* e = require(top, "version")) {
    if (text(*e, tree_.label) && (tree_.label.empty() || tree_.label.size() > 40 ||
                                  tree_.label.find('@') != std::string::npos)) {
      error(e->mark(), e->path, "a version label is 1 to 40 characters without '@'");
    }
  }
  if (const Entry* e = require(top, "languages")) readLanguages(*e);
  // Without languages no text can be checked; the rest would only be noise.
  if (tree_.languages.empty()) return;
  if (const Entry* e = top.get("default_language")) {
    std::string code;
    if (text(*e, code)) {
      const int index = tree_.languageIndex(code);
      if (index < 0) {
        error(e->mark(), e->path, fmt::format("'{}' is not a configured language", code));
      } else {
        tree_.defaultLanguage = static_cast<std::size_t>(index);
      }
    }
  }
  if (const Entry* e = top.get("navigation")) readNavigation(*e);
  if (const Entry* e = top.get("currency")) readCurrency(*e);
  if (const Entry* e = top.get("vars")) readVars(*e);
  tree_.labels = Labels{emptyTranslated(), emptyTranslated(), emptyTranslated(), emptyTranslated(),
                        emptyTranslated()};
  tree_.messages = Messages{emptyTranslated(), emptyTranslated(), emptyTranslated(), {}, {}, {}};
  if (const Entry* e = require(top, "labels")) readLabels(*e);
  if (const Entry* e = require(top, "messages")) readMessages(*e);
  if (const Entry* e = require(top, "start")) {
    startPos_ = posOf(e->mark());
    std::string id;
    SourcePos pos;
    if (screenRef(*e, id, pos)) tree_.start = id;
  }
  if (const Entry* e = require(top, "screens")) readScreens(*e);
  checkFormulas();
  if (pinVerified_) {
    if (tree_.messages.pinWrong.empty()) {
      error(messagesPos_, "messages",
            "missing key 'pin_wrong' (the error line after a wrong PIN; a screen verifies one)");
    }
    if (tree_.messages.pinLocked.empty()) {
      error(messagesPos_, "messages",
            "missing key 'pin_locked' (the page of a locked PIN; a screen verifies one)");
    }
  }

  for (auto& issue : checkGraph(tree_, startPos_)) {
    if (!screenTypesKnown_ && issue.message.find("unreachable") != std::string::npos) continue;
    error(issue.pos, std::move(issue.path), std::move(issue.message));
  }
  if (tree_.measure) {
    for (auto& issue : planPages(tree_, unavailablePos_, pinLockedPos_))
      error(issue.pos, std::move(issue.path), std::move(issue.message));
  }
}

void MenuReader::readLanguages(const Entry& e) {
  const Fields f = readMap(e.value, e.mark(), e.path, {}, "language");
  if (!f.ok) return;
  if (f.entries.empty()) error(e.mark(), e.path, "at least one language is needed");
  if (f.entries.size() > kMaxLanguages) {
    error(e.mark(), e.path, fmt::format("at most {} languages", kMaxLanguages));
    return;
  }
  for (const Entry& lang : f.entries) {
    const bool codeOk = lang.name.size() >= 2 && lang.name.size() <= 3 &&
                        std::all_of(lang.name.begin(), lang.name.end(),
                                    [](char c) { return c >= 'a' && c <= 'z'; });
    if (!codeOk) {
      error(lang.key.Mark(), lang.path, "a language code is 2 or 3 lower-case letters (ISO 639)");
      continue;
    }
    Locale locale;
    locale.code = lang.name;
    const Fields lf = readMap(lang.value, lang.mark(), lang.path,
                              {"name", "thousands", "decimal", "date", "money"});
    if (!lf.ok) continue;
    if (const Entry* n = require(lf, "name")) {
      if (text(*n, locale.name) &&
          (locale.name.empty() || !validUtf8(locale.name) || locale.name.size() > 40)) {
        error(n->mark(), n->path, "a language name is 1 to 40 bytes of UTF-8");
      }
    }
    auto small = [&](const Entry* s, std::string& out, std::string_view what) {
      if (s == nullptr) return;
      std::string v;
      if (!text(*s, v)) return;
      if (v.size() > 4 || !validUtf8(v) || v.find_first_of("0123456789") != std::string::npos) {
        error(s->mark(), s->path, fmt::format("a {} is at most 4 bytes, no digits", what));
        return;
      }
      out = v;
    };
    small(lf.get("thousands"), locale.thousands, "separator");
    small(lf.get("decimal"), locale.decimal, "separator");
    if (locale.decimal.empty()) {
      error(lf.get("decimal")->mark(), lf.get("decimal")->path,
            "the decimal separator cannot be empty");
    }
    if (const Entry* d = lf.get("date")) {
      std::string v;
      if (text(*d, v)) {
        if (v.find("DD") == std::string::npos || v.find("MM") == std::string::npos ||
            v.find("YYYY") == std::string::npos || v.size() > 20 || !validUtf8(v)) {
          error(d->mark(), d->path, "a date pattern names DD, MM and YYYY, e.g. \"DD/MM/YYYY\"");
        } else {
          locale.datePattern = v;
        }
      }
    }
    if (const Entry* m = lf.get("money")) {
      std::string v;
      if (text(*m, v)) {
        if (v.find("{amount}") == std::string::npos || v.size() > 30 || !validUtf8(v)) {
          error(m->mark(), m->path, "a money pattern names {amount} (and usually {code})");
        } else {
          locale.moneyPattern = v;
        }
      }
    }
    tree_.languages.push_back(std::move(locale));
  }
}

void MenuReader::readNavigation(const Entry& e) {
  const Fields f = readMap(e.value, e.mark(), e.path, {"back", "main", "more", "yes", "no"});
  std::map<std::string, std::string> used;  // key -> role
  auto one = [&](std::string_view role, std::string& out) {
    if (const Entry* k = f.get(role)) {
      std::string v;
      if (key(*k, v)) out = v;
    }
  };
  one("back", tree_.nav.back);
  one("main", tree_.nav.main);
  one("more", tree_.nav.more);
  one("yes", tree_.nav.yes);
  one("no", tree_.nav.no);
  const std::pair<std::string_view, const std::string*> roles[] = {
      {"back", &tree_.nav.back}, {"main", &tree_.nav.main}, {"more", &tree_.nav.more},
      {"yes", &tree_.nav.yes},   {"no", &tree_.nav.no},
  };
  for (const auto& [role, value] : roles) {
    const auto [it, fresh] = used.emplace(*value, std::string(role));
    if (!fresh) {
      const Entry* k = f.get(role);
      error(k != nullptr ? k->mark() : e.mark(), k != nullptr ? k->path : e.path,
            fmt::format("'{}' and '{}' cannot both be key \"{}\"", it->second, role, *value));
    }
  }
}

void MenuReader::readCurrency(const Entry& e) {
  const Fields f = readMap(e.value, e.mark(), e.path, {"code", "decimals"});
  if (const Entry* c = require(f, "code")) {
    std::string code;
    if (text(*c, code)) {
      if (code.empty() || code.size() > 5 || !validUtf8(code)) {
        error(c->mark(), c->path, "a currency code is 1 to 5 bytes, e.g. KES");
      } else {
        tree_.currency = code;
      }
    }
  }
  if (const Entry* d = f.get("decimals")) {
    int64_t v = 0;
    if (integer(*d, 0, 6, v)) tree_.decimals = static_cast<int>(v);
  }
}

void MenuReader::readVars(const Entry& e) {
  const Fields f = readMap(e.value, e.mark(), e.path, {}, "variable");
  if (f.entries.size() > kMaxVars) {
    error(e.mark(), e.path, fmt::format("at most {} variables", kMaxVars));
    return;
  }
  static const std::map<std::string_view, VarType> kTypes{
      {"text", VarType::Text},     {"number", VarType::Number},     {"money", VarType::Money},
      {"date", VarType::Date},     {"distance", VarType::Distance}, {"flag", VarType::Flag},
      {"secret", VarType::Secret},
  };
  for (const Entry& v : f.entries) {
    if (!isName(v.name)) {
      error(v.key.Mark(), v.path, "a variable name is lower-case letters, digits and '_'");
      continue;
    }
    const Fields vf = readMap(v.value, v.mark(), v.path,
                              {"type", "max", "alphabet", "currency", "decimals", "share", "sum"});
    if (!vf.ok) continue;
    VarSpec spec;
    spec.name = v.name;
    spec.pos = posOf(v.key.Mark());
    spec.currency = tree_.currency;
    spec.decimals = tree_.decimals;
    const Entry* t = require(vf, "type");
    std::string typeName;
    if (t == nullptr || !text(*t, typeName)) continue;
    const auto type = kTypes.find(typeName);
    if (type == kTypes.end()) {
      error(t->mark(), t->path,
            fmt::format("unknown type '{}' (text, number, money, date, distance, flag, secret)",
                        typeName));
      continue;
    }
    spec.type = type->second;
    const bool needsMax = spec.type == VarType::Text || spec.type == VarType::Number ||
                          spec.type == VarType::Money || spec.type == VarType::Distance;
    auto onlyFor = [&](std::string_view key, bool allowed, std::string_view types) {
      const Entry* k = vf.get(key);
      if (k != nullptr && !allowed) {
        error(k->key.Mark(), k->path, fmt::format("'{}' applies only to {} variables", key, types));
        return static_cast<const Entry*>(nullptr);
      }
      return k;
    };
    if (const Entry* m = onlyFor("max", needsMax, "text, number, money and distance")) {
      int64_t max = 0;
      if (integer(*m, 1, static_cast<int64_t>(kMaxVarLength), max)) {
        spec.max = static_cast<std::size_t>(max);
      }
    } else if (needsMax) {
      error(vf.mark, v.path,
            fmt::format("missing key 'max' (the longest value a page must make room for)"));
    }
    if (const Entry* a = onlyFor("alphabet", spec.type == VarType::Text, "text")) {
      std::string alphabet;
      if (text(*a, alphabet)) {
        if (alphabet == "gsm7") {
          spec.alphabet = Alphabet::Gsm7;
        } else if (alphabet != "any") {
          error(a->mark(), a->path, "alphabet is gsm7 or any");
        }
      }
    }
    if (const Entry* c = onlyFor("currency", spec.type == VarType::Money, "money")) {
      std::string code;
      if (text(*c, code)) {
        if (code.empty() || code.size() > 5 || !validUtf8(code)) {
          error(c->mark(), c->path, "a currency code is 1 to 5 bytes, e.g. KES");
        } else {
          spec.currency = code;
        }
      }
    } else if (spec.type == VarType::Money && spec.currency.empty()) {
      error(vf.mark, v.path,
            "money needs a currency: give 'currency' here or a top-level currency");
    }
    if (const Entry* d = onlyFor("decimals", spec.type == VarType::Money, "money")) {
      int64_t decimals = 0;
      if (integer(*d, 0, 6, decimals)) spec.decimals = static_cast<int>(decimals);
    }
    readFormula(vf, spec);
    tree_.vars.emplace(spec.name, std::move(spec));
  }
}

void MenuReader::readFormula(const Fields& vf, VarSpec& spec) {
  const Entry* share = vf.get("share");
  const Entry* sum = vf.get("sum");
  if (share == nullptr && sum == nullptr) return;
  const Entry& e = share != nullptr ? *share : *sum;
  if (share != nullptr && sum != nullptr) {
    error(sum->key.Mark(), sum->path, "a variable is a share or a sum, not both");
    return;
  }
  if (spec.type != VarType::Money && spec.type != VarType::Number) {
    error(e.key.Mark(), e.path, "only money and number variables can be computed");
    return;
  }
  spec.formulaPos = posOf(e.key.Mark());
  if (share != nullptr) {
    const Fields sf = readMap(share->value, share->mark(), share->path, {"of", "basis_points"});
    if (!sf.ok) return;
    const Entry* of = require(sf, "of");
    const Entry* rate = require(sf, "basis_points");
    std::string base, bp;
    if (of == nullptr || rate == nullptr || !text(*of, base) || !text(*rate, bp)) return;
    spec.formula = VarSpec::Formula::Share;
    spec.operands = {base, bp};
    return;
  }
  if (!sum->value.IsSequence() || sum->value.size() < 2 || sum->value.size() > 8) {
    error(sum->mark(), sum->path, "sum is a list of 2 to 8 variable names");
    return;
  }
  std::vector<std::string> terms;
  for (const YAML::Node& item : sum->value) {
    if (!item.IsScalar()) {
      error(item.Mark(), sum->path, "sum is a list of 2 to 8 variable names");
      return;
    }
    terms.push_back(item.Scalar());
  }
  spec.formula = VarSpec::Formula::Sum;
  spec.operands = std::move(terms);
}

void MenuReader::checkFormulas() {
  for (const auto& [name, spec] : tree_.vars) {
    if (spec.formula == VarSpec::Formula::None) continue;
    const std::string path = "vars." + name;
    if (spec.session) {
      error(spec.formulaPos, path, "a computed variable cannot be written by a screen");
    }
    for (std::size_t i = 0; i < spec.operands.size(); ++i) {
      const std::string& operand = spec.operands[i];
      const VarSpec* o = tree_.var(operand);
      if (o == nullptr) {
        error(spec.formulaPos, path,
              fmt::format("unknown variable '{}'; declare it under vars", operand));
        continue;
      }
      const bool rate = spec.formula == VarSpec::Formula::Share && i == 1;
      const bool typeOk = rate ? o->type == VarType::Number
                               : o->type == spec.type &&
                                     (spec.type != VarType::Money || o->decimals == spec.decimals);
      if (!typeOk) {
        error(spec.formulaPos, path,
              fmt::format("'{}' must be {}", operand,
                          rate                          ? "a number (basis points)"
                          : spec.type == VarType::Money ? "money with the same decimals"
                                                        : "a number"));
      }
      // One level of nesting at most (a total of fees), so a value never loops.
      const bool nestedOk =
          o->formula == VarSpec::Formula::None ||
          (spec.formula == VarSpec::Formula::Sum && o->formula == VarSpec::Formula::Share);
      if (!nestedOk) {
        error(spec.formulaPos, path,
              fmt::format("'{}' is computed too; only a sum may name a share", operand));
      }
    }
  }
}

void MenuReader::readLabels(const Entry& e) {
  const Fields f = readMap(e.value, e.mark(), e.path, {"back", "main", "more", "yes", "no"});
  requireText(f, "back", tree_.labels.back);
  requireText(f, "main", tree_.labels.main);
  requireText(f, "more", tree_.labels.more);
  requireText(f, "yes", tree_.labels.yes);
  requireText(f, "no", tree_.labels.no);
}

void MenuReader::readMessages(const Entry& e) {
  const Fields f = readMap(
      e.value, e.mark(), e.path,
      {"invalid_option", "invalid_input", "unavailable", "pin_wrong", "pin_locked", "digits_only"});
  messagesPos_ = posOf(e.mark());
  requireText(f, "invalid_option", tree_.messages.invalidOption);
  requireText(f, "invalid_input", tree_.messages.invalidInput);
  requireText(f, "unavailable", tree_.messages.unavailable);
  if (const Entry* u = f.get("unavailable")) unavailablePos_ = posOf(u->mark());
  // Optional here; required once a screen verifies a PIN (checked after the screens).
  if (const Entry* w = f.get("pin_wrong")) tree_.messages.pinWrong = readTranslated(*w);
  if (const Entry* d = f.get("digits_only")) tree_.messages.digitsOnly = readTranslated(*d);
  if (const Entry* l = f.get("pin_locked")) {
    tree_.messages.pinLocked = readTranslated(*l);
    pinLockedPos_ = posOf(l->mark());
  }
}

void MenuReader::readScreens(const Entry& e) {
  const Fields f = readMap(e.value, e.mark(), e.path, {}, "screen id");
  if (!f.ok) return;
  if (f.entries.empty()) error(e.mark(), e.path, "no screens");
  if (f.entries.size() > kMaxScreens) {
    error(e.mark(), e.path, fmt::format("at most {} screens", kMaxScreens));
    return;
  }
  // A repeated id was reported by readMap, at its second definition, and skipped.
  for (const Entry& s : f.entries) {
    if (!isName(s.name)) {
      error(s.key.Mark(), s.path, "a screen id is lower-case letters, digits and '_'");
      screenTypesKnown_ = false;
      continue;
    }
    readScreen(s);
  }
}

MenuLoadResult loadMenuText(std::string_view yaml, const std::string& displayName,
                            TextMeasure measure) {
  return MenuReader(displayName, std::move(measure)).run(yaml);
}

MenuLoadResult loadMenuFile(const std::string& path, TextMeasure measure) {
  auto fail = [&](std::string message) {
    MenuLoadResult result;
    result.errors.push_back(MenuError{path, 0, 0, "", std::move(message)});
    return result;
  };
  std::error_code ec;
  const auto size = std::filesystem::file_size(path, ec);
  if (ec) return fail(fmt::format("cannot read: {}", ec.message()));
  if (size > kMaxFileBytes) return fail("larger than 1MiB; is it the right file?");
  std::ifstream in(path, std::ios::binary);
  if (!in) return fail("cannot read the file");
  const std::string text{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  return loadMenuText(text, path, std::move(measure));
}

std::vector<MenuError> checkMenuFile(const std::string& path, const TextMeasure& measure) {
  return loadMenuFile(path, measure).errors;
}

}  // namespace mfigw::menus
