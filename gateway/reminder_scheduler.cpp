#include "gateway/reminder_scheduler.hpp"

#include <fmt/format.h>
#include <sodium.h>

#include <boost/asio/post.hpp>

#include <array>
#include <stdexcept>
#include <utility>

#include "gateway/reminder_templates.hpp"
#include "store/loan_snapshot.hpp"
#include "store/outbox.hpp"
#include "store/reminder_ledger.hpp"

namespace mfigw::gateway {

struct ReminderScheduler::Shared {
  ReminderConfig config;
  ReminderZone zone;
};

struct ReminderScheduler::Pass {
  std::shared_ptr<const Shared> shared;
  std::int64_t now = 0;
  std::string resumeAfter;  // the last loan id scanned; empty: from the first loan
  std::string wrapAt;       // started after this loan: after the end, scan again up to it
  bool wrapped = false;
  bool cut = false;                  // stopped at maxPerTick: more may be due than this pass took
  std::vector<std::string> loanIds;  // with something to send at `now`
  std::vector<std::string> groupIds;
  std::size_t pending = 0;  // writes not yet answered
  std::map<std::string, std::uint64_t> tally;
  std::map<std::string, std::uint64_t> held;  // scan: due but not sent, by reason label
  bool enqueuedAny = false;
  std::function<void()> done;
};

namespace {

using store::ReminderKey;

// The ledger, as the caller's txn sees it.
class LedgerHistory final : public ReminderHistory {
 public:
  LedgerHistory(const store::Txn& txn, const store::ReminderLedger& ledger)
      : txn_(txn), ledger_(ledger) {}
  bool alreadySent(const ReminderKey& key) const override { return ledger_.contains(txn_, key); }
  std::uint32_t sentOnDay(std::string_view msisdn, store::DayNumber day) const override {
    return msisdn.empty() ? 0 : ledger_.countForDay(txn_, msisdn, day);
  }
  std::uint32_t sentForInstallment(std::string_view lid, store::DayNumber due) const override {
    return ledger_.countForInstallment(txn_, lid, due);
  }

