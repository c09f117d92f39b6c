#include "gateway/reminder_rules.hpp"

#include <algorithm>
#include <map>

#include "store/loan_status.hpp"

namespace mfigw::gateway {
namespace {

using store::DayNumber;
using store::LoanSnapshot;

// One (subject, day, rule, recipient) to decide, with what is already known about it.
struct Slot {
  store::ReminderKey key;
  const ReminderRule* rule = nullptr;
  const SendWindow* window = nullptr;
  std::string msisdn;
  SuppressReason suppress = SuppressReason::None;
  bool countsForInstallment = false;
  int64_t amount = 0;
};

// Sends already planned in this call (the ledger does not have them yet).
struct Planned {
  std::map<std::string, uint32_t, std::less<>> perMsisdn;
  std::map<std::pair<std::string, DayNumber>, uint32_t> perInstallment;
};

ReminderDecision decide(const ReminderPolicy& policy, const ReminderZone& zone, Slot slot,
                        int64_t now, const ReminderHistory& history, Planned& planned) {
  ReminderDecision d;
  d.rule = slot.rule;
  d.localDay = zone.toLocal(now).day;
  d.msisdn = slot.msisdn;
  d.amount = slot.amount;
  const DayNumber origin = slot.key.day;
  d.ruleAt = zone.toUnix(origin + slot.rule->offsetDays, slot.rule->minute);
  const int64_t deadline = zone.toUnix(origin + slot.rule->lastOffsetDays + 1, 0);
  d.key = std::move(slot.key);
  if (now < d.ruleAt) {
    d.verdict = Verdict::NotYet;
    d.nextAt = slot.window->nextAllowed(zone, d.ruleAt).value_or(d.ruleAt);
    return d;
  }
  if (history.alreadySent(d.key)) {
    d.verdict = Verdict::AlreadySent;
    return d;
  }
  if (now >= deadline) {
    d.verdict = Verdict::Missed;
    return d;
  }
  if (slot.suppress != SuppressReason::None) {
    d.verdict = Verdict::Suppressed;
    d.reason = slot.suppress;
    return d;
  }
  if (!slot.window->allows(zone, now)) {
    const auto next = slot.window->nextAllowed(zone, now);
    d.verdict = next && *next < deadline ? Verdict::Quiet : Verdict::Missed;
    d.nextAt = next.value_or(0);
    return d;
  }
  uint32_t unused = 0;
  uint32_t& plannedForInstallment =
      slot.countsForInstallment ? planned.perInstallment[{d.key.id, d.key.day}] : unused;
  if (slot.countsForInstallment &&
      history.sentForInstallment(d.key.id, d.key.day) + plannedForInstallment >=
          policy.maxPerInstallment) {
    d.verdict = Verdict::Capped;
    d.reason = SuppressReason::Installment;
    return d;
  }
  uint32_t& plannedToday = planned.perMsisdn[d.msisdn];
  if (history.sentOnDay(d.msisdn, d.localDay) + plannedToday >= policy.maxPerBorrowerPerDay) {
    d.verdict = Verdict::Capped;
    d.reason = SuppressReason::BorrowerDay;
    return d;
  }
  ++plannedToday;
  ++plannedForInstallment;
  d.verdict = Verdict::Send;
  // The outbox sends while now <= notAfter: stop one second before quiet time or the end
  // of the last day.
  d.notAfter = std::min(deadline, slot.window->intervalEnd(zone, now)) - 1;
  return d;
}

SuppressReason loanSuppression(const LoanSnapshot& loan, const BorrowerFacts& borrower) {
  if (loan.status == store::LoanStatus::Closed) return SuppressReason::Closed;
  if (loan.status == store::LoanStatus::WrittenOff || loan.has(store::LoanFlag::ChargedOff))
    return SuppressReason::WrittenOff;
  if (loan.status == store::LoanStatus::Pending) return SuppressReason::NotDisbursed;
  if (borrower.optedOut || loan.has(store::LoanFlag::OptOut)) return SuppressReason::OptedOut;
  if (loan.has(store::LoanFlag::Paused)) return SuppressReason::Paused;
  if (borrower.msisdn.empty()) return SuppressReason::NoPhone;
  return SuppressReason::None;
}

bool isOverdueKind(ReminderKind kind) {
  return kind == ReminderKind::Overdue;
}

SuppressReason installmentSuppression(const ReminderPolicy& policy, const ReminderZone& zone,
                                      const LoanSnapshot& loan, DayNumber dueDay, int64_t amount,
                                      ReminderKind kind, int64_t now) {
  if (amount <= 0) return SuppressReason::Paid;
  if (loan.has(store::LoanFlag::DeferralPending) &&
      (isOverdueKind(kind) || policy.deferralSuppresses == DeferralScope::All))
    return SuppressReason::DeferralPending;
  if (isOverdueKind(kind)) {
    // An overdue message must not reach someone who paid: the snapshot has to be fresh and
    // confirmed after the due day ended, or it cannot know of a payment on that day.
    if (store::isStale(loan, now, policy.staleAfterSeconds) ||
        static_cast<int64_t>(loan.asOf) < zone.toUnix(dueDay + 1, 0))
      return SuppressReason::Stale;
  }
  return SuppressReason::None;
}

struct DueInstallment {
  DayNumber day = store::kNoDay;
  int64_t amount = 0;
};

std::vector<DueInstallment> installmentsOf(const LoanSnapshot& loan) {
  std::vector<DueInstallment> out;
  for (const store::Installment& in : loan.installments)
    out.push_back({in.dueDay, in.amountDue});
  // Arrears older than every listed installment: remind of the oldest unpaid due day.
  const bool listed = std::any_of(
      out.begin(), out.end(), [&](const DueInstallment& i) { return i.day == loan.overdueSince; });
  if (loan.totalOverdue > 0 && loan.overdueSince != store::kNoDay && !listed)
    out.insert(out.begin(), {loan.overdueSince, loan.totalOverdue});
  return out;
}

bool optedInToSummary(const ReminderPolicy& policy, const std::string& groupId) {
  return std::any_of(policy.summaryGroups.begin(), policy.summaryGroups.end(),
                     [&](const std::string& g) { return g == "*" || g == groupId; });
}

void sortByRuleTime(std::vector<Slot>& slots, const ReminderZone& zone) {
  std::stable_sort(slots.begin(), slots.end(), [&](const Slot& a, const Slot& b) {
    return zone.toUnix(a.key.day + a.rule->offsetDays, a.rule->minute) <
           zone.toUnix(b.key.day + b.rule->offsetDays, b.rule->minute);
  });
}

}  // namespace

std::string_view toString(ReminderKind kind) noexcept {
  switch (kind) {
    case ReminderKind::PreDue:
      return "pre_due";
    case ReminderKind::DueToday:
      return "due_today";
    case ReminderKind::Overdue:
      return "overdue";
    case ReminderKind::Meeting:
      return "meeting";
    case ReminderKind::GroupSummary:
      return "group_summary";
  }
  return "unknown";
}

std::string_view toString(Verdict verdict) noexcept {
  switch (verdict) {
    case Verdict::Send:
      return "send";
    case Verdict::NotYet:
      return "not_yet";
    case Verdict::Quiet:
      return "quiet";
    case Verdict::Missed:
      return "missed";
    case Verdict::AlreadySent:
      return "already_sent";
    case Verdict::Suppressed:
      return "suppressed";
    case Verdict::Capped:
      return "capped";
  }
  return "unknown";
}

std::string_view toString(SuppressReason reason) noexcept {
  switch (reason) {
    case SuppressReason::None:
      return "none";
    case SuppressReason::Paid:
      return "paid";
    case SuppressReason::DeferralPending:
      return "deferral_pending";
    case SuppressReason::Paused:
      return "paused";
    case SuppressReason::Closed:
      return "closed";
    case SuppressReason::WrittenOff:
      return "written_off";
    case SuppressReason::NotDisbursed:
      return "not_disbursed";
    case SuppressReason::OptedOut:
      return "opted_out";
    case SuppressReason::Stale:
      return "stale";
    case SuppressReason::NoPhone:
      return "no_phone";
    case SuppressReason::NotOptedIn:
      return "not_opted_in";
    case SuppressReason::BorrowerDay:
      return "borrower_day";
    case SuppressReason::Installment:
      return "installment";
  }
  return "unknown";
}

bool SendWindow::allowsDay(store::DayNumber day) const {
  if ((weekdays & (1u << (isoWeekday(day) - 1))) == 0) return false;
  return !std::binary_search(holidays.begin(), holidays.end(), day);
}

bool SendWindow::allows(const ReminderZone& zone, int64_t at) const {
  const LocalMoment local = zone.toLocal(at);
  return allowsDay(local.day) && local.minute >= startMinute && local.minute < endMinute;
}

int64_t SendWindow::intervalEnd(const ReminderZone& zone, int64_t at) const {
  return zone.toUnix(zone.toLocal(at).day, endMinute);
}

std::optional<int64_t> SendWindow::nextAllowed(const ReminderZone& zone, int64_t at,
                                               int maxDays) const {
  const DayNumber first = zone.toLocal(at).day;
  for (DayNumber day = first; day <= first + maxDays; ++day) {
    if (!allowsDay(day)) continue;
    const int64_t start = zone.toUnix(day, startMinute);
    const int64_t end = zone.toUnix(day, endMinute);
    if (at < end) return std::max(at, start);
  }
  return std::nullopt;
}

const RuleSet* ruleSetFor(const ReminderPolicy& policy, const LoanSnapshot& loan) {
  if (policy.ruleSets.empty()) return nullptr;
  const auto byName = [&](std::string_view name) -> const RuleSet* {
    for (const RuleSet& set : policy.ruleSets)
      if (set.name == name) return &set;
    return nullptr;
  };
  for (const auto& [product, set] : policy.products)
    if (product == loan.product) {
      if (const RuleSet* found = byName(set)) return found;
    }
  if (loan.installments.size() >= 2) {
    const DayNumber gap = loan.installments[1].dueDay - loan.installments[0].dueDay;
    if (gap <= policy.weeklyMaxGapDays) {
      if (const RuleSet* weekly = byName("weekly")) return weekly;
    }
  }
  return &policy.ruleSets.front();
}

std::vector<ReminderDecision> planInstallmentReminders(const ReminderPolicy& policy,
                                                       const ReminderZone& zone,
                                                       const LoanSnapshot& loan,
                                                       const BorrowerFacts& borrower, int64_t now,
                                                       const ReminderHistory& history) {
  std::vector<ReminderDecision> out;
  const RuleSet* set = ruleSetFor(policy, loan);
  if (set == nullptr) return out;
  const SuppressReason loanReason = loanSuppression(loan, borrower);
  std::vector<Slot> slots;
  for (const DueInstallment& inst : installmentsOf(loan)) {
    for (const ReminderRule& rule : set->rules) {
      Slot s;
      s.key = {store::ReminderSubject::Installment, loan.loanId, inst.day, rule.id, ""};
      s.rule = &rule;
      s.window = isOverdueKind(rule.kind) ? &policy.overdueWindow : &policy.window;
      s.msisdn = borrower.msisdn;
      s.suppress =
          loanReason != SuppressReason::None
              ? loanReason
              : installmentSuppression(policy, zone, loan, inst.day, inst.amount, rule.kind, now);
      s.countsForInstallment = true;
      s.amount = inst.amount;
      slots.push_back(std::move(s));
    }
  }
  sortByRuleTime(slots, zone);
  Planned planned;
  for (Slot& s : slots)
    out.push_back(decide(policy, zone, std::move(s), now, history, planned));
  return out;
}

std::vector<DayNumber> meetingDaysAround(const store::Group& group, DayNumber today) {
  std::vector<DayNumber> days;
  if (group.nextMeetingDay != store::kNoDay) days.push_back(group.nextMeetingDay);
  if (group.meetingWeekday != store::Weekday::None) {
    for (DayNumber d = today - 7; d <= today + 7; ++d)
      if (isoWeekday(d) == static_cast<int>(group.meetingWeekday)) days.push_back(d);
  }
  std::sort(days.begin(), days.end());
  days.erase(std::unique(days.begin(), days.end()), days.end());
  return days;
}

std::vector<ReminderDecision> planMeetingReminders(const ReminderPolicy& policy,
                                                   const ReminderZone& zone,
                                                   const store::Group& group,
                                                   const std::vector<MemberFacts>& members,
                                                   int64_t now, const ReminderHistory& history) {
  std::vector<Slot> slots;
  const DayNumber today = zone.toLocal(now).day;
  for (DayNumber day : meetingDaysAround(group, today)) {
    for (const ReminderRule& rule : policy.meetingRules) {
      for (const MemberFacts& m : members) {
        Slot s;
        s.key = {store::ReminderSubject::Meeting, group.id, day, rule.id, m.client.cid};
        s.rule = &rule;
        s.window = &policy.window;
        s.msisdn = m.client.msisdn;
        if (m.optedOut)
          s.suppress = SuppressReason::OptedOut;
        else if (m.client.msisdn.empty())
          s.suppress = SuppressReason::NoPhone;
        slots.push_back(std::move(s));
      }
    }
  }
  sortByRuleTime(slots, zone);
  std::vector<ReminderDecision> out;
  Planned planned;
  for (Slot& s : slots)
    out.push_back(decide(policy, zone, std::move(s), now, history, planned));
  return out;
}

GroupPaidStatus groupPaidStatus(const ReminderPolicy& policy,
                                const std::vector<MemberFacts>& members, DayNumber meetingDay,
                                int64_t now) {
  GroupPaidStatus status;
  for (const MemberFacts& m : members) {
    bool paid = true;
    for (const LoanSnapshot& loan : m.loans) {
      if (!store::isOpen(loan)) continue;
      if (store::isStale(loan, now, policy.staleAfterSeconds)) status.stale = true;
      if (loan.totalOverdue > 0) paid = false;
      for (const store::Installment& in : loan.installments)
        if (in.dueDay <= meetingDay && in.amountDue > 0) paid = false;
    }
    const std::string& name = m.client.shortName.empty() ? m.client.cid : m.client.shortName;
    (paid ? status.paid : status.unpaid).push_back(name);
  }
  return status;
}

std::vector<ReminderDecision> planGroupSummary(const ReminderPolicy& policy,
                                               const ReminderZone& zone, const store::Group& group,
                                               const std::optional<MemberFacts>& leader,
                                               const std::vector<MemberFacts>& members, int64_t now,
                                               const ReminderHistory& history) {
  std::vector<ReminderDecision> out;
  if (!policy.summaryRule || !leader) return out;
  const DayNumber today = zone.toLocal(now).day;
  Planned planned;
  for (DayNumber day : meetingDaysAround(group, today)) {
    Slot s;
    s.key = {store::ReminderSubject::GroupSummary, group.id, day, policy.summaryRule->id,
             leader->client.cid};
    s.rule = &*policy.summaryRule;
    s.window = &policy.window;
    s.msisdn = leader->client.msisdn;
    if (!optedInToSummary(policy, group.id))
      s.suppress = SuppressReason::NotOptedIn;
    else if (leader->optedOut)
      s.suppress = SuppressReason::OptedOut;
    else if (leader->client.msisdn.empty())
      s.suppress = SuppressReason::NoPhone;
    else if (groupPaidStatus(policy, members, day, now).stale)
      s.suppress = SuppressReason::Stale;
    out.push_back(decide(policy, zone, std::move(s), now, history, planned));
  }
  return out;
}

}  // namespace mfigw::gateway
