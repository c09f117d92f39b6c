// Reminder rules with a fake clock in three zones (Nairobi UTC+3, Lima UTC-5, Madrid across
// its March and October DST changes): nothing in quiet hours, never before the rule time,
// caps held, every suppression honoured, meetings and the leader's summary.
#include "gateway/reminder_rules.hpp"

#include <gtest/gtest.h>

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "reminder_test_support.hpp"
#include "store/day_number.hpp"

namespace mfigw::gateway {
namespace {

using store::DayNumber;
using store::toDayNumber;
using testing::defaultPolicy;
using testing::localTime;
using testing::MemoryHistory;
using testing::monthlyLoan;
using testing::zone;

const ReminderDecision* find(const std::vector<ReminderDecision>& plan, std::string_view rule,
                             DayNumber day) {
  for (const auto& d : plan)
    if (d.key.rule == rule && d.key.day == day) return &d;
  return nullptr;
}

std::vector<const ReminderDecision*> sends(const std::vector<ReminderDecision>& plan) {
  std::vector<const ReminderDecision*> out;
  for (const auto& d : plan)
    if (d.verdict == Verdict::Send) out.push_back(&d);
  return out;
}

TEST(ReminderZone, ConvertsWithTheSystemTzdata) {
  const auto nairobi = zone("Africa/Nairobi");
  const auto lima = zone("America/Lima");
  const auto madrid = zone("Europe/Madrid");
  const int64_t noonUtc = 1723464000;  // 2024-08-12 12:00 UTC, a Monday
  EXPECT_EQ(nairobi.offsetSeconds(noonUtc), 3 * 3600);
  EXPECT_EQ(lima.offsetSeconds(noonUtc), -5 * 3600);
  EXPECT_EQ(madrid.offsetSeconds(noonUtc), 2 * 3600);
  EXPECT_EQ(madrid.offsetSeconds(1704110400), 3600);  // 2024-01-01 12:00 UTC
  const LocalMoment l = lima.toLocal(noonUtc);
  EXPECT_EQ(l.day, toDayNumber(2024, 8, 12));
  EXPECT_EQ(l.minute, 7 * 60);
  EXPECT_EQ(l.weekday, 1);
  // 02:00 UTC is still the previous day in Lima.
  EXPECT_EQ(lima.toLocal(1723428000).day, toDayNumber(2024, 8, 11));
  EXPECT_EQ(nairobi.toUnix(toDayNumber(2024, 8, 12), 9 * 60), 1723442400);  // 06:00 UTC
  EXPECT_EQ(isoWeekday(toDayNumber(2024, 8, 18)), 7);
  EXPECT_EQ(isoWeekday(toDayNumber(1969, 12, 29)), 1);
  EXPECT_FALSE(ReminderZone::find("Nowhere/Atlantis").has_value());
}

TEST(ReminderZone, DaylightSavingGapsAndFoldsInMadrid) {
  const auto madrid = zone("Europe/Madrid");
  // 31 March 2024: 02:00 CET jumps to 03:00 CEST (01:00 UTC). 02:30 does not exist: the
  // end of the gap, never earlier.
  EXPECT_EQ(madrid.toUnix(toDayNumber(2024, 3, 31), 2 * 60 + 30), 1711846800);
  EXPECT_EQ(madrid.toUnix(toDayNumber(2024, 3, 31), 9 * 60), 1711868400);  // 07:00 UTC
  EXPECT_EQ(madrid.toUnix(toDayNumber(2024, 3, 30), 9 * 60), 1711785600);  // 08:00 UTC
  // 27 October 2024: 03:00 CEST falls back to 02:00 CET; 02:30 happens twice: the first.
  EXPECT_EQ(madrid.toUnix(toDayNumber(2024, 10, 27), 2 * 60 + 30), 1729989000);  // 00:30 UTC
  EXPECT_EQ(madrid.toUnix(toDayNumber(2024, 10, 27), 9 * 60), 1730016000);       // 08:00 UTC
  // The local day of 2024-10-27 is 25 hours long.
  EXPECT_EQ(
      madrid.toUnix(toDayNumber(2024, 10, 28), 0) - madrid.toUnix(toDayNumber(2024, 10, 27), 0),
      25 * 3600);
}

TEST(SendWindow, QuietTimeMovesToTheNextAllowedMoment) {
  const auto nairobi = zone("Africa/Nairobi");
  SendWindow w;                             // 08:00-19:00 Mon-Sat
  w.holidays = {toDayNumber(2024, 8, 19)};  // a Monday holiday
  // Saturday 17 August 19:30 -> Sunday quiet -> Monday holiday -> Tuesday 08:00.
  const int64_t sat = localTime(nairobi, 2024, 8, 17, 19, 30);
  EXPECT_FALSE(w.allows(nairobi, sat));
  EXPECT_EQ(w.nextAllowed(nairobi, sat), localTime(nairobi, 2024, 8, 20, 8));
  EXPECT_TRUE(w.allows(nairobi, localTime(nairobi, 2024, 8, 17, 18, 59)));
  EXPECT_FALSE(w.allows(nairobi, localTime(nairobi, 2024, 8, 17, 19, 0)));
  EXPECT_FALSE(w.allows(nairobi, localTime(nairobi, 2024, 8, 16, 7, 59)));
  // Inside a window: now itself; and the interval ends at 19:00 local.
  const int64_t fri = localTime(nairobi, 2024, 8, 16, 10, 15);
  EXPECT_EQ(w.nextAllowed(nairobi, fri), fri);
  EXPECT_EQ(w.intervalEnd(nairobi, fri), localTime(nairobi, 2024, 8, 16, 19));
  SendWindow never;
  never.weekdays = 0;
  EXPECT_FALSE(never.nextAllowed(nairobi, fri).has_value());
}

struct SimulatedSend {
  ReminderDecision decision;
  int64_t at = 0;
};

// Steps a fake clock every 5 minutes from `from` to `to`, applying every Send to the
// history as the scheduler would (the snapshot stays fresh and unpaid throughout).
std::vector<SimulatedSend> simulate(const ReminderPolicy& policy, const ReminderZone& z,
                                    std::vector<store::LoanSnapshot> loans, int64_t from,
                                    int64_t to, MemoryHistory& history) {
  std::vector<SimulatedSend> out;
  for (int64_t now = from; now <= to; now += 300) {
    for (auto& loan : loans) {
      loan.asOf = static_cast<uint32_t>(now - 600);
      BorrowerFacts facts{loan.msisdn, false};
      for (const auto& d : planInstallmentReminders(policy, z, loan, facts, now, history)) {
        if (d.verdict != Verdict::Send) continue;
        history.record(d);
        out.push_back({d, now});
      }
    }
  }
  return out;
}

// Checks the promises on every simulated send; returns the rule ids sent per installment.
std::map<DayNumber, std::multiset<std::string>> checkSends(const ReminderPolicy& policy,
                                                           const ReminderZone& z,
                                                           const std::vector<SimulatedSend>& sent) {
  std::map<std::pair<std::string, DayNumber>, int> perDay;
  std::map<DayNumber, std::multiset<std::string>> rules;
  for (const auto& s : sent) {
    const ReminderDecision& d = s.decision;
    const LocalMoment local = z.toLocal(s.at);
    const SendWindow& w =
        d.rule->kind == ReminderKind::Overdue ? policy.overdueWindow : policy.window;
    SCOPED_TRACE(d.key.rule + " sent at local minute " + std::to_string(local.minute) + " day " +
                 std::to_string(local.day));
    EXPECT_TRUE(w.allowsDay(local.day));
    EXPECT_GE(local.minute, w.startMinute);
    EXPECT_LT(local.minute, w.endMinute);
    EXPECT_GE(s.at, d.ruleAt);  // never earlier than its rule time
    EXPECT_GE(d.notAfter, s.at);
    // The latest send time is itself inside the same allowed interval and the last day.
    EXPECT_TRUE(w.allows(z, d.notAfter));
    EXPECT_LE(z.toLocal(d.notAfter).day, d.key.day + d.rule->lastOffsetDays);
    EXPECT_EQ(d.localDay, local.day);
    EXPECT_LE((++perDay[{d.msisdn, local.day}]), 1) << "two SMS on one local day";
    rules[d.key.day].insert(d.key.rule);
  }
  for (const auto& [day, ids] : rules)
    EXPECT_LE(ids.size(), policy.maxPerInstallment);
  return rules;
}

struct ZoneCase {
  const char* zone;
  int y;
  unsigned m, d;  // the first due day
};

class ReminderClock : public ::testing::TestWithParam<ZoneCase> {};

TEST_P(ReminderClock, EachRuleOnceInsideTheWindowNeverEarly) {
  const ZoneCase c = GetParam();
  const ReminderPolicy policy = defaultPolicy(c.zone);
  const auto z = zone(c.zone);
  const DayNumber due = toDayNumber(c.y, c.m, c.d);
  MemoryHistory history;
  const auto sent = simulate(policy, z, {monthlyLoan("L-1", due)}, z.toUnix(due - 6, 0),
                             z.toUnix(due + 12, 0), history);
  const auto rules = checkSends(policy, z, sent);
  ASSERT_EQ(rules.count(due), 1u);
  EXPECT_EQ(rules.at(due), (std::multiset<std::string>{"due", "late1", "late7", "pre3"}));
  EXPECT_EQ(rules.size(), 1u);  // the next installment is a month away
  // A "restart": the same history, the same window again, sends nothing more.
  EXPECT_TRUE(simulate(policy, z, {monthlyLoan("L-1", due)}, z.toUnix(due - 6, 0),
                       z.toUnix(due + 12, 0), history)
                  .empty());
}

INSTANTIATE_TEST_SUITE_P(
    Zones, ReminderClock,
    ::testing::Values(ZoneCase{"Africa/Nairobi", 2024, 8, 14},
                      ZoneCase{"America/Lima", 2024, 8, 14},
                      ZoneCase{"America/Lima", 2024, 12, 31},   // rules cross the new year
                      ZoneCase{"Europe/Madrid", 2024, 4, 3},    // T-3 on the DST Sunday
                      ZoneCase{"Europe/Madrid", 2024, 3, 27},   // overdue rules across it
                      ZoneCase{"Europe/Madrid", 2024, 10, 30},  // T-3 on the fall-back Sunday
                      ZoneCase{"Europe/Madrid", 2024, 10, 24}),
    [](const ::testing::TestParamInfo<ZoneCase>& param) {
      std::string name = std::string(param.param.zone) + "_" + std::to_string(param.param.y) + "_" +
                         std::to_string(param.param.m) + "_" + std::to_string(param.param.d);
      for (char& ch : name)
        if (ch == '/') ch = '_';
      return name;
    });

TEST(ReminderClock, MadridRuleTimesFollowTheWallClockAcrossDst) {
  const ReminderPolicy policy = defaultPolicy("Europe/Madrid");
  const auto z = zone("Europe/Madrid");
  MemoryHistory history;
  // Due Friday 29 March (CET, UTC+1) and Wednesday 3 April (CEST, UTC+2).
  const DayNumber before = toDayNumber(2024, 3, 29);
  const DayNumber after = toDayNumber(2024, 4, 3);
  auto sent = simulate(policy, z, {monthlyLoan("L-1", before, "34600000001")},
                       z.toUnix(before - 4, 0), z.toUnix(before + 1, 0), history);
  auto sent2 = simulate(policy, z, {monthlyLoan("L-2", after, "34600000002")},
                        z.toUnix(after - 4, 0), z.toUnix(after + 1, 0), history);
  std::map<std::string, int64_t> at;
  for (const auto& s : sent)
    at[s.decision.key.id + "/" + s.decision.key.rule] = s.at;
  for (const auto& s : sent2)
    at[s.decision.key.id + "/" + s.decision.key.rule] = s.at;
  EXPECT_EQ(at["L-1/pre3"], 1711440000);  // Tue 26 March 09:00 CET = 08:00 UTC
  EXPECT_EQ(at["L-1/due"], 1711699200);   // Fri 29 March 09:00 CET = 08:00 UTC
  // T-3 is Sunday 31 March (the DST day, quiet): Monday 1 April 08:00 CEST = 06:00 UTC.
  EXPECT_EQ(at["L-2/pre3"], 1711951200);
  EXPECT_EQ(at["L-2/due"], 1712127600);  // Wed 3 April 09:00 CEST = 07:00 UTC
}

// A loan whose T0 rule is due right now (Monday 12 August 09:00 Nairobi), fresh snapshot.
struct DueNow {
  ReminderPolicy policy = defaultPolicy();
  ReminderZone z = zone("Africa/Nairobi");
  DayNumber due = toDayNumber(2024, 8, 12);
  int64_t now = localTime(z, 2024, 8, 12, 9, 0);
  store::LoanSnapshot loan = monthlyLoan("L-1", due);
  BorrowerFacts facts{"254712345678", false};
  MemoryHistory history;