 private:
  const store::Txn& txn_;
  const store::ReminderLedger& ledger_;
};

struct Borrower {
  BorrowerFacts facts;
  std::string language;
};

Borrower borrowerOf(const store::Txn& txn, const store::BusinessTables& t,
                    const store::LoanSnapshot& loan) {
  Borrower b;
  b.facts.msisdn = loan.msisdn;
  b.language = loan.language;
  if (b.facts.msisdn.empty() || b.language.empty()) {
    if (const auto client = t.loanBook.client(txn, loan.clientId)) {
      if (b.facts.msisdn.empty()) b.facts.msisdn = client->msisdn;
      if (b.language.empty()) b.language = client->language;
    }
  }
  b.facts.optedOut = !b.facts.msisdn.empty() && t.optouts.contains(txn, b.facts.msisdn);
  return b;
}

std::vector<MemberFacts> membersOf(const store::Txn& txn, const store::BusinessTables& t,
                                   const std::string& groupId) {
  std::vector<MemberFacts> out;
  for (const std::string& cid : t.loanBook.membersOfGroup(txn, groupId)) {
    auto client = t.loanBook.client(txn, cid);
    if (!client) continue;
    MemberFacts m;
    m.optedOut = !client->msisdn.empty() && t.optouts.contains(txn, client->msisdn);
    m.loans = t.loanBook.loansOfClient(txn, cid);
    m.client = std::move(*client);
    out.push_back(std::move(m));
  }
  return out;
}

// The mfigw_reminders_held reason of a decision that holds a due reminder back; empty for
// one that sends, is not due yet or went already.
std::string heldReason(const ReminderDecision& d) {
  switch (d.verdict) {
    case Verdict::Quiet:
      return "quiet_hours";
    case Verdict::Missed:
      return "missed";
    case Verdict::Capped:
      return fmt::format("cap_{}", toString(d.reason));
    case Verdict::Suppressed:
      return std::string(toString(d.reason));
    default:
      return {};
  }
}

// Every reason label, so a reason that no longer holds anything drops to 0.
std::vector<std::string> heldReasons() {
  std::vector<std::string> out = {"quiet_hours", "missed"};
  for (auto r = static_cast<int>(SuppressReason::Paid);
       r <= static_cast<int>(SuppressReason::Installment); ++r) {
    const auto reason = static_cast<SuppressReason>(r);
    const bool cap = reason == SuppressReason::BorrowerDay || reason == SuppressReason::Installment;
    out.push_back(cap ? fmt::format("cap_{}", toString(reason)) : std::string(toString(reason)));
  }
  return out;
}

// Counts the held decisions of one plan; true when any of them sends.
bool tallyScan(const std::vector<ReminderDecision>& plan,
               std::map<std::string, std::uint64_t>& held) {
  bool send = false;
  for (const auto& d : plan) {
    send = send || d.verdict == Verdict::Send;
    if (std::string reason = heldReason(d); !reason.empty()) ++held[reason];
  }
  return send;
}

std::string tallyName(const ReminderDecision& d) {
  if (d.reason == SuppressReason::None) return std::string(toString(d.verdict));
  return fmt::format("{}:{}", toString(d.verdict), toString(d.reason));
}

// What one write item did; written on the writer thread, read in its completion.
struct ItemResult {
  std::uint64_t enqueued = 0;
  std::uint64_t duplicates = 0;
  std::map<std::string, std::uint64_t> kinds;
  std::map<std::string, std::uint64_t> tally;
};

void enqueueAndRecord(store::WriteTxn& txn, const store::BusinessTables& t,
                      const ReminderDecision& d, const Rendered& text, const std::string& source,
                      std::int64_t now, ItemResult& result) {
  store::OutboxMessage m;
  m.to = d.msisdn;
  m.source = source;
  m.text = text.text;
  m.lang = text.language;
  m.kind = store::OutboxKind::Reminder;
  m.priority = store::OutboxPriority::Bulk;
  m.notBefore = now;
  m.notAfter = d.notAfter;
  m.idempotencyKey = reminderIdempotencyKey(d.key);
  const store::EnqueueResult queued = t.outbox.enqueue(txn, std::move(m), now);
  // Recorded in the same txn as the message: a crash keeps both or neither.
  t.reminders.record(txn, d.key, store::ReminderRecord{now, queued.id, d.localDay, d.msisdn});
  if (queued.created) {
    ++result.enqueued;
    ++result.kinds[std::string(toString(d.rule->kind))];
  } else {
    ++result.duplicates;
  }
}

void writeLoan(store::WriteTxn& txn, const store::BusinessTables& t, const ReminderConfig& config,
               const ReminderZone& zone, const std::string& loanId, const std::string& source,
               std::int64_t now, ItemResult& result) {
  const auto loan = t.loanBook.loan(txn, loanId);
  if (!loan) return;  // removed since the scan
  const Borrower borrower = borrowerOf(txn, t, *loan);
  const LedgerHistory history(txn, t.reminders);
  const auto plan =
      planInstallmentReminders(config.policy, zone, *loan, borrower.facts, now, history);
  for (const ReminderDecision& d : plan) {
    ++result.tally[tallyName(d)];
    if (d.verdict != Verdict::Send) continue;
    ReminderValues v;
    v.officer = loan->officer;
    v.amountMinor = d.amount;
    v.currency = loan->currency;
    v.decimals = loan->decimals;
    v.dueDay = d.key.day;
    v.account = loan->accountNo;
    const auto text = config.templates.render(d.rule->templateName, borrower.language, v);
    if (!text) continue;  // the loader guarantees every rule's template exists
    enqueueAndRecord(txn, t, d, *text, source, now, result);
  }
}

void writeGroup(store::WriteTxn& txn, const store::BusinessTables& t, const ReminderConfig& config,
                const ReminderZone& zone, const std::string& groupId, const std::string& source,
                std::int64_t now, ItemResult& result) {
  const auto group = t.loanBook.group(txn, groupId);
  if (!group) return;
  const std::vector<MemberFacts> members = membersOf(txn, t, groupId);
  const LedgerHistory history(txn, t.reminders);
  const auto languageOf = [&](const std::string& cid) {
    for (const auto& m : members)
      if (m.client.cid == cid) return m.client.language;
    return std::string();
  };
  ReminderValues v;
  v.group = group->name;
  v.meetingMinute =
      group->meetingWeekday == store::Weekday::None ? -1 : static_cast<int>(group->meetingMinute);
  for (const ReminderDecision& d :
       planMeetingReminders(config.policy, zone, *group, members, now, history)) {
    ++result.tally[tallyName(d)];
    if (d.verdict != Verdict::Send) continue;
    v.meetingDay = d.key.day;
    if (auto text = config.templates.render(d.rule->templateName, languageOf(d.key.recipient), v))
      enqueueAndRecord(txn, t, d, *text, source, now, result);
  }
  std::optional<MemberFacts> leader;
  for (const auto& m : members)
    if (m.client.cid == group->leaderCid) leader = m;
  if (!leader && !group->leaderCid.empty()) {
    // A leader outside the member index (another group's client record) still gets it.
    if (auto client = t.loanBook.client(txn, group->leaderCid)) {
      leader = MemberFacts{
          *client, !client->msisdn.empty() && t.optouts.contains(txn, client->msisdn), {}};
    }
  }
  for (const ReminderDecision& d :
       planGroupSummary(config.policy, zone, *group, leader, members, now, history)) {
    ++result.tally[tallyName(d)];
    if (d.verdict != Verdict::Send) continue;
    const GroupPaidStatus status = groupPaidStatus(config.policy, members, d.key.day, now);
    v.meetingDay = d.key.day;
    v.paidCount = status.paid.size();
    v.memberCount = members.size();
    v.unpaid = status.unpaid;
    if (auto text = config.templates.render(d.rule->templateName, leader->client.language, v))
      enqueueAndRecord(txn, t, d, *text, source, now, result);
  }
}

}  // namespace

std::string reminderIdempotencyKey(const store::ReminderKey& key) {
  const std::string bytes = store::ReminderRecordCodec::encodeKey(key);
  std::array<unsigned char, 16> hash{};
  crypto_generichash(hash.data(), hash.size(), reinterpret_cast<const unsigned char*>(bytes.data()),
                     bytes.size(), nullptr, 0);
  std::array<char, 33> hex{};
  sodium_bin2hex(hex.data(), hex.size(), hash.data(), hash.size());
  const auto ymd = store::toDate(key.day);
  return fmt::format("rem:{}:{}:{:04}{:02}{:02}:{}", toString(key.subject), key.rule,
                     static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
                     static_cast<unsigned>(ymd.day()), hex.data());
}

ReminderScheduler::ReminderScheduler(boost::asio::io_context& io, store::Env& env,
                                     const store::BusinessTables& tables,
                                     store::GroupCommitWriter& writer, ReminderConfig config,
                                     ReminderSchedulerOptions options, spdlog::logger& log,
                                     Clock now, Wake wake)
    : io_(io),
      env_(env),
      tables_(tables),
      writer_(writer),
      options_(std::move(options)),
      log_(log),
      now_(std::move(now)),
      wake_(std::move(wake)),
      timer_(io),
      alive_(std::make_shared<bool>(true)) {
  if (!now_) {
    now_ = [] {
      return std::chrono::duration_cast<std::chrono::seconds>(
                 std::chrono::system_clock::now().time_since_epoch())
          .count();
    };
  }
  setConfig(std::move(config));
}

ReminderScheduler::~ReminderScheduler() {
  *alive_ = false;
}

void ReminderScheduler::setConfig(ReminderConfig config) {
  auto zone = ReminderZone::find(config.policy.timeZone);
  if (!zone) throw std::invalid_argument("unknown time zone " + config.policy.timeZone);
  shared_ = std::make_shared<const Shared>(Shared{std::move(config), *zone});
}

void ReminderScheduler::start() {
  stopped_ = false;
  armed_ = true;
  tick();
  arm(options_.interval);
}

void ReminderScheduler::stop() {
  stopped_ = true;
  armed_ = false;
  timer_.cancel();
}

void ReminderScheduler::arm(std::chrono::milliseconds after) {
  // Re-arming cancels the wait in progress; its handler sees operation_aborted.
  timer_.expires_after(after);
  timer_.async_wait([this, alive = alive_](const boost::system::error_code& ec) {
    if (ec || !*alive || stopped_) return;
    tick();
    arm(options_.interval);
  });
}

bool ReminderScheduler::anyWindowOpen(const Shared& shared, std::int64_t now) const {
  const ReminderPolicy& p = shared.config.policy;
  return p.window.allows(shared.zone, now) || p.overdueWindow.allows(shared.zone, now);
}

void ReminderScheduler::tick(std::function<void()> done) {
  if (running_) {
    if (done) boost::asio::post(io_, std::move(done));
    return;
  }
  auto pass = std::make_shared<Pass>();
  pass->shared = shared_;
  pass->now = now_();
  pass->done = std::move(done);
  pass->resumeAfter = carryAfter_;
  pass->wrapAt = carryAfter_;
  ++stats_.passes;
  const store::DayNumber today = pass->shared->zone.toLocal(pass->now).day;
  if (today != lastPurgeDay_) {
    lastPurgeDay_ = today;
    const store::DayNumber cutoff = today - options_.keepDays;
    auto purged = std::make_shared<std::size_t>(0);
    const store::BusinessTables* t = &tables_;
    writer_.submit(
        [t, cutoff, purged](store::WriteTxn& txn) {
          *purged = t->reminders.purgeBefore(txn, cutoff, 20000);
        },
        [this, alive = alive_, purged](std::error_code ec) {
          if (!*alive) return;
          if (ec)
            log_.warn("reminder ledger purge failed error={}", ec.message());
          else
            stats_.purged += *purged;
        });
  }
  if (!anyWindowOpen(*pass->shared, pass->now)) {
    ++stats_.quietPasses;
    publishPass(*pass, true);
    if (pass->done) boost::asio::post(io_, std::move(pass->done));
    return;
  }
  running_ = true;
  scanChunk(std::move(pass));
}

void ReminderScheduler::scanChunk(std::shared_ptr<Pass> pass) {
  const Shared& shared = *pass->shared;
  bool more = false;
  try {
    store::ReadTxn txn = env_.beginRead();
    store::Cursor cursor(txn, tables_.loanBook.loanTable().dbi());
    auto entry = pass->resumeAfter.empty() ? cursor.first() : cursor.seek(pass->resumeAfter);
    if (entry && entry->first == pass->resumeAfter) entry = cursor.next();
    const LedgerHistory history(txn, tables_.reminders);
    std::size_t scanned = 0;
    for (; entry; entry = cursor.next()) {
      if (pass->wrapped && entry->first > pass->wrapAt) break;  // back where it began
      if (pass->loanIds.size() >= options_.maxPerTick) {
        pass->cut = true;
        break;
      }
      if (scanned == options_.scanBatch) {
        more = true;
        break;
      }
      ++scanned;
      pass->resumeAfter = std::string(entry->first);
      store::LoanSnapshot loan;
      try {
        loan = store::LoanSnapshotCodec::decodeValue(entry->second);
      } catch (const std::exception& e) {
        // One bad record must not stop every other borrower's reminders.
        log_.error("reminder scan skipped an undecodable loan error={}", e.what());
        continue;
      }
      if (loan.installments.empty() && loan.totalOverdue == 0) continue;
      const Borrower borrower = borrowerOf(txn, tables_, loan);
      if (tallyScan(planInstallmentReminders(shared.config.policy, shared.zone, loan,
                                             borrower.facts, pass->now, history),
                    pass->held))
        pass->loanIds.push_back(loan.loanId);
    }
    if (!entry && !pass->wrapAt.empty() && !pass->wrapped) {
      // The end, for a pass that began past the first loan: on to the loans before that.
      pass->wrapped = true;
      pass->resumeAfter.clear();
      more = true;
    }
  } catch (const std::exception& e) {
    log_.error("reminder scan failed error={}", e.what());
    more = false;
  }
  if (more) {
    boost::asio::post(io_, [this, alive = alive_, pass] {
      if (*alive) scanChunk(pass);
    });
    return;
  }
  scanGroups(std::move(pass));
}

void ReminderScheduler::scanGroups(std::shared_ptr<Pass> pass) {
  const Shared& shared = *pass->shared;
  const ReminderPolicy& policy = shared.config.policy;
  if (!policy.meetingRules.empty() || policy.summaryRule) {
    try {
      store::ReadTxn txn = env_.beginRead();
      const LedgerHistory history(txn, tables_.reminders);
      tables_.loanBook.groupTable().forEach(txn, [&](std::string_view, store::Group group) {
        if (pass->loanIds.size() + pass->groupIds.size() >= options_.maxPerTick) {
          pass->cut = true;
          return false;
        }
        const auto members = membersOf(txn, tables_, group.id);
        std::optional<MemberFacts> leader;
        for (const auto& m : members)
          if (m.client.cid == group.leaderCid) leader = m;
        if (!leader && !group.leaderCid.empty()) {
          if (auto c = tables_.loanBook.client(txn, group.leaderCid))
            leader = MemberFacts{*c, false, {}};
        }
        const bool meeting =
            tallyScan(planMeetingReminders(policy, shared.zone, group, members, pass->now, history),
                      pass->held);
        const bool summary = tallyScan(
            planGroupSummary(policy, shared.zone, group, leader, members, pass->now, history),
            pass->held);
        if (meeting || summary) pass->groupIds.push_back(group.id);
        return true;
      });
    } catch (const std::exception& e) {
      log_.error("reminder group scan failed error={}", e.what());
    }
  }
  submit(std::move(pass));
}

void ReminderScheduler::submit(std::shared_ptr<Pass> pass) {
  pass->pending = pass->loanIds.size() + pass->groupIds.size();
  if (pass->pending == 0) {
    finish(std::move(pass));
    return;
  }
  const store::BusinessTables* t = &tables_;
  const auto completion = [this, alive = alive_, pass](std::shared_ptr<ItemResult> result,
                                                       std::string what) {
    return [this, alive, pass, result, what](std::error_code ec) {
      if (!*alive) return;
      if (ec) {
        ++stats_.writeFailures;
        if (metrics_) metrics_->counter(MetricId::ReminderWriteFailuresTotal).inc();
        log_.warn("reminder write failed {} error={}", what, ec.message());
      } else {
        stats_.enqueued += result->enqueued;
        stats_.duplicates += result->duplicates;
        for (const auto& [k, n] : result->kinds) {
          stats_.enqueuedByKind[k] += n;
          if (metrics_) metrics_->counter(MetricId::RemindersEnqueuedTotal, {k}).inc(n);
        }
        if (metrics_ && result->enqueued > 0)
          metrics_->counter(MetricId::SmsAcceptedTotal, {"reminder"}).inc(result->enqueued);
        for (const auto& [k, n] : result->tally)
          pass->tally[k] += n;
        pass->enqueuedAny = pass->enqueuedAny || result->enqueued > 0;
      }
      if (--pass->pending == 0) finish(pass);
    };
  };
  for (const std::string& lid : pass->loanIds) {
    auto result = std::make_shared<ItemResult>();
    writer_.submit(
        [t, shared = pass->shared, lid, source = options_.source, now = pass->now,
         result](store::WriteTxn& txn) {
          *result = ItemResult{};  // the writer may run a work item again after growing the map
          writeLoan(txn, *t, shared->config, shared->zone, lid, source, now, *result);
        },
        completion(result, "loan=" + lid));
  }
  for (const std::string& gid : pass->groupIds) {
    auto result = std::make_shared<ItemResult>();
    writer_.submit(
        [t, shared = pass->shared, gid, source = options_.source, now = pass->now,
         result](store::WriteTxn& txn) {
          *result = ItemResult{};
          writeGroup(txn, *t, shared->config, shared->zone, gid, source, now, *result);
        },
        completion(result, "group=" + gid));
  }
}

void ReminderScheduler::finish(std::shared_ptr<Pass> pass) {
  running_ = false;
  carryAfter_ = pass->cut ? pass->resumeAfter : std::string();
  // A backlog goes on at once rather than a whole interval later.
  if (pass->cut && armed_ && !stopped_) arm(options_.backlogDelay);
  stats_.lastPass = std::move(pass->tally);
  publishPass(*pass, false);
  if (pass->enqueuedAny && wake_) wake_();
  if (pass->done) pass->done();
}

void ReminderScheduler::publishPass(const Pass& pass, bool quiet) {
  if (!metrics_) return;
  const std::string_view result = quiet ? "quiet" : pass.cut ? "backlog" : "complete";
  metrics_->counter(MetricId::ReminderPassesTotal, {result}).inc();
  if (quiet) return;  // nothing scanned: the held gauges keep the last scan's view
  metrics_->gauge(MetricId::ReminderLastPassSeconds).set(static_cast<double>(now_()));
  if (pass.cut) return;  // a partial scan would undercount
  for (const std::string& reason : heldReasons()) {
    const auto it = pass.held.find(reason);
    metrics_->gauge(MetricId::RemindersHeld, {reason})
        .set(it == pass.held.end() ? 0.0 : static_cast<double>(it->second));
  }
}

}  // namespace mfigw::gateway
