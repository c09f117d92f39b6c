#include "gateway/reminder_file.hpp"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <fstream>
#include <set>
#include <sstream>
#include <tuple>

#include "gateway/reminder_zone.hpp"

namespace mfigw::gateway {
namespace {

constexpr int kMaxOffsetDays = 62;

const std::vector<std::pair<std::string_view, int>> kWeekdays = {
    {"mon", 1}, {"tue", 2}, {"wed", 3}, {"thu", 4}, {"fri", 5}, {"sat", 6}, {"sun", 7}};

bool isStandardTemplate(std::string_view name, ReminderKind& kind) {
  for (ReminderKind k : {ReminderKind::PreDue, ReminderKind::DueToday, ReminderKind::Overdue,
                         ReminderKind::Meeting, ReminderKind::GroupSummary}) {
    if (toString(k) == name) {
      kind = k;
      return true;
    }
  }
  return false;
}

bool isInstallmentKind(ReminderKind k) {
  return k == ReminderKind::PreDue || k == ReminderKind::DueToday || k == ReminderKind::Overdue;
}

std::string_view kindName(const YAML::Node& n) {
  switch (n.Type()) {
    case YAML::NodeType::Map:
      return "a map";
    case YAML::NodeType::Sequence:
      return "a list";
    case YAML::NodeType::Scalar:
      return "a scalar";
    default:
      return "nothing";
  }
}

class Loader {
 public:
  Loader(std::string file, std::string text) : file_(std::move(file)), text_(std::move(text)) {}

  ReminderLoadResult run();

 private:
  struct Field {
    std::string name;
    YAML::Node key;
    YAML::Node value;
    std::string path;
    YAML::Mark mark() const {
      return value.IsNull() || value.Mark().is_null() ? key.Mark() : value.Mark();
    }
  };

  void error(const YAML::Mark& mark, std::string path, std::string message);
  // The map's fields after checking every key is allowed (empty `allowed`: any key).
  std::vector<Field> fields(const YAML::Node& node, const YAML::Mark& where,
                            const std::string& path, const std::vector<std::string_view>& allowed);
  static const Field* get(const std::vector<Field>& fs, std::string_view name);
  bool scalar(const Field& f, std::string& out);
  bool integer(const Field& f, int64_t min, int64_t max, int64_t& out);
  bool clock(const Field& f, bool allow24, int& minute);
  bool day(const YAML::Node& n, const YAML::Mark& mark, const std::string& path,
           store::DayNumber& out);
  bool duration(const Field& f, int64_t& seconds);

  void readLanguages(const Field& f);
  void readWindow(const Field& f, SendWindow& w);
  std::optional<ReminderRule> readRule(const YAML::Node& n, const std::string& path,
                                       bool installment, ReminderKind fixedKind);
  std::vector<ReminderRule> readRules(const Field& f, bool installment, ReminderKind fixedKind);
  void readMeetings(const Field& f);
  void readLimits(const Field& f);
  void readTemplates(const Field& f);
  void checkReferences(const YAML::Mark& top);

