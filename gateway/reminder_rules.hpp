// gateway/reminder_rules.hpp: when a repayment or meeting reminder may go, and when it must not.
//
// Purpose:   Pure decisions (state in, verdicts out; the clock is a parameter) for issue 6
//            items 3 and 4, following reference/upstream.md 5.2:
//              - rules per product (or the default set): an offset in days from the due day
//                and a local time (T-3 and T0 at 09:00 for monthly loans, T-1 for weekly,
//                T+1 and T+7 overdue), in the borrower's time zone;
//              - sending windows (quiet hours outside them): 08:00-19:00 Mon-Sat by default,
//                overdue messages 09:00-18:00, no holidays. A reminder whose rule time falls
//                in quiet time goes at the next allowed moment, never before its rule time,
//                and carries a latest send time (not_after): the end of the allowed interval
//                it goes in, and never after its last day (lastOffsetDays). The scheduler
//                asks at `now`, so "the next allowed moment" is simply the first `now` that
//                is allowed;
//              - caps: at most maxPerBorrowerPerDay SMS per MSISDN per local day (every kind
//                counts) and maxPerInstallment per installment;
//              - suppression: installment paid (amount 0; or no longer listed, so never
//                asked), deferral pending (overdue kinds, or all kinds if configured),
//                collections paused, loan closed / written off / charged off / not yet
//                disbursed, opted out (the opt-outs table or the loan's OptOut flag), no
//                phone, and for overdue kinds a snapshot older than staleAfterSeconds or
//                not confirmed after the due day ended (it cannot know of a payment made
//                on the due day).
//            Village banks: a meeting reminder to every member (the group's next meeting
//            day, or the weekly weekday), and an opt-in summary to the leader of who has
//            paid what is due by the meeting day.
// Threading: Pure functions over immutable inputs; safe from any thread.
// Errors:    None: every outcome is a verdict. Policies are validated by the loader
//            (reminder_file.hpp), which is where a bad rule is reported.
// Ownership: Verdicts own their values; `rule` points into the policy the caller keeps.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gateway/reminder_zone.hpp"
#include "store/client.hpp"
#include "store/group.hpp"
#include "store/loan_snapshot.hpp"
#include "store/reminder_ledger.hpp"

namespace mfigw::gateway {

enum class ReminderKind : uint8_t { PreDue, DueToday, Overdue, Meeting, GroupSummary };
std::string_view toString(ReminderKind kind) noexcept;

// Local days and hours in which SMS may go; everything else is quiet time.
struct SendWindow {
  int startMinute = 8 * 60;                // first allowed minute, local
  int endMinute = 19 * 60;                 // first quiet minute again (exclusive), local
  uint8_t weekdays = 0x3F;                 // bit (isoWeekday - 1): Monday..Saturday
  std::vector<store::DayNumber> holidays;  // local calendar days, sorted

