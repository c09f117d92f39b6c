// reminders.yaml: the shipped file loads and passes the lint in en, fr, es and ar; mistakes
// are reported as FILE:LINE:COL (columns in characters); the lint catches texts that cannot
// fit one GSM-7 or UCS-2 segment; rendering formats money, dates and cut texts per language.
#include "gateway/reminder_file.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <string>

#include "gateway/reminder_templates.hpp"
#include "smpp/text_gsm7.hpp"

namespace mfigw::gateway {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

const std::string kShipped = std::string(MFIGW_SOURCE_DIR) + "/menus/mfi/reminders.yaml";

// A small valid file; tests replace parts of it.
std::string minimal(const std::string& extra = "", const std::string& preDue = "") {
  return "version: t1\n"
         "languages:\n"
         "  en: {mfi: Umoja, where_to_pay: Paybill 400200, already_paid: Thanks if paid.}\n"
         "rule_sets:\n"
         "  monthly:\n"
         "    - {id: pre3, offset: -3, at: \"09:00\"}\n"
         "templates:\n"
         "  pre_due:\n"
         "    en: \"" +
         (preDue.empty() ? "{mfi}: {amount} due {due_date}. {already_paid}" : preDue) + "\"\n" +
         extra;
}

std::vector<std::string> errorLines(const ReminderLoadResult& r) {
  std::vector<std::string> out;
  for (const auto& e : r.errors)
    out.push_back(e.toString());
  return out;
}

TEST(ReminderFile, TheShippedFileLoadsAndFits) {
  const ReminderLoadResult r = loadReminderFile(kShipped);
  ASSERT_TRUE(r.ok()) << r.errorText();
  const ReminderConfig& c = *r.config;
  EXPECT_EQ(c.policy.timeZone, "Africa/Nairobi");
  EXPECT_EQ(c.policy.window.startMinute, 8 * 60);
  EXPECT_EQ(c.policy.window.endMinute, 19 * 60);
  EXPECT_EQ(c.policy.window.weekdays, 0x3F);
  EXPECT_EQ(c.policy.overdueWindow.startMinute, 9 * 60);
  EXPECT_EQ(c.policy.overdueWindow.endMinute, 18 * 60);
  EXPECT_FALSE(c.policy.window.holidays.empty());
  EXPECT_EQ(c.policy.maxPerBorrowerPerDay, 1u);
  EXPECT_EQ(c.policy.maxPerInstallment, 4u);
  EXPECT_EQ(c.policy.staleAfterSeconds, 48 * 3600);
  ASSERT_EQ(c.policy.ruleSets.size(), 2u);
  EXPECT_EQ(c.policy.ruleSets[0].name, "monthly");
  const ReminderRule& pre3 = c.policy.ruleSets[0].rules[0];
  EXPECT_EQ(pre3.offsetDays, -3);
  EXPECT_EQ(pre3.minute, 9 * 60);
  EXPECT_EQ(pre3.lastOffsetDays, -1);
  EXPECT_EQ(pre3.kind, ReminderKind::PreDue);
  EXPECT_EQ(c.policy.ruleSets[0].rules[2].kind, ReminderKind::Overdue);
  EXPECT_EQ(c.policy.meetingRules.size(), 1u);
  ASSERT_TRUE(c.policy.summaryRule.has_value());
  EXPECT_TRUE(c.policy.summaryGroups.empty());  // opt-in: nobody by default
  ASSERT_EQ(c.templates.templates.size(), 5u);
  for (const auto& t : c.templates.templates) {
    ASSERT_EQ(t.byLanguage.size(), 4u) << t.name;
    for (const auto& [code, text] : t.byLanguage) {
      const TemplateFit fit = measureWorstCase(c.templates, c.templates.languages.at(code), text);
      EXPECT_TRUE(fit.fits()) << t.name << "." << code << ": " << fit.units << " > " << fit.limit;
      EXPECT_EQ(fit.gsm7, code != "ar") << t.name << "." << code << " " << fit.firstNonGsm;
    }
  }
}

TEST(ReminderFile, ErrorsNameFileLineColumnAndKey) {
  const std::string text =
      "version: t1\n"
      "time_zone: Mars/Olympus\n"
      "windw: {from: \"08:00\"}\n"
      "window: {from: \"19:00\", to: \"08:00\", days: [mon, funday]}\n"
      "holidays: [2024-02-30]\n"
      "stale_after: soon\n"
      "languages:\n"
      "  en: {mfi: Umoja, where_to_pay: Paybill 400200, already_paid: Thanks if paid.}\n"
      "rule_sets:\n"
      "  monthly:\n"
      "    - {id: Pre 3, offset: -99, at: \"25:00\"}\n"
      "    - {id: due, offset: 0, last: -2}\n"
      "    - {id: late, offset: 1}\n"
      "    - {id: late, offset: 2}\n"
      "products: {WK: weekly}\n"
      "templates:\n"
      "  pre_due: {en: \"{mfi} {amount} {nope} {already_paid}\", fr: \"x\"}\n"
      "  due_today: {en: \"{mfi} {amount\"}\n";
  const ReminderLoadResult r = loadReminderText(text, "r.yaml");
  ASSERT_FALSE(r.ok());
  const auto lines = errorLines(r);
  const auto has = [&](const std::string& s) {
    return std::any_of(lines.begin(), lines.end(), [&](const std::string& l) { return l == s; });
  };
  const std::string all = r.errorText();
  EXPECT_TRUE(
      has("r.yaml:2:12: time_zone: unknown time zone \"Mars/Olympus\" (an IANA name such "
          "as Africa/Nairobi)"))
      << all;
  EXPECT_THAT(all, HasSubstr("r.yaml:3:1: windw: unknown key"));
  EXPECT_THAT(all, HasSubstr("r.yaml:4:9: window: 'from' must be before 'to'"));
  EXPECT_THAT(all, HasSubstr("r.yaml:4:50: window.days: unknown day \"funday\""));
  EXPECT_THAT(all,
              HasSubstr("r.yaml:5:12: holidays: must be a date YYYY-MM-DD (got \"2024-02-30\")"));
  EXPECT_THAT(all, HasSubstr("r.yaml:6:14: stale_after: must be a positive duration"));
  EXPECT_THAT(all, HasSubstr("r.yaml:11:12: rule_sets.monthly[0].id: must be 1-24 characters"));
  EXPECT_THAT(all, HasSubstr("r.yaml:11:27: rule_sets.monthly[0].offset: must be a whole number "
                             "from -62 to 62 (got \"-99\")"));
  EXPECT_THAT(all, HasSubstr("r.yaml:11:36: rule_sets.monthly[0].at: must be a local time HH:MM"));
  EXPECT_THAT(all,
              HasSubstr("r.yaml:12:7: rule_sets.monthly[1]: 'last' (-2) is before 'offset' (0)"));
  EXPECT_THAT(all,
              HasSubstr("r.yaml:14:7: rule_sets.monthly[3].id: rule id \"late\" is used twice"));
  EXPECT_THAT(all, HasSubstr("r.yaml:15:16: products.WK: names no rule set (\"weekly\")"));
  EXPECT_THAT(all, HasSubstr("r.yaml:17:17: templates.pre_due.en: unknown variable {nope} for "
                             "pre_due messages"));
  EXPECT_THAT(all, HasSubstr("r.yaml:17:57: templates.pre_due.fr: a language not listed"));
  EXPECT_THAT(all, HasSubstr("r.yaml:18:19: templates.due_today.en: unclosed '{'"));
  // Sorted by position.
  for (size_t i = 1; i < r.errors.size(); ++i) {
    EXPECT_LE(std::make_pair(r.errors[i - 1].line, r.errors[i - 1].column),
              std::make_pair(r.errors[i].line, r.errors[i].column));
  }
}

TEST(ReminderFile, InstallmentTemplatesMustThankThoseWhoPaid) {
  const auto r = loadReminderText(minimal("", "{mfi}: {amount} due {due_date}."), "r.yaml");
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.errorText(), HasSubstr("r.yaml:9:9: templates.pre_due.en: must contain "
                                       "{already_paid}"));
  EXPECT_TRUE(loadReminderText(minimal(), "r.yaml").ok())
      << loadReminderText(minimal(), "r.yaml").errorText();
}

