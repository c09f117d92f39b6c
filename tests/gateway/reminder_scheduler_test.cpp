// The reminder scheduler over a real (temporary) store and group-commit writer, with a fake
// clock stepping every 15 minutes across three zones and both Madrid DST changes: every
// outbox message inside its window, never before its rule, one SMS per borrower per local
// day, at most 4 per installment, every suppression honoured, nothing sent twice across a
// restart, ledger and outbox written together, village-bank meetings and the leader summary.
#include "gateway/reminder_scheduler.hpp"

#include <gtest/gtest.h>
#include <spdlog/sinks/null_sink.h>
#include <spdlog/spdlog.h>

#include <fmt/format.h>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>

#include <map>
#include <memory>
#include <set>
#include <string>

#include "gateway/reminder_file.hpp"
#include "reminder_test_support.hpp"
#include "store/business_tables.hpp"
#include "store/group_commit_writer.hpp"
#include "tests/store/store_test_util.hpp"

namespace mfigw::gateway {
namespace {

using store::DayNumber;
using store::toDayNumber;
using testing::monthlyLoan;
using testing::zone;

ReminderConfig shippedConfig(const std::string& tz) {
  auto loaded = loadReminderFile(std::string(MFIGW_SOURCE_DIR) + "/menus/mfi/reminders.yaml");
  if (!loaded.ok()) throw std::runtime_error(loaded.errorText());
  ReminderConfig config = std::move(*loaded.config);
  config.policy.timeZone = tz;
  config.policy.window.holidays.clear();  // the simulated weeks are plain working weeks
  config.policy.overdueWindow.holidays.clear();
  return config;
}

class Harness {
 public:
  explicit Harness(const std::string& tz, ReminderSchedulerOptions options = {})
      : env_(store::testing::smallEnv(dir_.sub("data"))),
        tables_(store::openBusinessTables(env_)),
        writer_(env_, [this](std::function<void()> fn) { boost::asio::post(io_, std::move(fn)); }),
        config_(shippedConfig(tz)),
        options_(options),
        log_(std::make_shared<spdlog::logger>("test",
                                              std::make_shared<spdlog::sinks::null_sink_mt>())) {
    restart();
  }
  ~Harness() {
    scheduler_.reset();
    writer_.stop();
    drain();
  }

  // A new scheduler on the same store, as after a daemon restart.
  void restart() {
    scheduler_ = std::make_unique<ReminderScheduler>(
        io_, env_, tables_, writer_, config_, options_, *log_, [this] { return now; },
        [this] { ++wakes; });
    scheduler_->setMetrics(&metrics);
  }
  // Runs the loop (timers included) until `done` holds or `limit` of wall time passed.
  bool runUntil(const std::function<bool()>& done, std::chrono::seconds limit) {
    io_.restart();
    auto guard = boost::asio::make_work_guard(io_);
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (!done() && std::chrono::steady_clock::now() < deadline)
      io_.run_one_for(std::chrono::milliseconds(100));
    return done();
  }
  double held(std::string_view reason) {
    return metrics.gauge(MetricId::RemindersHeld, {reason}).value();
  }
  std::uint64_t passes(std::string_view result) {
    return metrics.counter(MetricId::ReminderPassesTotal, {result}).value();
  }
  void tick() {
    bool done = false;
    scheduler_->tick([&] { done = true; });
    io_.restart();  // the previous tick's guard, once released, stopped it
    auto guard = boost::asio::make_work_guard(io_);
    for (int i = 0; i < 100000 && !done; ++i)
      io_.run_one_for(std::chrono::seconds(5));
    ASSERT_TRUE(done);
  }
  void drain() {
    io_.restart();
    io_.poll();
  }
  void write(const std::function<void(store::WriteTxn&)>& fn) { env_.write(fn); }
  std::vector<store::OutboxMessage> messages() {
    std::vector<store::OutboxMessage> out;
    store::ReadTxn txn = env_.beginRead();
    for (uint64_t id = 1;; ++id) {
      auto m = tables_.outbox.get(txn, id);
      if (!m) break;
      out.push_back(std::move(*m));
    }
    return out;
  }
  const store::BusinessTables& tables() const { return tables_; }
  store::Env& env() { return env_; }
  ReminderScheduler& scheduler() { return *scheduler_; }
  ReminderConfig& config() { return config_; }