  std::string file_;
  std::string text_;
  std::vector<ReminderFileError> errors_;
  ReminderConfig config_;
  std::vector<std::pair<std::string, YAML::Mark>> ruleTemplateRefs_;  // template -> rule mark
  std::vector<std::pair<std::string, ReminderKind>> usedAs_;
  YAML::Mark templatesMark_ = YAML::Mark::null_mark();
};

void Loader::error(const YAML::Mark& mark, std::string path, std::string message) {
  ReminderFileError e;
  e.file = file_;
  if (!mark.is_null()) {
    e.line = mark.line + 1;
    // yaml-cpp's column counts bytes; count characters from the line's start instead.
    const auto pos = std::min(static_cast<size_t>(std::max(mark.pos, 0)), text_.size());
    const size_t lineStart = text_.rfind('\n', pos == 0 ? 0 : pos - 1);
    const size_t from = (lineStart == std::string::npos || pos == 0) ? 0 : lineStart + 1;
    int chars = 0;
    for (size_t i = from; i < pos; ++i)
      if ((static_cast<unsigned char>(text_[i]) & 0xC0) != 0x80) ++chars;
    e.column = chars + 1;
  }
  e.path = std::move(path);
  e.message = std::move(message);
  errors_.push_back(std::move(e));
}

std::vector<Loader::Field> Loader::fields(const YAML::Node& node, const YAML::Mark& where,
                                          const std::string& path,
                                          const std::vector<std::string_view>& allowed) {
  std::vector<Field> out;
  if (!node.IsMap()) {
    error(node.Mark().is_null() ? where : node.Mark(), path,
          fmt::format("must be a map, not {}", kindName(node)));
    return out;
  }
  std::set<std::string> seen;
  for (const auto& kv : node) {
    const std::string name = kv.first.Scalar();
    const std::string sub = path.empty() ? name : path + "." + name;
    if (!allowed.empty() && std::find(allowed.begin(), allowed.end(), name) == allowed.end()) {
      std::string list;
      for (auto a : allowed)
        list += (list.empty() ? "" : ", ") + std::string(a);
      error(kv.first.Mark(), sub, fmt::format("unknown key (known here: {})", list));
      continue;
    }
    if (!seen.insert(name).second) {
      error(kv.first.Mark(), sub, "repeated key");
      continue;
    }
    out.push_back({name, kv.first, kv.second, sub});
  }
  return out;
}

const Loader::Field* Loader::get(const std::vector<Field>& fs, std::string_view name) {
  for (const auto& f : fs)
    if (f.name == name) return &f;
  return nullptr;
}

bool Loader::scalar(const Field& f, std::string& out) {
  if (!f.value.IsScalar()) {
    error(f.mark(), f.path, fmt::format("must be a text, not {}", kindName(f.value)));
    return false;
  }
  out = f.value.Scalar();
  return true;
}

bool Loader::integer(const Field& f, int64_t min, int64_t max, int64_t& out) {
  std::string s;
  if (!scalar(f, s)) return false;
  try {
    size_t used = 0;
    const long long v = std::stoll(s, &used);
    if (used == s.size() && v >= min && v <= max) {
      out = v;
      return true;
    }
  } catch (const std::exception&) {
  }
  error(f.mark(), f.path,
        fmt::format("must be a whole number from {} to {} (got \"{}\")", min, max, s));
  return false;
}

bool Loader::clock(const Field& f, bool allow24, int& minute) {
  std::string s;
  if (!scalar(f, s)) return false;
  if (s.size() == 5 && s[2] == ':' && std::isdigit(static_cast<unsigned char>(s[0])) &&
      std::isdigit(static_cast<unsigned char>(s[1])) &&
      std::isdigit(static_cast<unsigned char>(s[3])) &&
      std::isdigit(static_cast<unsigned char>(s[4]))) {
    const int h = (s[0] - '0') * 10 + (s[1] - '0');
    const int m = (s[3] - '0') * 10 + (s[4] - '0');
    if ((h < 24 && m < 60) || (allow24 && h == 24 && m == 0)) {
      minute = h * 60 + m;
      return true;
    }
  }
  error(f.mark(), f.path,
        fmt::format("must be a local time HH:MM from 00:00 to {} (got \"{}\")",
                    allow24 ? "24:00" : "23:59", s));
  return false;
}

bool Loader::day(const YAML::Node& n, const YAML::Mark& mark, const std::string& path,
                 store::DayNumber& out) {
  const std::string s = n.IsScalar() ? n.Scalar() : "";
  int y = 0;
  unsigned m = 0, d = 0;
  char dash1 = 0, dash2 = 0;
  std::istringstream in(s);
  if (s.size() == 10 && (in >> y >> dash1 >> m >> dash2 >> d) && dash1 == '-' && dash2 == '-') {
    const std::chrono::year_month_day ymd{std::chrono::year(y), std::chrono::month(m),
                                          std::chrono::day(d)};
    if (ymd.ok()) {
      out = store::toDayNumber(ymd);
      return true;
    }
  }
  error(mark, path, fmt::format("must be a date YYYY-MM-DD (got \"{}\")", s));
  return false;
}

bool Loader::duration(const Field& f, int64_t& seconds) {
  std::string s;
  if (!scalar(f, s)) return false;
  if (s.size() >= 2) {
    const char unit = s.back();
    const int64_t mult = unit == 's'   ? 1
                         : unit == 'm' ? 60
                         : unit == 'h' ? 3600
                         : unit == 'd' ? 86400
                                       : 0;
    const std::string digits = s.substr(0, s.size() - 1);
    if (mult != 0 && !digits.empty() && digits.size() <= 6 &&
        std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; })) {
      seconds = std::stoll(digits) * mult;
      if (seconds > 0) return true;
    }
  }
  error(f.mark(), f.path,
        fmt::format("must be a positive duration like 48h, 90m or 2d (got \"{}\")", s));
  return false;
}