  DueNow() { loan.asOf = static_cast<uint32_t>(now - 60); }
  std::vector<ReminderDecision> plan() const {
    return planInstallmentReminders(policy, z, loan, facts, now, history);
  }
  std::optional<ReminderDecision> dueRule() const {
    const auto p = plan();
    const ReminderDecision* d = find(p, "due", due);
    return d ? std::optional<ReminderDecision>(*d) : std::nullopt;
  }
};

TEST(ReminderSuppression, EveryReasonHolds) {
  {
    DueNow s;
    ASSERT_TRUE(s.dueRule().has_value());
    EXPECT_EQ(s.dueRule()->verdict, Verdict::Send);
    EXPECT_EQ(s.dueRule()->amount, 450'000);
    EXPECT_EQ(s.dueRule()->notAfter, localTime(s.z, 2024, 8, 12, 19) - 1);
  }
  struct Case {
    const char* name;
    void (*change)(DueNow&);
    SuppressReason reason;
  };
  const Case cases[] = {
      {"paid", [](DueNow& s) { s.loan.installments[0].amountDue = 0; }, SuppressReason::Paid},
      {"deferral (all)",
       [](DueNow& s) {
         s.loan.flags |= static_cast<uint8_t>(store::LoanFlag::DeferralPending);
         s.policy.deferralSuppresses = DeferralScope::All;
       },
       SuppressReason::DeferralPending},
      {"paused", [](DueNow& s) { s.loan.flags |= static_cast<uint8_t>(store::LoanFlag::Paused); },
       SuppressReason::Paused},
      {"closed", [](DueNow& s) { s.loan.status = store::LoanStatus::Closed; },
       SuppressReason::Closed},
      {"written off", [](DueNow& s) { s.loan.status = store::LoanStatus::WrittenOff; },
       SuppressReason::WrittenOff},
      {"charged off",
       [](DueNow& s) { s.loan.flags |= static_cast<uint8_t>(store::LoanFlag::ChargedOff); },
       SuppressReason::WrittenOff},
      {"pending", [](DueNow& s) { s.loan.status = store::LoanStatus::Pending; },
       SuppressReason::NotDisbursed},
      {"opted out (table)", [](DueNow& s) { s.facts.optedOut = true; }, SuppressReason::OptedOut},
      {"opted out (flag)",
       [](DueNow& s) { s.loan.flags |= static_cast<uint8_t>(store::LoanFlag::OptOut); },
       SuppressReason::OptedOut},
      {"no phone", [](DueNow& s) { s.facts.msisdn.clear(); }, SuppressReason::NoPhone},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    DueNow s;
    c.change(s);
    for (const auto& d : s.plan()) {
      if (d.verdict == Verdict::NotYet || d.verdict == Verdict::Missed) continue;
      EXPECT_EQ(d.verdict, Verdict::Suppressed) << d.key.rule;
      EXPECT_EQ(d.reason, c.reason) << d.key.rule;
    }
    ASSERT_TRUE(s.dueRule().has_value());
    EXPECT_EQ(s.dueRule()->verdict, Verdict::Suppressed);
  }
}

TEST(ReminderSuppression, AnInstallmentNoLongerListedIsNeverAsked) {
  DueNow s;
  s.loan.installments.erase(s.loan.installments.begin());
  for (const auto& d : s.plan())
    EXPECT_NE(d.key.day, s.due);
}

TEST(ReminderSuppression, DeferralPendingStopsOverdueButKeepsPreDueByDefault) {
  DueNow s;
  s.loan.flags |= static_cast<uint8_t>(store::LoanFlag::DeferralPending);
  EXPECT_EQ(s.dueRule()->verdict, Verdict::Send);
  s.now = localTime(s.z, 2024, 8, 13, 10);
  s.loan.asOf = static_cast<uint32_t>(s.now - 60);
  const auto plan = s.plan();
  EXPECT_EQ(find(plan, "late1", s.due)->verdict, Verdict::Suppressed);
  EXPECT_EQ(find(plan, "late1", s.due)->reason, SuppressReason::DeferralPending);
}

TEST(ReminderSuppression, OverdueNeedsAFreshSnapshotConfirmedAfterTheDueDay) {
  DueNow s;
  s.now = localTime(s.z, 2024, 8, 13, 10);  // T+1 10:00
  s.loan.asOf = static_cast<uint32_t>(s.now - 60);
  EXPECT_EQ(find(s.plan(), "late1", s.due)->verdict, Verdict::Send);
  // 49 hours old.
  s.loan.asOf = static_cast<uint32_t>(s.now - 49 * 3600);
  EXPECT_EQ(find(s.plan(), "late1", s.due)->reason, SuppressReason::Stale);
  // Fresh (under 48 h) but taken on the due day: a payment that day would not show.
  s.loan.asOf = static_cast<uint32_t>(localTime(s.z, 2024, 8, 12, 20));
  EXPECT_EQ(find(s.plan(), "late1", s.due)->reason, SuppressReason::Stale);
  // Never confirmed.
  s.loan.asOf = 0;
  EXPECT_EQ(find(s.plan(), "late1", s.due)->reason, SuppressReason::Stale);
  // Pre-due and due-day reminders do not depend on freshness.
  DueNow t;
  t.loan.asOf = 0;
  EXPECT_EQ(t.dueRule()->verdict, Verdict::Send);
}

TEST(ReminderSuppression, ArrearsOlderThanTheListedInstallmentsAreReminded) {
  DueNow s;
  s.loan.totalOverdue = 300'000;
  s.loan.overdueSince = s.due - 8;  // no longer listed
  s.now = localTime(s.z, 2024, 8, 13, 10);
  s.loan.asOf = static_cast<uint32_t>(s.now - 60);
  // T+7 of the older due day went on the 11th (Sunday: quiet); T+9 is its last day, the 13th.
  const auto plan = s.plan();  // kept: find() points into it
  const auto* late7 = find(plan, "late7", s.due - 8);
  ASSERT_NE(late7, nullptr);
  EXPECT_EQ(late7->verdict, Verdict::Send);
  EXPECT_EQ(late7->amount, 300'000);
}

TEST(ReminderCaps, OneSmsPerBorrowerPerLocalDay) {
  const ReminderPolicy policy = defaultPolicy();
  const auto z = zone("Africa/Nairobi");
  const DayNumber due = toDayNumber(2024, 8, 15);  // T-3 = Monday 12th
  MemoryHistory history;
  auto a = monthlyLoan("L-1", due);
  auto b = monthlyLoan("L-2", due);  // same phone
  const int64_t mon = localTime(z, 2024, 8, 12, 9);
  BorrowerFacts facts{a.msisdn, false};
  auto planA = planInstallmentReminders(policy, z, a, facts, mon, history);
  ASSERT_EQ(sends(planA).size(), 1u);
  history.record(*sends(planA)[0]);
  auto planB = planInstallmentReminders(policy, z, b, facts, mon, history);
  EXPECT_EQ(find(planB, "pre3", due)->verdict, Verdict::Capped);
  EXPECT_EQ(find(planB, "pre3", due)->reason, SuppressReason::BorrowerDay);
  // The next local day (still before its last day, T-1) it goes at the window's opening.
  planB = planInstallmentReminders(policy, z, b, facts, localTime(z, 2024, 8, 13, 7, 55), history);
  EXPECT_EQ(find(planB, "pre3", due)->verdict, Verdict::Quiet);
  planB = planInstallmentReminders(policy, z, b, facts, localTime(z, 2024, 8, 13, 8), history);
  EXPECT_EQ(find(planB, "pre3", due)->verdict, Verdict::Send);
  // Lima's local day differs from UTC's: 20:00 Lima on Monday is Tuesday 01:00 UTC, and
  // still Monday for the cap.
  const auto lima = zone("America/Lima");
  ReminderPolicy limaPolicy = defaultPolicy("America/Lima");
  limaPolicy.window.endMinute = 21 * 60;
  MemoryHistory limaHistory;
  auto c = monthlyLoan("L-3", due, "51900000001");
  auto d = monthlyLoan("L-4", due, "51900000001");
  BorrowerFacts limaFacts{c.msisdn, false};
  auto planC = planInstallmentReminders(limaPolicy, lima, c, limaFacts,
                                        localTime(lima, 2024, 8, 12, 9), limaHistory);
  limaHistory.record(*sends(planC)[0]);
  auto planD = planInstallmentReminders(limaPolicy, lima, d, limaFacts,
                                        localTime(lima, 2024, 8, 12, 20), limaHistory);
  EXPECT_EQ(find(planD, "pre3", due)->reason, SuppressReason::BorrowerDay);
}

TEST(ReminderCaps, PerInstallmentCapAndOnePerCall) {
  ReminderPolicy policy = defaultPolicy();
  policy.maxPerInstallment = 1;
  policy.maxPerBorrowerPerDay = 5;
  const auto z = zone("Africa/Nairobi");
  const DayNumber due = toDayNumber(2024, 8, 12);
  MemoryHistory history;
  auto loan = monthlyLoan("L-1", due);
  BorrowerFacts facts{loan.msisdn, false};
  auto plan =
      planInstallmentReminders(policy, z, loan, facts, localTime(z, 2024, 8, 9, 9), history);
  ASSERT_EQ(sends(plan).size(), 1u);
  history.record(*sends(plan)[0]);
  plan = planInstallmentReminders(policy, z, loan, facts, localTime(z, 2024, 8, 12, 9), history);
  EXPECT_EQ(find(plan, "due", due)->verdict, Verdict::Capped);
  EXPECT_EQ(find(plan, "due", due)->reason, SuppressReason::Installment);
  // Two installments due the same hour, two allowed a day: both go in one call, a third
  // would not.
  policy.maxPerInstallment = 4;
  policy.maxPerBorrowerPerDay = 2;
  loan.installments = {{due, 100, 0}, {due + 1, 100, 0}, {due + 2, 100, 0}};
  policy.ruleSets.resize(1);  // daily installments would pick the weekly set
  policy.ruleSets[0].rules = {testing::rule("pre3", -3, 9, -1, ReminderKind::PreDue),
                              testing::rule("pre4", -4, 9, -1, ReminderKind::PreDue),
                              testing::rule("pre5", -5, 9, -1, ReminderKind::PreDue)};
  MemoryHistory fresh;
  plan = planInstallmentReminders(policy, z, loan, facts, localTime(z, 2024, 8, 9, 9), fresh);
  EXPECT_EQ(sends(plan).size(), 2u);
}

TEST(ReminderRules, MissedOnceItsLastDayIsOver) {
  DueNow s;
  s.now = localTime(s.z, 2024, 8, 12, 19, 0);  // T0's window closed for the day
  EXPECT_EQ(s.dueRule()->verdict, Verdict::Missed);
  s.now = localTime(s.z, 2024, 8, 12, 7, 0);
  EXPECT_EQ(s.dueRule()->verdict, Verdict::NotYet);
  EXPECT_EQ(s.dueRule()->nextAt, localTime(s.z, 2024, 8, 12, 9));
  s.history.record(*s.dueRule());
  s.now = localTime(s.z, 2024, 8, 12, 10, 0);
  EXPECT_EQ(s.dueRule()->verdict, Verdict::AlreadySent);
}

TEST(ReminderRules, WeeklyLoansUseTheWeeklySet) {
  const ReminderPolicy policy = defaultPolicy();
  auto loan = monthlyLoan("L-1", toDayNumber(2024, 8, 12));
  EXPECT_EQ(ruleSetFor(policy, loan)->name, "monthly");
  loan.installments[1].dueDay = loan.installments[0].dueDay + 7;
  EXPECT_EQ(ruleSetFor(policy, loan)->name, "weekly");
  ReminderPolicy mapped = policy;
  mapped.products = {{"Biashara", "monthly"}};
  EXPECT_EQ(ruleSetFor(mapped, loan)->name, "monthly");
}

store::Client member(const std::string& cid, const std::string& msisdn, const std::string& name) {
  store::Client c;
  c.cid = cid;
  c.msisdn = msisdn;
  c.shortName = name;
  c.language = "en";
  c.groupId = "G-1";
  return c;
}

TEST(VillageBank, MeetingReminderToEveryMember) {
  const ReminderPolicy policy = defaultPolicy();
  const auto z = zone("Africa/Nairobi");
  store::Group g;
  g.id = "G-1";
  g.name = "Umoja";
  g.meetingWeekday = store::Weekday::Wednesday;
  g.meetingMinute = 10 * 60;
  std::vector<MemberFacts> members = {{member("C-1", "254700000001", "Amina"), false, {}},
                                      {member("C-2", "254700000002", "Wanjiru"), false, {}},
                                      {member("C-3", "254700000003", "Achieng"), true, {}},
                                      {member("C-4", "", "Njeri"), false, {}}};
  MemoryHistory history;
  // Tuesday 13 August 17:00: the day before Wednesday's meeting.
  const int64_t now = localTime(z, 2024, 8, 13, 17);
  auto plan = planMeetingReminders(policy, z, g, members, now, history);
  std::map<std::string, const ReminderDecision*> byMember;
  for (const auto& d : plan)
    if (d.key.day == toDayNumber(2024, 8, 14)) byMember[d.key.recipient] = &d;
  ASSERT_EQ(byMember.size(), 4u);
  EXPECT_EQ(byMember["C-1"]->verdict, Verdict::Send);
  EXPECT_EQ(byMember["C-2"]->verdict, Verdict::Send);
  EXPECT_EQ(byMember["C-3"]->reason, SuppressReason::OptedOut);
  EXPECT_EQ(byMember["C-4"]->reason, SuppressReason::NoPhone);
  for (const auto& d : plan) {
    if (d.verdict == Verdict::Send) history.record(d);
  }
  // Nothing twice.
  for (const auto& d : planMeetingReminders(policy, z, g, members, now + 600, history))
    EXPECT_NE(d.verdict, Verdict::Send);
}

TEST(VillageBank, LeaderSummaryIsOptInAndSaysWhoPaid) {
  ReminderPolicy policy = defaultPolicy();
  const auto z = zone("Africa/Nairobi");
  store::Group g;
  g.id = "G-1";
  g.leaderCid = "C-1";
  g.nextMeetingDay = toDayNumber(2024, 8, 14);
  const int64_t now = localTime(z, 2024, 8, 13, 18);
  auto paidLoan = monthlyLoan("L-1", g.nextMeetingDay + 20);
  auto lateLoan = monthlyLoan("L-2", g.nextMeetingDay);
  auto closedLoan = monthlyLoan("L-3", g.nextMeetingDay - 2);
  closedLoan.status = store::LoanStatus::Closed;
  for (auto* l : {&paidLoan, &lateLoan, &closedLoan})
    l->asOf = static_cast<uint32_t>(now - 60);
  std::vector<MemberFacts> members = {
      {member("C-1", "254700000001", "Amina"), false, {paidLoan}},
      {member("C-2", "254700000002", "Wanjiru"), false, {lateLoan}},
      {member("C-3", "254700000003", "Achieng"), false, {closedLoan}}};
  const auto status = groupPaidStatus(policy, members, g.nextMeetingDay, now);
  EXPECT_EQ(status.paid, (std::vector<std::string>{"Amina", "Achieng"}));
  EXPECT_EQ(status.unpaid, (std::vector<std::string>{"Wanjiru"}));
  EXPECT_FALSE(status.stale);
  MemoryHistory history;
  auto plan = planGroupSummary(policy, z, g, members[0], members, now, history);
  ASSERT_EQ(plan.size(), 1u);
  EXPECT_EQ(plan[0].reason, SuppressReason::NotOptedIn);
  policy.summaryGroups = {"G-1"};
  plan = planGroupSummary(policy, z, g, members[0], members, now, history);
  EXPECT_EQ(plan[0].verdict, Verdict::Send);
  EXPECT_EQ(plan[0].key.recipient, "C-1");
  // One member's snapshot is old: nobody is named as unpaid on stale data.
  members[1].loans[0].asOf = static_cast<uint32_t>(now - 3 * 86400);
  plan = planGroupSummary(policy, z, g, members[0], members, now, history);
  EXPECT_EQ(plan[0].reason, SuppressReason::Stale);
  EXPECT_TRUE(planGroupSummary(policy, z, g, std::nullopt, members, now, history).empty());
}

}  // namespace
}  // namespace mfigw::gateway