  int64_t now = 0;
  int wakes = 0;
  Metrics metrics;

 private:
  store::testing::TempDir dir_;
  store::Env env_;
  store::BusinessTables tables_;
  boost::asio::io_context io_;
  store::GroupCommitWriter writer_;
  ReminderConfig config_;
  ReminderSchedulerOptions options_;
  std::shared_ptr<spdlog::logger> log_;
  std::unique_ptr<ReminderScheduler> scheduler_;
};

store::Client client(const std::string& cid, const std::string& msisdn, const std::string& lang,
                     const std::string& group = "") {
  store::Client c;
  c.cid = cid;
  c.msisdn = msisdn;
  c.shortName = "Name " + cid;
  c.language = lang;
  c.groupId = group;
  return c;
}

// "rem:installment:pre3:20240814:..." -> {"installment", "pre3", "20240814"}
std::vector<std::string> keyParts(const std::string& key) {
  std::vector<std::string> parts;
  size_t from = 0;
  for (size_t at; (at = key.find(':', from)) != std::string::npos; from = at + 1)
    parts.push_back(key.substr(from, at - from));
  parts.push_back(key.substr(from));
  return {parts.at(1), parts.at(2), parts.at(3)};
}

struct ZoneCase {
  const char* zone;
  int y;
  unsigned m, d;
};

class SchedulerClock : public ::testing::TestWithParam<ZoneCase> {};

TEST_P(SchedulerClock, WindowsCapsSuppressionsAndRestarts) {
  const ZoneCase c = GetParam();
  Harness h(c.zone);
  const auto z = zone(c.zone);
  const DayNumber due = toDayNumber(c.y, c.m, c.d);
  // Borrowers: A has two loans due the same day (caps); the others one each.
  struct Seed {
    std::string lid, msisdn, lang;
    void (*change)(store::LoanSnapshot&);
  };
  const auto none = [](store::LoanSnapshot&) {};
  const std::vector<Seed> seeds = {
      {"L-A", "254700000001", "en", none},
      {"L-A2", "254700000001", "en", none},
      {"L-C", "254700000003", "fr", none},  // pays on the day before the due day
      {"L-D", "254700000004", "en", none},  // opted out in the table
      {"L-E", "254700000005", "es",
       [](store::LoanSnapshot& l) {
         l.flags |= static_cast<uint8_t>(store::LoanFlag::DeferralPending);
       }},
      {"L-F", "254700000006", "en",
       [](store::LoanSnapshot& l) { l.flags |= static_cast<uint8_t>(store::LoanFlag::Paused); }},
      {"L-G", "254700000007", "en",
       [](store::LoanSnapshot& l) { l.status = store::LoanStatus::Closed; }},
      {"L-H", "254700000008", "en",
       [](store::LoanSnapshot& l) { l.status = store::LoanStatus::WrittenOff; }},
      {"L-I", "254700000009", "ar", none},  // its snapshot is never refreshed (stale)
      {"L-J", "254700000010", "en",
       [](store::LoanSnapshot& l) {
         l.product = "GRP-WK";
         l.installments[1].dueDay = l.installments[0].dueDay + 7;
       }},
      {"L-K", "254700000011", "en",
       [](store::LoanSnapshot& l) { l.flags |= static_cast<uint8_t>(store::LoanFlag::OptOut); }},
  };
  const int64_t start = z.toUnix(due - 6, 0);
  h.write([&](store::WriteTxn& txn) {
    for (const Seed& s : seeds) {
      h.tables().loanBook.upsertClient(txn, client("C-" + s.lid, s.msisdn, s.lang));
      auto loan = monthlyLoan(s.lid, due, s.msisdn);
      loan.clientId = "C-" + s.lid;
      loan.language = s.lang;
      loan.asOf = static_cast<uint32_t>(start);
      s.change(loan);
      h.tables().loanBook.upsertLoan(txn, loan);
    }
    h.tables().optouts.put(txn, "254700000004",
                           store::OptOut{"254700000004", start, store::OptOutSource::Sms});
  });
  const int64_t end = z.toUnix(due + 12, 0);
  const int64_t restartAt = z.toUnix(due + 2, 12 * 60);
  const int64_t paidAt = z.toUnix(due - 1, 12 * 60);
  for (h.now = start; h.now <= end; h.now += 900) {
    if (h.now == restartAt) h.restart();
    // The sync confirms every snapshot hourly, except L-I's; L-C is paid on T-1 at noon.
    if (h.now % 3600 == 0) {
      h.write([&](store::WriteTxn& txn) {
        for (const Seed& s : seeds) {
          if (s.lid == "L-I") continue;
          auto loan = *h.tables().loanBook.loan(txn, s.lid);
          loan.asOf = static_cast<uint32_t>(h.now);
          if (s.lid == "L-C" && h.now >= paidAt) loan.installments[0].amountDue = 0;
          h.tables().loanBook.upsertLoan(txn, loan);
        }
      });
    }
    ASSERT_NO_FATAL_FAILURE(h.tick());
  }
  const auto sent = h.messages();
  std::map<std::string, std::set<std::string>> rulesByLoanDue;  // "L-A/20240814" -> rules
  std::map<std::pair<std::string, DayNumber>, int> perLocalDay;
  std::map<std::string, std::string> textByRule;
  const ReminderPolicy& policy = h.config().policy;
  for (const store::OutboxMessage& m : sent) {
    SCOPED_TRACE(m.idempotencyKey + " " + m.text);
    EXPECT_EQ(m.kind, store::OutboxKind::Reminder);
    EXPECT_EQ(m.priority, store::OutboxPriority::Bulk);
    const auto parts = keyParts(m.idempotencyKey);
    const bool overdue = parts[1].rfind("late", 0) == 0;
    const SendWindow& w = overdue ? policy.overdueWindow : policy.window;
    EXPECT_TRUE(w.allows(z, m.notBefore)) << "queued in quiet time";
    EXPECT_TRUE(w.allows(z, m.notAfter)) << "could still go in quiet time";
    EXPECT_GE(m.notAfter, m.notBefore);
    EXPECT_EQ((++perLocalDay[{m.to, z.toLocal(m.notBefore).day}]), 1) << "two SMS one day";
    // Which loan: the ledger entry names it.
    std::string lid;
    for (const Seed& s : seeds) {
      store::ReadTxn txn = h.env().beginRead();
      const DayNumber day = toDayNumber(std::stoi(parts[2].substr(0, 4)),
                                        static_cast<unsigned>(std::stoi(parts[2].substr(4, 2))),
                                        static_cast<unsigned>(std::stoi(parts[2].substr(6, 2))));
      const store::ReminderKey key{store::ReminderSubject::Installment, s.lid, day, parts[1], ""};
      if (auto rec = h.tables().reminders.get(txn, key); rec && rec->outboxId == m.id) {
        lid = s.lid;
        // Never before the rule time.
        const ReminderRule* rule = nullptr;
        for (const auto& set : policy.ruleSets)
          for (const auto& r : set.rules)
            if (r.id == parts[1]) rule = &r;
        ASSERT_NE(rule, nullptr);
        EXPECT_GE(m.notBefore, z.toUnix(day + rule->offsetDays, rule->minute));
      }
    }
    ASSERT_FALSE(lid.empty()) << "no ledger entry for an outbox message";
    EXPECT_TRUE(rulesByLoanDue[lid + "/" + parts[2]].insert(parts[1]).second);
    textByRule[lid + "/" + parts[1]] = m.text;
  }
  const auto ymd = store::toDate(due);
  const std::string dueKey =
      fmt::format("{:04}{:02}{:02}", static_cast<int>(ymd.year()),
                  static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()));
  const auto rulesOf = [&](const std::string& lid) { return rulesByLoanDue[lid + "/" + dueKey]; };
  using Rules = std::set<std::string>;
  EXPECT_EQ(rulesOf("L-A"), (Rules{"pre3", "due", "late1", "late7"}));
  for (const auto& [k, rules] : rulesByLoanDue)
    EXPECT_LE(rules.size(), 4u) << k;
  EXPECT_FALSE(rulesOf("L-A2").count("due")) << "capped by L-A's due-day SMS, and due-day only";
  EXPECT_EQ(rulesOf("L-C"), (Rules{"pre3"}));  // paid: nothing after
  EXPECT_EQ(rulesOf("L-D"), Rules{});
  EXPECT_EQ(rulesOf("L-E"), (Rules{"pre3", "due"}));  // deferral pending: no overdue
  EXPECT_EQ(rulesOf("L-F"), Rules{});
  EXPECT_EQ(rulesOf("L-G"), Rules{});
  EXPECT_EQ(rulesOf("L-H"), Rules{});
  EXPECT_EQ(rulesOf("L-I"), (Rules{"pre3", "due"}));  // stale: no overdue
  EXPECT_EQ(rulesOf("L-K"), Rules{});
  EXPECT_TRUE(rulesOf("L-J").count("pre1"));
  EXPECT_TRUE(rulesOf("L-J").count("late1"));
  for (const auto& r : rulesOf("L-J"))
    EXPECT_TRUE(r == "pre1" || r == "late1" || r == "late7") << r;
  // Texts: the client's language, the officer, the amount due, "already paid".
  EXPECT_NE(textByRule["L-A/pre3"].find("KES 4,500.00"), std::string::npos)
      << textByRule["L-A/pre3"];
  EXPECT_NE(textByRule["L-A/pre3"].find("J. Otieno"), std::string::npos);
  EXPECT_NE(textByRule["L-A/pre3"].find("If you have already paid, thank you."), std::string::npos);
  EXPECT_NE(textByRule["L-C/pre3"].find("4 500,00 KES"), std::string::npos)
      << textByRule["L-C/pre3"];
  EXPECT_NE(textByRule["L-C/pre3"].find("Si vous avez déjà payé, merci."), std::string::npos);
  EXPECT_NE(textByRule["L-I/pre3"].find("إن دفعت فشكرا"), std::string::npos);
  EXPECT_GT(h.wakes, 0);