void Loader::readLanguages(const Field& f) {
  for (const Field& lang : fields(f.value, f.mark(), f.path, {})) {
    if (lang.name.size() < 2 || lang.name.size() > 3 ||
        !std::all_of(lang.name.begin(), lang.name.end(),
                     [](char c) { return c >= 'a' && c <= 'z'; })) {
      error(lang.key.Mark(), lang.path, "must be an ISO 639 code of 2-3 lower-case letters");
      continue;
    }
    ReminderLanguage out;
    out.locale.code = lang.name;
    out.locale.datePattern = "DD/MM";
    const auto fs = fields(
        lang.value, lang.mark(), lang.path,
        {"name", "thousands", "decimal", "money", "date", "mfi", "where_to_pay", "already_paid"});
    bool ok = true;
    for (const Field& x : fs) {
      std::string v;
      if (!scalar(x, v)) {
        ok = false;
        continue;
      }
      if (x.name == "name") out.locale.name = v;
      if (x.name == "thousands") out.locale.thousands = v;
      if (x.name == "decimal") out.locale.decimal = v;
      if (x.name == "money") out.locale.moneyPattern = v;
      if (x.name == "date") out.locale.datePattern = v;
      if (x.name == "mfi") out.mfi = v;
      if (x.name == "where_to_pay") out.whereToPay = v;
      if (x.name == "already_paid") out.alreadyPaid = v;
    }
    for (std::string_view required : {"mfi", "where_to_pay", "already_paid"}) {
      if (get(fs, required) == nullptr && lang.value.IsMap()) {
        error(lang.mark(), lang.path, fmt::format("missing key '{}'", required));
        ok = false;
      }
    }
    if (ok) config_.templates.languages[lang.name] = std::move(out);
  }
}

void Loader::readWindow(const Field& f, SendWindow& w) {
  const auto fs = fields(f.value, f.mark(), f.path, {"from", "to", "days"});
  if (const Field* x = get(fs, "from")) clock(*x, false, w.startMinute);
  if (const Field* x = get(fs, "to")) clock(*x, true, w.endMinute);
  if (w.startMinute >= w.endMinute) error(f.mark(), f.path, "'from' must be before 'to'");
  if (const Field* x = get(fs, "days")) {
    if (!x->value.IsSequence()) {
      error(x->mark(), x->path, "must be a list of days (mon, tue, ... sun)");
      return;
    }
    w.weekdays = 0;
    for (const auto& d : x->value) {
      const std::string name = d.IsScalar() ? d.Scalar() : "";
      const auto it = std::find_if(kWeekdays.begin(), kWeekdays.end(),
                                   [&](const auto& p) { return p.first == name; });
      if (it == kWeekdays.end()) {
        error(d.Mark(), x->path,
              fmt::format("unknown day \"{}\" (mon, tue, wed, thu, fri, sat, sun)", name));
        continue;
      }
      w.weekdays = static_cast<uint8_t>(w.weekdays | (1u << (it->second - 1)));
    }
  }
}