TEST(ReminderFile, LintCountsSeptetsWithEveryVariableAtItsMaximum) {
  // Umoja (5) + officer (12) + KES 999,999.99 (14) + 31/12 (5) + Paybill 400200 (14) +
  // "Thanks if paid." (15) + a space = 66 septets before the filler.
  const std::string fill(160 - 66, 'x');
  const std::string fits = "{mfi}{officer}{amount}{due_date}{where_to_pay}{already_paid} " + fill;
  const std::string extra =
      "limits: {officer: 12}\ncurrency: {code: KES, decimals: 2, max_digits: 6}\n";
  auto r = loadReminderText(minimal(extra, fits), "r.yaml");
  EXPECT_TRUE(r.ok()) << r.errorText();
  r = loadReminderText(minimal(extra, fits + "x"), "r.yaml");
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.errorText(), HasSubstr("r.yaml:9:9: templates.pre_due.en: cannot fit one SMS: "
                                       "161 GSM-7 septets with every variable at its maximum, the "
                                       "limit is 160"));
  // Extension characters cost two septets.
  r = loadReminderText(minimal(extra, fits.substr(0, fits.size() - 1) + "€"), "r.yaml");
  EXPECT_THAT(r.errorText(), HasSubstr("161 GSM-7 septets"));
}

