// Fuzz target for the reminders file loader, the template lint and the rules. The input is
// YAML text. Any bytes must give a load result, never a crash, a hang or an exception. A file
// that loads must keep the lint's promise (every template, rendered with values as long as
// the declared maxima allow, fits one SMS in its encoding), and the rules, run on a sample
// loan at a few moments derived from the input, must only say Send inside a sending window
// and never before the rule's time.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "gateway/reminder_file.hpp"
#include "gateway/reminder_rules.hpp"
#include "gateway/reminder_templates.hpp"
#include "gateway/reminder_zone.hpp"
#include "smpp/text_gsm7.hpp"
#include "smpp/text_split.hpp"

namespace {

using namespace mfigw::gateway;
namespace store = mfigw::store;

class NoHistory final : public ReminderHistory {
 public:
  bool alreadySent(const store::ReminderKey&) const override { return false; }
  uint32_t sentOnDay(std::string_view, store::DayNumber) const override { return 0; }
  uint32_t sentForInstallment(std::string_view, store::DayNumber) const override { return 0; }
};

void checkTemplates(const ReminderTemplates& t) {
  ReminderValues v;
  v.officer = "Wanjiru Njeri Kamau Otieno";  // longer than any limit: cut
  v.account = std::string(40, 'A');
  v.group = "Umoja Women Group of the Lake";
  v.unpaid = {"Amina", "Wanjiru", "Achieng", "Njeri", "Akinyi"};
  int64_t maxAmount = 0;  // the declared maximum: the lint promises nothing beyond it
  for (int i = 0; i < t.limits.amountDigits + t.limits.decimals; ++i)
    maxAmount = maxAmount * 10 + 9;
  v.amountMinor = std::min<int64_t>(45'000, maxAmount);
  v.currency = t.limits.currency;
  v.decimals = t.limits.decimals;
  v.dueDay = store::toDayNumber(2024, 2, 29);
  v.meetingDay = v.dueDay;
  v.meetingMinute = 14 * 60 + 30;
  v.paidCount = 12;
  v.memberCount = 15;
  for (const auto& tmpl : t.templates) {
    for (const auto& [code, text] : tmpl.byLanguage) {
      const auto rendered = t.render(tmpl.name, code, v);
      if (!rendered) std::abort();  // every language of a loaded template renders
      const auto septets = mfigw::smpp::gsm7Length(rendered->text);
      const auto units =
          mfigw::smpp::encodedLength(rendered->text, mfigw::smpp::TextEncoding::Ucs2);
      const bool fits = septets ? *septets <= 160 : (units && *units <= 70);
      if (!fits) std::abort();
    }
  }
}

void checkRules(const ReminderConfig& config, uint64_t seed) {
  const auto zone = ReminderZone::find(config.policy.timeZone);
  if (!zone) std::abort();  // the loader accepted it
  store::LoanSnapshot loan;
  loan.loanId = "L-1";
  loan.clientId = "C-1";
  loan.msisdn = "254700000001";
  loan.status = store::LoanStatus::Active;
  const store::DayNumber due = store::toDayNumber(2024, 3, 31);
  loan.installments = {{due, 100, 0}, {due + 7, 100, 0}};
  loan.totalOverdue = 50;
  loan.overdueSince = due - 30;
  const NoHistory history;
  for (int i = 0; i < 6; ++i) {
    const int64_t now =
        zone->toUnix(due - 10, 0) + static_cast<int64_t>((seed >> (i * 8)) % 256) * 7919;
    loan.asOf = static_cast<uint32_t>(now - 60);
    for (const auto& d : planInstallmentReminders(config.policy, *zone, loan,
                                                  {"254700000001", false}, now, history)) {
      if (d.verdict != Verdict::Send) continue;
      const SendWindow& w = d.rule->kind == ReminderKind::Overdue ? config.policy.overdueWindow
                                                                  : config.policy.window;
      if (!w.allows(*zone, now) || now < d.ruleAt || d.notAfter < now) std::abort();
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const ReminderLoadResult result = loadReminderText(text, "fuzz.yaml");
  if (!result.ok()) {
    if (result.errors.empty()) std::abort();
    for (const auto& e : result.errors)
      (void)e.toString();
    return 0;
  }
  checkTemplates(result.config->templates);
  uint64_t seed = 1469598103934665603ULL;
  for (unsigned char c : text)
    seed = (seed ^ c) * 1099511628211ULL;
  checkRules(*result.config, seed);
  return 0;
}