std::optional<ReminderRule> Loader::readRule(const YAML::Node& n, const std::string& path,
                                             bool installment, ReminderKind fixedKind) {
  const auto fs = fields(n, n.Mark(), path, {"id", "offset", "at", "last", "template", "groups"});
  ReminderRule r;
  bool ok = n.IsMap();
  const Field* id = get(fs, "id");
  if (id == nullptr && n.IsMap()) {
    error(n.Mark(), path, "missing key 'id'");
    ok = false;
  } else if (id != nullptr && scalar(*id, r.id)) {
    if (r.id.empty() || r.id.size() > store::kMaxReminderRuleBytes ||
        !std::all_of(r.id.begin(), r.id.end(), [](char c) {
          return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
        })) {
      error(id->mark(), id->path, "must be 1-24 characters of a-z, 0-9, '_' and '-'");
      ok = false;
    }
  }
  int64_t offset = 0;
  if (const Field* x = get(fs, "offset"))
    ok = integer(*x, -kMaxOffsetDays, kMaxOffsetDays, offset) && ok;
  r.offsetDays = static_cast<int>(offset);
  if (const Field* x = get(fs, "at")) ok = clock(*x, false, r.minute) && ok;
  r.kind = installment ? (offset < 0    ? ReminderKind::PreDue
                          : offset == 0 ? ReminderKind::DueToday
                                        : ReminderKind::Overdue)
                       : fixedKind;
  // Defaults: a pre-due reminder may go until the day before the due day, a due-day one that
  // day only, an overdue one for 2 more days (a Sunday and a holiday).
  r.lastOffsetDays = r.kind == ReminderKind::PreDue    ? -1
                     : r.kind == ReminderKind::Overdue ? r.offsetDays + 2
                                                       : r.offsetDays;
  if (const Field* x = get(fs, "last")) {
    int64_t last = 0;
    if (integer(*x, -kMaxOffsetDays, kMaxOffsetDays, last)) {
      r.lastOffsetDays = static_cast<int>(last);
    } else {
      ok = false;
    }
  }
  if (r.lastOffsetDays < r.offsetDays) {
    error(n.Mark(), path,
          fmt::format("'last' ({}) is before 'offset' ({})", r.lastOffsetDays, r.offsetDays));
    ok = false;
  }
  r.templateName = std::string(toString(r.kind));
  if (const Field* x = get(fs, "template")) ok = scalar(*x, r.templateName) && ok;
  if (ok) {
    ruleTemplateRefs_.emplace_back(r.templateName, n.Mark());
    usedAs_.emplace_back(r.templateName, r.kind);
  }
  if (const Field* x = get(fs, "groups")) {
    if (fixedKind != ReminderKind::GroupSummary || installment) {
      error(x->key.Mark(), x->path, "only the group summary has 'groups'");
    } else if (!x->value.IsSequence()) {
      error(x->mark(), x->path, "must be a list of group ids, or [\"*\"] for every group");
    } else {
      for (const auto& g : x->value)
        config_.policy.summaryGroups.push_back(g.Scalar());
    }
  }
  if (!ok) return std::nullopt;
  return r;
}

std::vector<ReminderRule> Loader::readRules(const Field& f, bool installment,
                                            ReminderKind fixedKind) {
  std::vector<ReminderRule> rules;
  if (!f.value.IsSequence()) {
    error(f.mark(), f.path, fmt::format("must be a list of rules, not {}", kindName(f.value)));
    return rules;
  }
  std::set<std::string> ids;
  for (size_t i = 0; i < f.value.size(); ++i) {
    const YAML::Node n = f.value[i];
    const std::string path = fmt::format("{}[{}]", f.path, i);
    auto r = readRule(n, path, installment, fixedKind);
    if (!r) continue;
    if (!ids.insert(r->id).second) {
      error(n.Mark(), path + ".id",
            fmt::format("rule id \"{}\" is used twice in this list", r->id));
      continue;
    }
    rules.push_back(std::move(*r));
  }
  return rules;
}