TEST(ReminderFile, LintHoldsUcs2TextsToSeventy) {
  // Spanish with an accent outside GSM-7: the whole text becomes UCS-2.
  auto r = loadReminderText(minimal("",
                                    "{mfi}: su cuota de {amount} vence el {due_date}. Pague ya. "
                                    "Asesor {officer}. {already_paid} Gracias por su atención."),
                            "r.yaml");
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.errorText(), HasSubstr("needs UCS-2 ('ó' is not GSM-7)"));
  EXPECT_THAT(r.errorText(), HasSubstr("the limit is 70"));
  // Arabic: 70 UCS-2 units; columns count characters, not bytes.
  const std::string ar =
      "version: t1\n"
      "languages:\n"
      "  ar: {mfi: أمانة, where_to_pay: إم-بيسا, already_paid: شكرا}\n"
      "default_language: ar\n"
      "rule_sets: {monthly: [{id: pre3, offset: -3, at: \"09:00\"}]}\n"
      "templates:\n"
      "  pre_due: {ar: \"قسطك {amount} يستحق {due_date}. {where_to_pay}. {officer}. "
      "{already_paid}\"}\n"
      "  overdue: {ar: \"قسطك {amount} متأخر منذ {due_date}. ادفع عبر {where_to_pay} اليوم من "
      "فضلك. الموظف {officer}. {already_paid}\"}\n"
      "  due_today: {ar: \"قسط\", en: x}\n";
  r = loadReminderText(ar, "ar.yaml");
  ASSERT_FALSE(r.ok());
  const std::string all = r.errorText();
  EXPECT_THAT(all, Not(HasSubstr("templates.pre_due.ar")));
  EXPECT_THAT(all,
              HasSubstr("ar.yaml:8:17: templates.overdue.ar: cannot fit one SMS: needs UCS-2"));
  // 'en' after Arabic text on the line: character column 26 (byte column 29).
  EXPECT_THAT(all, HasSubstr("ar.yaml:9:26: templates.due_today.en: a language not listed"));
  EXPECT_THAT(all, HasSubstr("templates.due_today.ar: must contain {already_paid}"));
}

TEST(ReminderTemplates, RendersPerLanguageWithFallback) {
  const ReminderLoadResult r = loadReminderFile(kShipped);
  ASSERT_TRUE(r.ok()) << r.errorText();
  const ReminderTemplates& t = r.config->templates;
  ReminderValues v;
  v.officer = "Zoë Núñez-Wanjiru Kamau";  // cut to 12, transliterated for GSM-7
  v.amountMinor = 123'456;
  v.currency = "KES";
  v.decimals = 2;
  v.dueDay = store::toDayNumber(2024, 8, 5);
  const auto en = t.render("pre_due", "en", v);
  ASSERT_TRUE(en.has_value());
  EXPECT_EQ(en->language, "en");
  EXPECT_THAT(en->text, HasSubstr("KES 1,234.56 is due on 05/08"));
  EXPECT_THAT(en->text, HasSubstr("If you have already paid, thank you."));
  EXPECT_TRUE(smpp::gsm7Length(en->text).ok()) << en->text;
  const auto fr = t.render("pre_due", "fr", v);
  EXPECT_THAT(fr->text, HasSubstr("1 234,56 KES est due le 05/08"));
  const auto es = t.render("overdue", "es", v);
  EXPECT_THAT(es->text, HasSubstr("1.234,56 KES del 05/08"));
  const auto ar = t.render("pre_due", "ar", v);
  EXPECT_THAT(ar->text, HasSubstr("Zoë Núñez-Wa"));  // UCS-2: kept as written, cut to 12
  EXPECT_THAT(ar->text, HasSubstr("إن دفعت فشكرا"));
  // A language with no texts falls back to the default.
  const auto sw = t.render("due_today", "sw", v);
  EXPECT_EQ(sw->language, "en");
  EXPECT_FALSE(t.render("no_such_template", "en", v).has_value());
  // Zero decimals (UGX) and the meeting time.
  v.currency = "UGX";
  v.decimals = 0;
  v.amountMinor = 150'000;
  EXPECT_THAT(t.render("due_today", "en", v)->text, HasSubstr("UGX 150,000 is due today"));
  v.group = "Umoja Women of the Lake";
  v.meetingDay = store::toDayNumber(2024, 8, 14);
  v.meetingMinute = 14 * 60 + 5;
  EXPECT_THAT(t.render("meeting", "en", v)->text,
              HasSubstr("your group Umoja Women of t meets on 14/08 at 14:05"));
}

}  // namespace
}  // namespace mfigw::gateway