  bool allowsDay(store::DayNumber day) const;
  bool allows(const ReminderZone& zone, int64_t at) const;
  // End of the allowed interval containing `at` (only meaningful when allows(at)).
  int64_t intervalEnd(const ReminderZone& zone, int64_t at) const;
  // The first allowed instant at or after `at`, looking at most `maxDays` local days ahead.
  std::optional<int64_t> nextAllowed(const ReminderZone& zone, int64_t at, int maxDays = 31) const;
};

struct ReminderRule {
  std::string id;          // the ledger's rule name, e.g. "pre3"; unique within its set
  int offsetDays = 0;      // from the due (meeting) day: -3 = three days before
  int minute = 9 * 60;     // local time of day
  int lastOffsetDays = 0;  // the last day (same origin) it may still go; >= offsetDays
  ReminderKind kind = ReminderKind::PreDue;  // installments: from the sign of offsetDays
  std::string templateName;                  // the template it renders
};

struct RuleSet {
  std::string name;  // "monthly", "weekly", ...
  std::vector<ReminderRule> rules;
};

enum class DeferralScope : uint8_t { Overdue, All };

struct ReminderPolicy {
  std::string timeZone = "Africa/Nairobi";  // the MFI's default; per client later
  std::string defaultLanguage = "en";
  SendWindow window;  // pre-due, due-day, meeting and summary messages
  SendWindow overdueWindow{9 * 60, 18 * 60, 0x3F, {}};
  uint32_t maxPerBorrowerPerDay = 1;
  uint32_t maxPerInstallment = 4;
  int64_t staleAfterSeconds = 48 * 3600;
  DeferralScope deferralSuppresses = DeferralScope::Overdue;
  std::vector<RuleSet> ruleSets;                              // the first is the default
  std::vector<std::pair<std::string, std::string>> products;  // product code -> set name
  // Unmapped products whose listed installments are at most this many days apart use the
  // set named "weekly" when there is one.
  int weeklyMaxGapDays = 10;
  std::vector<ReminderRule> meetingRules;   // kind Meeting
  std::optional<ReminderRule> summaryRule;  // kind GroupSummary
  std::vector<std::string> summaryGroups;   // opted in: group ids, or "*" for all
};

// The rule set for a loan: its product's, else "weekly" for weekly-spaced installments,
// else the first (default) set. Null when the policy has no sets.
const RuleSet* ruleSetFor(const ReminderPolicy& policy, const store::LoanSnapshot& loan);

// What is already on record (the ledger, read in the caller's txn).
class ReminderHistory {
 public:
  virtual ~ReminderHistory() = default;
  virtual bool alreadySent(const store::ReminderKey& key) const = 0;
  virtual uint32_t sentOnDay(std::string_view msisdn, store::DayNumber localDay) const = 0;
  virtual uint32_t sentForInstallment(std::string_view loanId, store::DayNumber dueDay) const = 0;
};

enum class Verdict : uint8_t {
  Send,
  NotYet,       // before the rule time
  Quiet,        // due, but now is quiet time: it goes at the next allowed moment
  Missed,       // its last day passed without an allowed moment (or the caps held it)
  AlreadySent,  // the ledger has it
  Suppressed,   // see SuppressReason
  Capped,       // see SuppressReason (BorrowerDay / Installment)
};
std::string_view toString(Verdict verdict) noexcept;

enum class SuppressReason : uint8_t {
  None,
  Paid,
  DeferralPending,
  Paused,
  Closed,
  WrittenOff,
  NotDisbursed,
  OptedOut,
  Stale,
  NoPhone,
  NotOptedIn,   // group summary for a group that did not opt in
  BorrowerDay,  // cap: per MSISDN per local day
  Installment,  // cap: per installment
};
std::string_view toString(SuppressReason reason) noexcept;

struct ReminderDecision {
  store::ReminderKey key;
  const ReminderRule* rule = nullptr;
  Verdict verdict = Verdict::NotYet;
  SuppressReason reason = SuppressReason::None;
  int64_t ruleAt = 0;                         // the rule's local time, as an instant
  int64_t notAfter = 0;                       // Send: the latest send time
  int64_t nextAt = 0;                         // NotYet / Quiet: when to look again
  store::DayNumber localDay = store::kNoDay;  // the recipient's today
  std::string msisdn;
  int64_t amount = 0;  // installments: still due on it
};

// Everything about one loan's borrower the rules read besides the snapshot.
struct BorrowerFacts {
  std::string msisdn;     // the loan's, else the client's; empty when unknown
  bool optedOut = false;  // the opt-outs table has the MSISDN
};

// Every (installment, rule) decision of one loan at `now`. At most the borrower's
// remaining per-day allowance is Send; the rest of what would go is Capped(BorrowerDay).
std::vector<ReminderDecision> planInstallmentReminders(const ReminderPolicy& policy,
                                                       const ReminderZone& zone,
                                                       const store::LoanSnapshot& loan,
                                                       const BorrowerFacts& borrower, int64_t now,
                                                       const ReminderHistory& history);

struct MemberFacts {
  store::Client client;
  bool optedOut = false;
  std::vector<store::LoanSnapshot> loans;  // the member's loans (any status)
};

// The meeting days worth looking at around `today`: the group's next meeting day and the
// weekly weekday's occurrences within a week either side.
std::vector<store::DayNumber> meetingDaysAround(const store::Group& group, store::DayNumber today);

// Meeting reminders to every member, for each meeting day around today.
std::vector<ReminderDecision> planMeetingReminders(const ReminderPolicy& policy,
                                                   const ReminderZone& zone,
                                                   const store::Group& group,
                                                   const std::vector<MemberFacts>& members,
                                                   int64_t now, const ReminderHistory& history);

// Who of a group has paid what falls due by `meetingDay`: a member has paid when none of
// their open loans shows arrears or an unpaid installment due on or before that day.
struct GroupPaidStatus {
  std::vector<std::string> paid;  // short names (client id when no name), member order
  std::vector<std::string> unpaid;
  bool stale = false;  // some open loan's snapshot is too old to tell
};
GroupPaidStatus groupPaidStatus(const ReminderPolicy& policy,
                                const std::vector<MemberFacts>& members,
                                store::DayNumber meetingDay, int64_t now);

// The leader's summary, if the group opted in; suppressed (Stale) when a member's snapshot
// is too old to say who paid.
std::vector<ReminderDecision> planGroupSummary(const ReminderPolicy& policy,
                                               const ReminderZone& zone, const store::Group& group,
                                               const std::optional<MemberFacts>& leader,
                                               const std::vector<MemberFacts>& members, int64_t now,
                                               const ReminderHistory& history);

}  // namespace mfigw::gateway