void Loader::readMeetings(const Field& f) {
  const auto fs = fields(f.value, f.mark(), f.path, {"rules", "summary"});
  if (const Field* x = get(fs, "rules"))
    config_.policy.meetingRules = readRules(*x, false, ReminderKind::Meeting);
  if (const Field* x = get(fs, "summary")) {
    if (auto r = readRule(x->value, x->path, false, ReminderKind::GroupSummary))
      config_.policy.summaryRule = *r;
  }
}

void Loader::readLimits(const Field& f) {
  ReminderVarLimits& l = config_.templates.limits;
  for (const Field& x :
       fields(f.value, f.mark(), f.path, {"officer", "account", "group", "unpaid"})) {
    int64_t v = 0;
    if (!integer(x, 1, 160, v)) continue;
    const auto n = static_cast<size_t>(v);
    if (x.name == "officer") l.officer = n;
    if (x.name == "account") l.account = n;
    if (x.name == "group") l.group = n;
    if (x.name == "unpaid") l.unpaid = n;
  }
}

void Loader::readTemplates(const Field& f) {
  templatesMark_ = f.mark();
  for (const Field& t : fields(f.value, f.mark(), f.path, {})) {
    ReminderTemplate out;
    out.name = t.name;
    if (!isStandardTemplate(t.name, out.kind)) {
      const auto it = std::find_if(usedAs_.begin(), usedAs_.end(),
                                   [&](const auto& p) { return p.first == t.name; });
      out.kind = it == usedAs_.end() ? ReminderKind::PreDue : it->second;
    }
    for (const auto& [name, kind] : usedAs_) {
      if (name == t.name && kind != out.kind &&
          !(isInstallmentKind(kind) && isInstallmentKind(out.kind)))
        error(t.key.Mark(), t.path,
              fmt::format("used by a {} rule but written for {} messages", toString(kind),
                          toString(out.kind)));
    }
    const auto& allowedVars = reminderVariables(out.kind);
    const auto texts = fields(t.value, t.mark(), t.path, {});
    for (const Field& x : texts) {
      std::string raw;
      if (!scalar(x, raw)) continue;
      const auto langIt = config_.templates.languages.find(x.name);
      if (langIt == config_.templates.languages.end()) {
        error(x.key.Mark(), x.path, "a language not listed under 'languages'");
        continue;
      }
      menus::TemplateParse parsed = menus::parseTemplate(raw);
      if (!parsed.error.empty()) {
        error(x.mark(), x.path, parsed.error);
        continue;
      }
      bool ok = true;
      for (const std::string& v : parsed.value.variables()) {
        if (std::find(allowedVars.begin(), allowedVars.end(), v) == allowedVars.end()) {
          std::string list;
          for (auto a : allowedVars)
            list += (list.empty() ? "{" : ", {") + std::string(a) + "}";
          error(x.mark(), x.path,
                fmt::format("unknown variable {{{}}} for {} messages (known: {})", v,
                            toString(out.kind), list));
          ok = false;
        }
      }
      const auto vars = parsed.value.variables();
      if (isInstallmentKind(out.kind) &&
          std::find(vars.begin(), vars.end(), "already_paid") == vars.end()) {
        error(x.mark(), x.path, "must contain {already_paid} (\"if you already paid, thank you\")");
        ok = false;
      }
      if (!ok) continue;
      const TemplateFit fit = measureWorstCase(config_.templates, langIt->second, parsed.value);
      if (!fit.fits()) {
        if (fit.gsm7) {
          error(x.mark(), x.path,
                fmt::format(
                    "cannot fit one SMS: {} GSM-7 septets with every variable at its maximum, "
                    "the limit is {}",
                    fit.units, fit.limit));
        } else {
          error(x.mark(), x.path,
                fmt::format(
                    "cannot fit one SMS: needs UCS-2 ('{}' is not GSM-7), {} UCS-2 units with "
                    "every variable at its maximum, the limit is {}",
                    fit.firstNonGsm.empty() ? "?" : fit.firstNonGsm, fit.units, fit.limit));
        }
      }
      out.byLanguage[x.name] = std::move(parsed.value);
    }
    for (const auto& [code, lang] : config_.templates.languages) {
      if (get(texts, code) == nullptr && t.value.IsMap())
        error(t.mark(), t.path, fmt::format("missing the '{}' text", code));
    }
    config_.templates.templates.push_back(std::move(out));
  }
}

