// Shared by the reminder tests: the default policy (as the shipped reminders.yaml sets it),
// loans and clients, an in-memory ReminderHistory, and a fake clock's helpers.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <tuple>

#include "gateway/reminder_rules.hpp"
#include "gateway/reminder_zone.hpp"
#include "store/day_number.hpp"
#include "store/loan_snapshot.hpp"

namespace mfigw::gateway::testing {

inline ReminderRule rule(std::string id, int offset, int hour, int lastOffset, ReminderKind kind) {
  ReminderRule r;
  r.id = id;
  r.offsetDays = offset;
  r.minute = hour * 60;
  r.lastOffsetDays = lastOffset;
  r.kind = kind;
  r.templateName = std::string(toString(kind));
  return r;
}

// reference/upstream.md 5.2 R1-R4: T-3 and T0 at 09:00 (monthly), T-1 (weekly), T+1 and T+7.
inline ReminderPolicy defaultPolicy(std::string zone = "Africa/Nairobi") {
  ReminderPolicy p;
  p.timeZone = std::move(zone);
  p.ruleSets = {
      {"monthly",
       {rule("pre3", -3, 9, -1, ReminderKind::PreDue), rule("due", 0, 9, 0, ReminderKind::DueToday),
        rule("late1", 1, 10, 3, ReminderKind::Overdue),
        rule("late7", 7, 10, 9, ReminderKind::Overdue)}},
      {"weekly",
       {rule("pre1", -1, 9, -1, ReminderKind::PreDue),
        rule("late1", 1, 10, 3, ReminderKind::Overdue),
        rule("late7", 7, 10, 9, ReminderKind::Overdue)}},
  };
  p.meetingRules = {rule("meet1", -1, 17, 0, ReminderKind::Meeting)};
  p.summaryRule = rule("summary", -1, 18, 0, ReminderKind::GroupSummary);
  return p;
}

inline ReminderZone zone(const std::string& name) {
  auto z = ReminderZone::find(name);
  if (!z) throw std::runtime_error("no tzdata for " + name);
  return *z;
}

// Unix seconds of a local wall-clock time in `z`.
inline int64_t localTime(const ReminderZone& z, int y, unsigned m, unsigned d, int hour,
                         int minute = 0) {
  return z.toUnix(store::toDayNumber(y, m, d), hour * 60 + minute);
}

inline store::LoanSnapshot monthlyLoan(const std::string& lid, store::DayNumber firstDue,
                                       const std::string& msisdn = "254712345678") {
  store::LoanSnapshot l;
  l.loanId = lid;
  l.accountNo = "000123456";
  l.clientId = "C-" + lid;
  l.msisdn = msisdn;
  l.language = "en";
  l.status = store::LoanStatus::Active;
  l.currency = "KES";
  l.decimals = 2;
  l.disbursed = 5'000'000;
  l.principalOutstanding = 3'200'000;
  l.totalOutstanding = 3'450'000;
  l.installments = {{firstDue, 450'000, 0}, {firstDue + 30, 450'000, 0}};
  l.product = "Biashara";
  l.officer = "J. Otieno";
  l.branch = 12;
  l.ver = 1;
  l.asOf = 0;
  return l;
}

// What a ledger would hold, in memory: apply() records the sends of a plan.
class MemoryHistory final : public ReminderHistory {
 public:
  bool alreadySent(const store::ReminderKey& key) const override {
    return sent_.count(tie(key)) != 0;
  }
  uint32_t sentOnDay(std::string_view msisdn, store::DayNumber day) const override {
    auto it = perDay_.find({std::string(msisdn), day});
    return it == perDay_.end() ? 0 : it->second;
  }
  uint32_t sentForInstallment(std::string_view lid, store::DayNumber due) const override {
    auto it = perInstallment_.find({std::string(lid), due});
    return it == perInstallment_.end() ? 0 : it->second;
  }
  void record(const ReminderDecision& d) {
    sent_.insert(tie(d.key));
    ++perDay_[{d.msisdn, d.localDay}];
    if (d.key.subject == store::ReminderSubject::Installment)
      ++perInstallment_[{d.key.id, d.key.day}];
  }
  size_t size() const { return sent_.size(); }

 private:
  using Tied = std::tuple<int, std::string, store::DayNumber, std::string, std::string>;
  static Tied tie(const store::ReminderKey& k) {
    return {static_cast<int>(k.subject), k.id, k.day, k.rule, k.recipient};
  }
  std::set<Tied> sent_;
  std::map<std::pair<std::string, store::DayNumber>, uint32_t> perDay_;
  std::map<std::pair<std::string, store::DayNumber>, uint32_t> perInstallment_;
};

}  // namespace mfigw::gateway::testing
