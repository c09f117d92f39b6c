#include "gateway/reminder_templates.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "menus/value_format.hpp"
#include "smpp/text_gsm7.hpp"
#include "smpp/text_split.hpp"
#include "smpp/text_transliterate.hpp"
#include "smpp/text_utf8.hpp"

namespace mfigw::gateway {
namespace {

constexpr size_t kMaxCount = 999;  // members of a group, for the lint

std::string isoDate(store::DayNumber day) {
  const auto ymd = store::toDate(day);
  return fmt::format("{:04}-{:02}-{:02}", static_cast<int>(ymd.year()),
                     static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()));
}

std::string clockTime(int minute) {
  return fmt::format("{:02}:{:02}", minute / 60, minute % 60);
}

bool isGsm7Text(std::string_view utf8) {
  return smpp::gsm7Length(utf8).ok();
}

// A value fit for a GSM-7 template: transliterated, then one septet per character ('?' for
// anything else), so a cut at `max` characters bounds its septets.
std::string gsmSafe(std::string_view utf8) {
  const auto translit = smpp::transliterateForGsm7(utf8);
  const auto points = smpp::decodeUtf8(translit ? std::string_view(*translit) : utf8);
  if (!points) return "?";
  std::string out;
  for (char32_t cp : *points)
    smpp::appendUtf8(out, smpp::gsm7Cost(cp) == 1 ? cp : U'?');
  return out;
}

// Cuts to `max` units: code points for GSM-7 (each one septet after gsmSafe), UTF-16 units
// otherwise. Never splits a character.
std::string cut(std::string_view utf8, size_t max, bool gsm7) {
  const auto points = smpp::decodeUtf8(utf8);
  if (!points) return std::string();
  std::u32string kept;
  size_t units = 0;
  for (char32_t cp : *points) {
    const size_t cost = (!gsm7 && cp > 0xFFFF) ? 2 : 1;
    if (units + cost > max) break;
    units += cost;
    kept.push_back(cp);
  }
  return smpp::encodeUtf8(kept);
}

std::string joinNames(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) {
    if (!out.empty()) out += ", ";
    out += n;
  }
  return out;
}

std::string moneyText(int64_t minor, int decimals, std::string_view currency,
                      const menus::Locale& locale) {
  return menus::formatMoney(std::to_string(minor), decimals, currency, locale);
}

// Every literal and fixed text of the template in one language is GSM-7.
bool templateIsGsm7(const menus::TextTemplate& tmpl, const ReminderLanguage& lang) {
  for (const auto& part : tmpl.parts) {
    if (!part.variable && !isGsm7Text(part.text)) return false;
    if (part.variable) {
      if (part.text == "mfi" && !isGsm7Text(lang.mfi)) return false;
      if (part.text == "where_to_pay" && !isGsm7Text(lang.whereToPay)) return false;
      if (part.text == "already_paid" && !isGsm7Text(lang.alreadyPaid)) return false;
      if ((part.text == "amount" || part.text == "due_date" || part.text == "meeting_date") &&
          !isGsm7Text(lang.locale.thousands + lang.locale.decimal + lang.locale.datePattern +
                      lang.locale.moneyPattern))
        return false;
    }
  }
  return true;
}

std::string variableText(std::string_view name, const ReminderValues& v,
                         const ReminderLanguage& lang, const ReminderVarLimits& limits, bool gsm7) {
  const auto text = [&](const std::string& raw, size_t max) {
    return cut(gsm7 ? gsmSafe(raw) : raw, max, gsm7);
  };
  if (name == "officer") return text(v.officer, limits.officer);
  if (name == "account") return text(v.account, limits.account);
  if (name == "group") return text(v.group, limits.group);
  if (name == "unpaid") return text(joinNames(v.unpaid), limits.unpaid);
  if (name == "amount") return moneyText(v.amountMinor, v.decimals, v.currency, lang.locale);
  if (name == "due_date") return menus::formatDate(isoDate(v.dueDay), lang.locale);
  if (name == "meeting_date") return menus::formatDate(isoDate(v.meetingDay), lang.locale);
  if (name == "meeting_time") return v.meetingMinute < 0 ? "" : clockTime(v.meetingMinute);
  if (name == "paid_count") return std::to_string(v.paidCount);
  if (name == "member_count") return std::to_string(v.memberCount);
  if (name == "mfi") return lang.mfi;
  if (name == "where_to_pay") return lang.whereToPay;
  if (name == "already_paid") return lang.alreadyPaid;
  return "";
}

}  // namespace