void Loader::checkReferences(const YAML::Mark& top) {
  for (const auto& [name, mark] : ruleTemplateRefs_) {
    if (config_.templates.find(name) == nullptr)
      error(mark, "",
            fmt::format("rule uses template \"{}\", which 'templates' does not define", name));
  }
  const ReminderPolicy& p = config_.policy;
  if (p.ruleSets.empty()) error(top, "rule_sets", "at least one rule set is needed");
  if (!config_.templates.languages.empty() &&
      config_.templates.languages.count(config_.templates.defaultLanguage) == 0)
    error(top, "default_language",
          fmt::format("\"{}\" is not listed under 'languages'", config_.templates.defaultLanguage));
}

ReminderLoadResult Loader::run() {
  ReminderLoadResult result;
  YAML::Node root;
  try {
    root = YAML::Load(text_);
  } catch (const YAML::Exception& e) {
    error(e.mark, "", e.msg);
    result.errors = std::move(errors_);
    return result;
  }
  const YAML::Mark top = root.Mark().is_null() ? YAML::Mark() : root.Mark();
  const auto fs =
      fields(root, top, "",
             {"version", "time_zone", "default_language", "languages", "currency", "window",
              "overdue_window", "holidays", "caps", "stale_after", "deferral_pending_suppresses",
              "weekly_max_gap_days", "rule_sets", "products", "meetings", "limits", "templates"});
  ReminderPolicy& p = config_.policy;
  for (std::string_view required : {"version", "languages", "rule_sets", "templates"}) {
    if (get(fs, required) == nullptr && root.IsMap())
      error(top, std::string(required), "missing key");
  }
  if (const Field* x = get(fs, "version")) scalar(*x, config_.version);
  if (const Field* x = get(fs, "time_zone")) {
    if (scalar(*x, p.timeZone) && !ReminderZone::find(p.timeZone))
      error(x->mark(), x->path,
            fmt::format("unknown time zone \"{}\" (an IANA name such as Africa/Nairobi)",
                        p.timeZone));
  }
  if (const Field* x = get(fs, "languages")) readLanguages(*x);
  if (const Field* x = get(fs, "default_language")) scalar(*x, config_.templates.defaultLanguage);
  p.defaultLanguage = config_.templates.defaultLanguage;
  if (const Field* x = get(fs, "currency")) {
    for (const Field& c :
         fields(x->value, x->mark(), x->path, {"code", "decimals", "max_digits"})) {
      int64_t v = 0;
      if (c.name == "code") scalar(c, config_.templates.limits.currency);
      if (c.name == "decimals" && integer(c, 0, 6, v))
        config_.templates.limits.decimals = static_cast<int>(v);
      if (c.name == "max_digits" && integer(c, 1, 15, v))
        config_.templates.limits.amountDigits = static_cast<int>(v);
    }
  }
  if (const Field* x = get(fs, "window")) readWindow(*x, p.window);
  if (const Field* x = get(fs, "overdue_window")) readWindow(*x, p.overdueWindow);
  if (const Field* x = get(fs, "holidays")) {
    if (!x->value.IsSequence()) {
      error(x->mark(), x->path, "must be a list of dates YYYY-MM-DD");
    } else {
      for (const auto& d : x->value) {
        store::DayNumber holiday = store::kNoDay;
        if (day(d, d.Mark(), x->path, holiday)) p.window.holidays.push_back(holiday);
      }
      std::sort(p.window.holidays.begin(), p.window.holidays.end());
      p.overdueWindow.holidays = p.window.holidays;
    }
  }
  if (const Field* x = get(fs, "caps")) {
    for (const Field& c :
         fields(x->value, x->mark(), x->path, {"per_borrower_per_day", "per_installment"})) {
      int64_t v = 0;
      if (!integer(c, 1, 10, v)) continue;
      (c.name == "per_borrower_per_day" ? p.maxPerBorrowerPerDay : p.maxPerInstallment) =
          static_cast<uint32_t>(v);
    }
  }
  if (const Field* x = get(fs, "stale_after")) duration(*x, p.staleAfterSeconds);
  if (const Field* x = get(fs, "deferral_pending_suppresses")) {
    std::string v;
    if (scalar(*x, v)) {
      if (v == "overdue")
        p.deferralSuppresses = DeferralScope::Overdue;
      else if (v == "all")
        p.deferralSuppresses = DeferralScope::All;
      else
        error(x->mark(), x->path, fmt::format("must be overdue or all (got \"{}\")", v));
    }
  }
  if (const Field* x = get(fs, "weekly_max_gap_days")) {
    int64_t v = 0;
    if (integer(*x, 1, 31, v)) p.weeklyMaxGapDays = static_cast<int>(v);
  }
  if (const Field* x = get(fs, "rule_sets")) {
    for (const Field& set : fields(x->value, x->mark(), x->path, {}))
      p.ruleSets.push_back({set.name, readRules(set, true, ReminderKind::PreDue)});
  }
  if (const Field* x = get(fs, "products")) {
    for (const Field& prod : fields(x->value, x->mark(), x->path, {})) {
      std::string set;
      if (!scalar(prod, set)) continue;
      if (std::none_of(p.ruleSets.begin(), p.ruleSets.end(),
                       [&](const RuleSet& s) { return s.name == set; })) {
        error(prod.mark(), prod.path, fmt::format("names no rule set (\"{}\")", set));
        continue;
      }
      p.products.emplace_back(prod.name, set);
    }
  }
  if (const Field* x = get(fs, "meetings")) readMeetings(*x);
  if (const Field* x = get(fs, "limits")) readLimits(*x);
  if (const Field* x = get(fs, "templates")) readTemplates(*x);
  if (root.IsMap()) checkReferences(top);
  std::stable_sort(errors_.begin(), errors_.end(), [](const auto& a, const auto& b) {
    return std::tie(a.line, a.column) < std::tie(b.line, b.column);
  });
  result.errors = std::move(errors_);
  if (result.errors.empty()) result.config = std::move(config_);
  return result;
}

}  // namespace

std::string ReminderLoadResult::errorText() const {
  std::string out;
  for (const auto& e : errors)
    out += e.toString() + "\n";
  return out;
}

ReminderLoadResult loadReminderFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    ReminderLoadResult r;
    r.errors.push_back({path, 0, 0, "", "cannot read the file"});
    return r;
  }
  std::ostringstream text;
  text << in.rdbuf();
  return loadReminderText(text.str(), path);
}

ReminderLoadResult loadReminderText(std::string_view yaml, const std::string& displayName) {
  try {
    return Loader(displayName, std::string(yaml)).run();
  } catch (const std::exception& e) {
    // yaml-cpp throws from node conversions on odd documents (e.g. a non-scalar map key).
    ReminderLoadResult r;
    r.errors.push_back(
        {displayName, 0, 0, "", std::string("cannot read the document: ") + e.what()});
    return r;
  }
}

}  // namespace mfigw::gateway
