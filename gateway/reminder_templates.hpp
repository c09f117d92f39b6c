// gateway/reminder_templates.hpp: reminder texts per language, rendered and measured.
//
// Purpose:   The SMS a reminder becomes. Each template is a `{var}` text (menus'
//            TextTemplate syntax) in every configured language. Variables, by kind:
//              installments (pre_due, due_today, overdue): {officer} {amount} {due_date}
//                {where_to_pay} {mfi} {already_paid} {account}
//              meeting: {group} {meeting_date} {meeting_time} {mfi} {where_to_pay}
//              group_summary: {group} {meeting_date} {paid_count} {member_count} {unpaid}
//                {mfi}
//            {amount} is money from minor units with the loan's currency decimals and the
//            language's separators; dates use the language's pattern; {mfi},
//            {where_to_pay} and {already_paid} ("if you already paid, thank you") are fixed
//            texts per language. Text values are cut to their declared maximum, and for a
//            GSM-7 template transliterated, with anything still outside the GSM 7-bit
//            default alphabet shown as '?', so the lint's worst case holds at run time.
//            The lint (lintTemplate) renders every template with every variable at its
//            maximum and reports one that cannot fit one segment: 160 GSM-7 septets, or 70
//            UCS-2 units when the template needs UCS-2 (Arabic, or any character outside
//            GSM-7). Installment templates must contain {already_paid}.
// Threading: Immutable after loading; share freely.
// Errors:    render() never fails: an unknown language falls back to the default one.
// Ownership: Plain values.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gateway/reminder_rules.hpp"
#include "menus/menu_tree.hpp"
#include "menus/text_template.hpp"

namespace mfigw::gateway {

struct ReminderLanguage {
  menus::Locale locale;     // separators, money pattern, date pattern
  std::string mfi;          // {mfi}
  std::string whereToPay;   // {where_to_pay}
  std::string alreadyPaid;  // {already_paid}
};

// Declared maxima for the lint (and the cut at run time for texts).
struct ReminderVarLimits {
  size_t officer = 16;  // characters; the snapshot allows 16 bytes
  size_t account = 20;
  size_t group = 20;
  size_t unpaid = 40;    // the unpaid members' names, joined with ", "
  int amountDigits = 6;  // digits before the decimals at most (lint only; never cut)
  std::string currency = "KES";
  int decimals = 2;
};

struct ReminderTemplate {
  std::string name;  // "pre_due", "due_today", "overdue", "meeting", "group_summary", or custom
  ReminderKind kind = ReminderKind::PreDue;
  std::map<std::string, menus::TextTemplate> byLanguage;
};

// The values of one message, before formatting. Unset fields are not used by the kind.
struct ReminderValues {
  std::string officer;
  int64_t amountMinor = 0;
  std::string currency;
  int decimals = 0;
  store::DayNumber dueDay = store::kNoDay;
  std::string account;
  std::string group;
  store::DayNumber meetingDay = store::kNoDay;
  int meetingMinute = -1;  // -1: no time known
  size_t paidCount = 0;
  size_t memberCount = 0;
  std::vector<std::string> unpaid;
};

// Variable names a kind may use.
const std::vector<std::string_view>& reminderVariables(ReminderKind kind);

struct Rendered {
  std::string text;
  std::string language;  // the one used (after fallback)
};

class ReminderTemplates {
 public:
  std::string defaultLanguage = "en";
  std::map<std::string, ReminderLanguage> languages;
  ReminderVarLimits limits;
  std::vector<ReminderTemplate> templates;

  const ReminderTemplate* find(std::string_view name) const;
  // The language a client gets: theirs when every template has it, else the default.
  std::string languageFor(std::string_view preferred) const;
  // nullopt only when no template has that name.
  std::optional<Rendered> render(std::string_view templateName, std::string_view language,
                                 const ReminderValues& values) const;
};

// One template's worst case in one language.
struct TemplateFit {
  bool gsm7 = true;         // false: needs UCS-2
  size_t units = 0;         // septets (GSM-7) or UTF-16 units (UCS-2)
  size_t limit = 0;         // 160 or 70
  std::string firstNonGsm;  // the first character that forces UCS-2, when !gsm7
  std::string worstCase;    // the text measured
  bool fits() const { return units <= limit; }
};

// Renders `tmpl` with every variable at its maximum and measures it.
TemplateFit measureWorstCase(const ReminderTemplates& all, const ReminderLanguage& language,
                             const menus::TextTemplate& tmpl);

}  // namespace mfigw::gateway