const std::vector<std::string_view>& reminderVariables(ReminderKind kind) {
  static const std::vector<std::string_view> kInstallment = {
      "officer", "amount", "due_date", "where_to_pay", "mfi", "already_paid", "account"};
  static const std::vector<std::string_view> kMeeting = {"group", "meeting_date", "meeting_time",
                                                         "mfi", "where_to_pay"};
  static const std::vector<std::string_view> kSummary = {
      "group", "meeting_date", "paid_count", "member_count", "unpaid", "mfi"};
  switch (kind) {
    case ReminderKind::Meeting:
      return kMeeting;
    case ReminderKind::GroupSummary:
      return kSummary;
    default:
      return kInstallment;
  }
}

const ReminderTemplate* ReminderTemplates::find(std::string_view name) const {
  for (const auto& t : templates)
    if (t.name == name) return &t;
  return nullptr;
}

std::string ReminderTemplates::languageFor(std::string_view preferred) const {
  if (!preferred.empty() && languages.count(std::string(preferred)) != 0) {
    return std::string(preferred);
  }
  return defaultLanguage;
}

std::optional<Rendered> ReminderTemplates::render(std::string_view templateName,
                                                  std::string_view language,
                                                  const ReminderValues& values) const {
  const ReminderTemplate* t = find(templateName);
  if (t == nullptr) return std::nullopt;
  std::string code = languageFor(language);
  auto text = t->byLanguage.find(code);
  if (text == t->byLanguage.end()) {
    code = defaultLanguage;
    text = t->byLanguage.find(code);
  }
  if (text == t->byLanguage.end() || languages.count(code) == 0) return std::nullopt;
  const ReminderLanguage& lang = languages.at(code);
  const bool gsm7 = templateIsGsm7(text->second, lang);
  Rendered out;
  out.language = code;
  out.text = menus::renderTemplate(text->second, [&](std::string_view name) {
    return variableText(name, values, lang, limits, gsm7);
  });
  return out;
}

TemplateFit measureWorstCase(const ReminderTemplates& all, const ReminderLanguage& language,
                             const menus::TextTemplate& tmpl) {
  TemplateFit fit;
  fit.gsm7 = templateIsGsm7(tmpl, language);
  const ReminderVarLimits& lim = all.limits;
  // The widest value of each variable: 'W' stands for any one-unit character.
  ReminderValues worst;
  worst.officer = std::string(lim.officer, 'W');
  worst.account = std::string(lim.account, 'W');
  worst.group = std::string(lim.group, 'W');
  worst.unpaid = {std::string(lim.unpaid, 'W')};
  worst.currency = lim.currency;
  worst.decimals = lim.decimals;
  int64_t amount = 0;
  for (int i = 0; i < lim.amountDigits + lim.decimals; ++i)
    amount = amount * 10 + 9;
  worst.amountMinor = amount;
  worst.dueDay = store::toDayNumber(2024, 12, 31);  // two-digit day and month
  worst.meetingDay = worst.dueDay;
  worst.meetingMinute = 23 * 60 + 59;
  worst.paidCount = kMaxCount;
  worst.memberCount = kMaxCount;
  fit.worstCase = menus::renderTemplate(tmpl, [&](std::string_view name) {
    return variableText(name, worst, language, lim, fit.gsm7);
  });
  if (fit.gsm7) {
    fit.limit = smpp::kSingleGsm7Septets;
    fit.units = smpp::gsm7Length(fit.worstCase).value();
  } else {
    fit.limit = smpp::kSingleUcs2Units;
    const auto units = smpp::encodedLength(fit.worstCase, smpp::TextEncoding::Ucs2);
    fit.units = units ? *units : fit.worstCase.size();
    for (const auto& part : tmpl.parts) {
      const auto points = smpp::decodeUtf8(part.variable ? std::string() : part.text);
      if (!points) continue;
      for (char32_t cp : *points) {
        if (smpp::gsm7Cost(cp) == 0) {
          smpp::appendUtf8(fit.firstNonGsm, cp);
          break;
        }
      }
      if (!fit.firstNonGsm.empty()) break;
    }
  }
  return fit;
}

}  // namespace mfigw::gateway