  // Everything again from the start with yet another scheduler: nothing new.
  const size_t before = sent.size();
  h.restart();
  for (h.now = start; h.now <= end; h.now += 3600)
    ASSERT_NO_FATAL_FAILURE(h.tick());
  EXPECT_EQ(h.messages().size(), before);
}

INSTANTIATE_TEST_SUITE_P(Zones, SchedulerClock,
                         ::testing::Values(ZoneCase{"Africa/Nairobi", 2024, 8, 14},
                                           ZoneCase{"America/Lima", 2024, 8, 14},
                                           ZoneCase{"Europe/Madrid", 2024, 4, 3},
                                           ZoneCase{"Europe/Madrid", 2024, 10, 30}),
                         [](const ::testing::TestParamInfo<ZoneCase>& param) {
                           std::string name = param.param.zone;
                           for (char& ch : name)
                             if (ch == '/') ch = '_';
                           return name + "_" + std::to_string(param.param.m);
                         });

TEST(ReminderScheduler, LedgerAndOutboxCommitTogether) {
  Harness h("Africa/Nairobi");
  const auto z = zone("Africa/Nairobi");
  const DayNumber due = toDayNumber(2024, 8, 15);  // T-3 is a Monday
  h.write([&](store::WriteTxn& txn) {
    h.tables().loanBook.upsertClient(txn, client("C-1", "254700000001", "en"));
    auto loan = monthlyLoan("L-1", due, "");  // the phone comes from the client record
    loan.clientId = "C-1";
    h.tables().loanBook.upsertLoan(txn, loan);
  });
  h.now = z.toUnix(due - 3, 9 * 60);
  h.tick();
  ASSERT_EQ(h.messages().size(), 1u);
  EXPECT_EQ(h.messages()[0].to, "254700000001");
  EXPECT_EQ(h.scheduler().stats().enqueued, 1u);
  store::ReadTxn txn = h.env().beginRead();
  EXPECT_EQ(h.tables().reminders.size(txn), 1u);
  const store::ReminderKey key{store::ReminderSubject::Installment, "L-1", due, "pre3", ""};
  const auto rec = h.tables().reminders.get(txn, key);
  ASSERT_TRUE(rec.has_value());
  EXPECT_EQ(rec->outboxId, h.messages()[0].id);
  EXPECT_EQ(rec->localDay, due - 3);
  EXPECT_EQ(h.messages()[0].idempotencyKey, reminderIdempotencyKey(key));
  EXPECT_EQ(h.messages()[0].notBefore, h.now);
  EXPECT_EQ(h.messages()[0].notAfter, z.toUnix(due - 3, 19 * 60) - 1);
}

TEST(ReminderScheduler, AFailedWriteLeavesNeitherLedgerNorOutbox) {
  Harness h("Africa/Nairobi");
  const auto z = zone("Africa/Nairobi");
  const DayNumber due = toDayNumber(2024, 8, 15);  // T-3 is a Monday
  h.write([&](store::WriteTxn& txn) {
    h.tables().loanBook.upsertLoan(txn, monthlyLoan("L-1", due, "254700000001"));
  });
  // A rule id the ledger refuses (over 24 bytes): the outbox takes the message first, then
  // the ledger throws, and the item's txn is rolled back whole.
  const ReminderConfig good = h.config();
  h.config().policy.ruleSets[0].rules[0].id = std::string(25, 'p');
  h.restart();
  h.now = z.toUnix(due - 3, 9 * 60);
  h.tick();
  EXPECT_TRUE(h.messages().empty());
  EXPECT_EQ(h.scheduler().stats().writeFailures, 1u);
  {
    store::ReadTxn txn = h.env().beginRead();
    EXPECT_EQ(h.tables().reminders.size(txn), 0u);
    EXPECT_EQ(h.tables().outbox.count(txn, store::OutboxState::Queued), 0u);
  }
  // Fixed: the next tick sends it, once.
  h.config() = good;
  h.restart();
  h.tick();
  h.tick();
  EXPECT_EQ(h.messages().size(), 1u);
}

TEST(ReminderScheduler, IdempotencyKeysAreStableShortAndDistinct) {
  const store::ReminderKey a{store::ReminderSubject::Installment, "L-1", toDayNumber(2024, 8, 14),
                             "pre3", ""};
  store::ReminderKey b = a;
  b.id = std::string(36, '\xff');
  store::ReminderKey c = a;
  c.rule = "due";
  store::ReminderKey d{store::ReminderSubject::Meeting, "G/1", toDayNumber(2024, 8, 14), "meet1",
                       std::string(36, 'c')};
  EXPECT_EQ(reminderIdempotencyKey(a), reminderIdempotencyKey(a));
  EXPECT_EQ(reminderIdempotencyKey(a).rfind("rem:installment:pre3:20240814:", 0), 0u);
  std::set<std::string> keys;
  for (const auto& k : {a, b, c, d}) {
    const std::string key = reminderIdempotencyKey(k);
    EXPECT_LE(key.size(), store::OutboxMessage::kMaxKey);
    keys.insert(key);
  }
  EXPECT_EQ(keys.size(), 4u);
}

TEST(ReminderScheduler, QuietTimeSkipsThePassAndWorkPerTickIsBounded) {
  ReminderSchedulerOptions options;
  options.maxPerTick = 3;
  options.scanBatch = 2;
  Harness h("Africa/Nairobi", options);
  const auto z = zone("Africa/Nairobi");
  const DayNumber due = toDayNumber(2024, 8, 15);  // T-3 is a Monday
  h.write([&](store::WriteTxn& txn) {
    for (int i = 0; i < 8; ++i) {
      const std::string n = std::to_string(i);
      h.tables().loanBook.upsertLoan(txn, monthlyLoan("L-" + n, due, "25470000001" + n));
    }
  });
  h.now = z.toUnix(due - 3, 2 * 60);  // 02:00: quiet
  h.tick();
  EXPECT_EQ(h.scheduler().stats().quietPasses, 1u);
  EXPECT_TRUE(h.messages().empty());
  h.now = z.toUnix(due - 3, 9 * 60);
  h.tick();
  EXPECT_EQ(h.messages().size(), 3u);
  h.tick();
  EXPECT_EQ(h.messages().size(), 6u);
  h.tick();
  EXPECT_EQ(h.messages().size(), 8u);
  h.tick();
  EXPECT_EQ(h.messages().size(), 8u);
  EXPECT_EQ(h.wakes, 3);
}

TEST(ReminderScheduler, ABacklogDrainsAtOnceOnceStartedNotAnIntervalLater) {
  ReminderSchedulerOptions options;
  options.interval = std::chrono::hours(1);
  options.maxPerTick = 3;
  options.scanBatch = 2;
  Harness h("Africa/Nairobi", options);
  const auto z = zone("Africa/Nairobi");
  const DayNumber due = toDayNumber(2024, 8, 15);
  h.write([&](store::WriteTxn& txn) {
    for (int i = 0; i < 8; ++i) {
      const std::string n = std::to_string(i);
      h.tables().loanBook.upsertLoan(txn, monthlyLoan("L-" + n, due, "25470000001" + n));
    }
  });
  h.now = z.toUnix(due - 3, 9 * 60);
  h.scheduler().start();
  // Three passes (3 + 3 + 2) follow each other; the hour-long interval never runs out here.
  EXPECT_TRUE(h.runUntil([&] { return h.passes("complete") == 1; }, std::chrono::seconds(20)));
  EXPECT_EQ(h.messages().size(), 8u);
  EXPECT_EQ(h.passes("backlog"), 2u);
  // The third pass began after L-5 and wrapped round: nothing twice, nothing left.
  std::set<std::string> to;
  for (const auto& m : h.messages())
    to.insert(m.to);
  EXPECT_EQ(to.size(), 8u);
  h.scheduler().stop();
}

TEST(ReminderScheduler, MetricsCountEnqueuedByKindAndHeldByReason) {
  Harness h("Africa/Nairobi");
  const auto z = zone("Africa/Nairobi");
  const DayNumber due = toDayNumber(2024, 8, 15);  // T-3 is a Monday
  h.write([&](store::WriteTxn& txn) {
    h.tables().loanBook.upsertLoan(txn, monthlyLoan("L-1", due, "254700000001"));
    h.tables().loanBook.upsertLoan(txn, monthlyLoan("L-2", due, "254700000001"));  // same phone
    auto optedOut = monthlyLoan("L-3", due, "254700000003");
    optedOut.flags |= static_cast<uint8_t>(store::LoanFlag::OptOut);
    h.tables().loanBook.upsertLoan(txn, optedOut);
    auto paused = monthlyLoan("L-4", due, "254700000004");
    paused.flags |= static_cast<uint8_t>(store::LoanFlag::Paused);
    h.tables().loanBook.upsertLoan(txn, paused);
  });
  h.now = z.toUnix(due - 3, 2 * 60);  // 02:00: quiet everywhere, the pass is skipped
  h.tick();
  EXPECT_EQ(h.passes("quiet"), 1u);
  EXPECT_EQ(h.metrics.gauge(MetricId::ReminderLastPassSeconds).value(), 0.0);

  h.now = z.toUnix(due - 3, 9 * 60);
  h.tick();
  EXPECT_EQ(h.passes("complete"), 1u);
  EXPECT_EQ(h.metrics.gauge(MetricId::ReminderLastPassSeconds).value(), static_cast<double>(h.now));
  // L-2 shares L-1's phone: one SMS per borrower per day, so one message.
  EXPECT_EQ(h.metrics.counter(MetricId::RemindersEnqueuedTotal, {"pre_due"}).value(), 1u);
  EXPECT_EQ(h.metrics.counter(MetricId::SmsAcceptedTotal, {"reminder"}).value(), 1u);
  EXPECT_EQ(h.messages().size(), 1u);
  // Held at that pass's scan: the opted-out and the paused borrower.
  EXPECT_EQ(h.held("opted_out"), 1.0);
  EXPECT_EQ(h.held("paused"), 1.0);
  EXPECT_EQ(h.held("cap_borrower_day"), 0.0);  // the scan ran before L-1's commit

  // The next pass's scan sees L-1's SMS in the ledger: L-2 is held by the cap.
  h.now += 900;
  h.tick();
  EXPECT_EQ(h.messages().size(), 1u);
  EXPECT_EQ(h.held("cap_borrower_day"), 1.0);
  EXPECT_EQ(h.held("opted_out"), 1.0);
}

TEST(ReminderScheduler, VillageBankMeetingAndLeaderSummary) {
  Harness h("Africa/Nairobi");
  h.config().policy.summaryGroups = {"G-1"};
  h.restart();
  const auto z = zone("Africa/Nairobi");
  const DayNumber meeting = toDayNumber(2024, 8, 14);  // Wednesday
  h.write([&](store::WriteTxn& txn) {
    store::Group g;
    g.id = "G-1";
    g.name = "Umoja Women";
    g.leaderCid = "C-1";
    g.meetingWeekday = store::Weekday::Wednesday;
    g.meetingMinute = 10 * 60 + 30;
    h.tables().loanBook.upsertGroup(txn, g);
    h.tables().loanBook.upsertClient(txn, client("C-1", "254700000001", "en", "G-1"));
    h.tables().loanBook.upsertClient(txn, client("C-2", "254700000002", "fr", "G-1"));
    h.tables().loanBook.upsertClient(txn, client("C-3", "254700000003", "en", "G-1"));
    // Overdue since the Friday before: its T+1 reminder's days are over by the meeting, so
    // no loan reminder competes with the meeting's for C-3's one SMS a day.
    auto late = monthlyLoan("L-3", meeting - 5, "254700000003");
    late.clientId = "C-3";
    late.asOf = static_cast<uint32_t>(z.toUnix(meeting - 1, 17 * 60));
    h.tables().loanBook.upsertLoan(txn, late);
  });
  // 17:00 the day before: the meeting reminder to all three.
  h.now = z.toUnix(meeting - 1, 17 * 60);
  h.tick();
  auto sent = h.messages();
  ASSERT_EQ(sent.size(), 3u);
  std::map<std::string, std::string> byPhone;
  for (const auto& m : sent)
    byPhone[m.to] = m.text;
  EXPECT_NE(byPhone["254700000001"].find("Umoja Women meets on 14/08 at 10:30"), std::string::npos)
      << byPhone["254700000001"];
  EXPECT_NE(byPhone["254700000002"].find("se réunit le 14/08 à 10:30"), std::string::npos)
      << byPhone["254700000002"];
  // 18:00: the leader already had today's SMS (the cap holds); the summary waits, and its
  // last day is the meeting day itself: at 08:00 it goes, naming who has not paid.
  h.now = z.toUnix(meeting - 1, 18 * 60);
  h.tick();
  EXPECT_EQ(h.messages().size(), 3u);
  h.write([&](store::WriteTxn& txn) {
    auto loan = *h.tables().loanBook.loan(txn, "L-3");
    loan.asOf = static_cast<uint32_t>(z.toUnix(meeting, 7 * 60));
    h.tables().loanBook.upsertLoan(txn, loan);
  });
  h.now = z.toUnix(meeting, 8 * 60);
  h.tick();
  sent = h.messages();
  ASSERT_EQ(sent.size(), 4u) << sent.back().idempotencyKey << " " << sent.back().text;
  EXPECT_EQ(sent[3].to, "254700000001");
  EXPECT_NE(sent[3].text.find("2 of 3 have paid. Not yet: Name C-3"), std::string::npos)
      << sent[3].text;
  // A restart sends none of it again.
  h.restart();
  h.tick();
  EXPECT_EQ(h.messages().size(), 4u);
}

}  // namespace
}  // namespace mfigw::gateway
