// Reminders under SIGKILL (issue 6): a loan book where every loan has one reminder due now
// is written into the daemon's LMDB store; the real daemon's scheduler enqueues the
// reminders and its sender submits them to the simulator (in this process, so it outlives
// the daemon and counts everything it received), receipts on, while the test kills the
// daemon with SIGKILL 20 times at random moments and starts it again. Afterwards every
// borrower got at least one submit_sm, the store holds exactly one outbox message and one
// ledger entry per (installment, rule), and the resends stay within window x kills.
//
// Size: MFIGW_REMINDER_KILL_COUNT reminders (default 100,000; 10,000 in the sanitizer build,
// which runs the same suite several times slower). MFIGW_REMINDER_KILL_SEED replays a run's
// kill moments (the seed is printed).
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <iostream>
#include <random>
#include <sstream>
#include <thread>
#include <unordered_set>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "daemon_process.hpp"
#include "smpp/sim/sim_server.hpp"
#include "store/business_tables.hpp"
#include "store/day_number.hpp"
#include "store/env.hpp"
#include "store/outbox.hpp"

#ifndef MFIGW_REMINDER_KILL_DEFAULT
#define MFIGW_REMINDER_KILL_DEFAULT 100000
#endif

namespace mfigw::testing {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;
using SteadyClock = std::chrono::steady_clock;

constexpr int kKills = 20;
constexpr int kWindow = 10;

std::uint64_t envNumber(const char* name, std::uint64_t fallback) {
  const char* text = std::getenv(name);
  return text != nullptr && *text != '\0' ? std::strtoull(text, nullptr, 10) : fallback;
}

std::string msisdnOf(std::size_t i) {
  return std::to_string(254700000000ULL + i);
}

// All day, every day, no holidays, one rule: the day before the due day and the due day
// itself, so a run that crosses midnight UTC still has every reminder due.
constexpr const char* kRules = R"(version: kill-test
time_zone: UTC
default_language: en
languages:
  en:
    name: English
    date: DD/MM
    mfi: Test MFI
    where_to_pay: Paybill 400200
    already_paid: If you have already paid, thank you.
currency: {code: KES, decimals: 2, max_digits: 6}
window: {from: "00:00", to: "24:00", days: [mon, tue, wed, thu, fri, sat, sun]}
overdue_window: {from: "00:00", to: "24:00", days: [mon, tue, wed, thu, fri, sat, sun]}
holidays: []
caps: {per_borrower_per_day: 1, per_installment: 4}
rule_sets:
  all:
    - {id: soon, offset: -1, at: "00:00", last: 0}
templates:
  pre_due:
    en: "{mfi}: {amount} due {due_date}. Pay via {where_to_pay}. Officer: {officer}. {already_paid}"
  due_today:
    en: "{mfi}: {amount} due today. Pay via {where_to_pay}. {already_paid}"
  overdue:
    en: "{mfi}: {amount} of {due_date} is open. Pay via {where_to_pay}. {already_paid}"
)";

std::filesystem::path writeMenus(const std::filesystem::path& dir) {
  const auto menus = dir / "menus";
  std::filesystem::create_directories(menus);
  std::filesystem::copy_file(std::filesystem::path(MFIGW_SOURCE_DIR) / "menus/mfi/menu.yaml",
                             menus / "menu.yaml");
  std::ofstream(menus / "reminders.yaml") << kRules;
  return menus;
}

store::EnvOptions envOptions(const std::filesystem::path& state) {
  store::EnvOptions options;
  options.path = (state / "data").string();
  options.mapSize = 256ull << 20;
  options.maxMapSize = 4ull << 30;
  return options;
}

// One client and one loan per borrower, each with one installment due tomorrow (UTC).
void seedLoanBook(const std::filesystem::path& state, std::size_t count) {
  std::filesystem::create_directories(state / "data");
  store::Env env(envOptions(state));
  const store::BusinessTables tables = store::openBusinessTables(env);
  const auto due = store::dayOfUnixSeconds(std::time(nullptr)) + 1;
  const auto asOf = static_cast<std::uint32_t>(std::time(nullptr));
  env.write([&](store::WriteTxn& txn) {
    for (std::size_t i = 0; i < count; ++i) {
      const std::string n = std::to_string(i);
      store::Client client;
      client.cid = "C-" + n;
      client.msisdn = msisdnOf(i);
      client.shortName = "Borrower";
      client.language = "en";
      tables.loanBook.upsertClient(txn, client);
      store::LoanSnapshot loan;
      loan.loanId = "L-" + n;
      loan.accountNo = "A" + n;
      loan.clientId = client.cid;
      loan.msisdn = client.msisdn;
      loan.language = "en";
      loan.currency = "KES";
      loan.decimals = 2;
      loan.disbursed = 2000000;
      loan.principalOutstanding = 1000000;
      loan.totalOutstanding = 1050000;
      loan.installments = {{due, 250000, 0}};
      loan.officer = "Joseph";
      loan.ver = 1;
      loan.asOf = asOf;
      tables.loanBook.upsertLoan(txn, loan);
    }
  });
}

struct Progress {
  std::uint64_t enqueued = 0;  // outbox messages in any state
  std::uint64_t queued = 0;
  std::uint64_t sending = 0;
  std::uint64_t delivered = 0;
};

TEST(ReminderKill, TwentySigkillsLoseNoReminderAndResendAtMostAWindowPerKill) {
  const std::size_t count = envNumber("MFIGW_REMINDER_KILL_COUNT", MFIGW_REMINDER_KILL_DEFAULT);
  const std::uint64_t seed = envNumber("MFIGW_REMINDER_KILL_SEED", std::random_device{}());
  std::cout << "reminders=" << count << " kills=" << kKills << " window=" << kWindow
            << " seed=" << seed << " (MFIGW_REMINDER_KILL_SEED replays it)" << std::endl;
  RecordProperty("seed", std::to_string(seed));
  std::mt19937_64 rng(seed);
  const auto began = SteadyClock::now();

  smpp::sim::SimulatorOptions simOptions;
  simOptions.accounts.push_back({"mfi", "secret"});
  simOptions.receiptDelay = 50ms;
  smpp::sim::SimServer sim(simOptions);
  sim.start();
  DaemonProcess daemon;
  const auto password = daemon.dir() / "smpp.password";
  std::ofstream(password) << "secret\n";
  std::filesystem::permissions(
      password, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  daemon.setLogLevel("warn");  // 100,000 messages at debug would time the disk, not the daemon
  daemon.setMapSize("256MiB");
  daemon.writeConfig("smpp:\n  links:\n    - name: sim\n      host: 127.0.0.1\n      port: " +
                     std::to_string(sim.port()) + "\n      system_id: mfi\n      password_file: " +
                     password.string() + "\n      window: " + std::to_string(kWindow) +
                     "\n      tps: 10000\n"
                     "sms:\n  retry_min: 1s\n"
                     "menus:\n  dir: " +
                     writeMenus(daemon.dir()).string() + "\n");
  seedLoanBook(daemon.statePath(), count);
  const auto seeded = SteadyClock::now();

  const auto startDaemon = [&] {
    daemon.start();
    ASSERT_TRUE(daemon.waitReady(60s)) << daemon.stderrText();
  };
  const auto progress = [&] {
    Progress p;
    const auto reply = daemon.client().get("/api/v1/queue");
    if (reply.status != 200) return p;
    const json states = json::parse(reply.body)["states"];
    for (const auto& [state, n] : states.items())
      p.enqueued += n.get<std::uint64_t>();
    p.queued = states.value("queued", 0u);
    p.sending = states.value("sending", 0u);
    p.delivered = states.value("delivered", 0u);
    return p;
  };
  const auto submits = [&] { return sim.counters().submits; };

  // Kill moments: 20 random points of the whole job (enqueueing N, then submitting N, the
  // two overlapping), each followed by a random pause of up to 100 ms.
  std::uniform_int_distribution<std::uint64_t> markOf(0, count * 19 / 10);
  std::vector<std::uint64_t> marks(kKills);
  for (auto& m : marks)
    m = markOf(rng);
  std::sort(marks.begin(), marks.end());
  std::uniform_int_distribution<int> pauseMs(0, 100);

  startDaemon();
  for (int kill = 0; kill < kKills; ++kill) {
    Progress p;
    for (const auto deadline = SteadyClock::now() + 120s; SteadyClock::now() < deadline;) {
      p = progress();
      if (p.enqueued + submits() >= marks[kill]) break;
      std::this_thread::sleep_for(20ms);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(pauseMs(rng)));
    const std::uint64_t submitsAtKill = submits();
    daemon.kill9();
    std::cout << "kill " << kill + 1 << ": mark=" << marks[kill] << " enqueued~" << p.enqueued
              << " sending~" << p.sending << " submits=" << submitsAtKill << std::endl;
    startDaemon();
    if (::testing::Test::HasFatalFailure()) return;
  }
  const auto killed = SteadyClock::now();

  Progress last;
  for (const auto deadline = SteadyClock::now() + 600s; SteadyClock::now() < deadline;) {
    last = progress();
    if (last.enqueued == count && last.queued == 0 && last.sending == 0 && last.delivered == count)
      break;
    std::this_thread::sleep_for(200ms);
  }
  const auto finished = SteadyClock::now();
  EXPECT_EQ(last.enqueued, count) << daemon.stderrText().substr(0, 4000);
  EXPECT_EQ(last.queued + last.sending, 0u);
  EXPECT_EQ(last.delivered, count) << "a receipt went missing";

  // At the simulator: every borrower at least once, resends within window x kills.
  const std::uint64_t total = submits();
  std::unordered_set<std::string> reached;
  sim.inspect([&](const smpp::sim::SmscSimulator& s) {
    for (const smpp::sim::ReceivedPdu& r : s.received())
      if (const auto* submit = std::get_if<smpp::SubmitSm>(&r.pdu)) {
        const std::string& addr = submit->destination.addr;
        reached.insert(addr.starts_with('+') ? addr.substr(1) : addr);
      }
    return 0;
  });
  std::size_t missing = 0;
  for (std::size_t i = 0; i < count; ++i)
    missing += reached.count(msisdnOf(i)) == 0 ? 1 : 0;
  EXPECT_EQ(missing, 0u) << "borrowers that never got their reminder";
  EXPECT_EQ(reached.size(), count);
  ASSERT_GE(total, count);
  const std::uint64_t duplicates = total - count;
  EXPECT_LE(duplicates, static_cast<std::uint64_t>(kWindow) * kKills);

  // What each restart found in `sending` (claimed, maybe on the wire) and sent again.
  std::string recovered;
  {
    std::istringstream log(daemon.stderrText());
    for (std::string line; std::getline(log, line);)
      if (const auto at = line.find("outbox: ");
          at != std::string::npos && line.find("were being sent") != std::string::npos)
        recovered += " " + line.substr(at + 8, line.find(' ', at + 8) - at - 8);
  }
  std::cout << "recovered from `sending` at each restart:" << recovered << std::endl;

  // In the store: one outbox message and one ledger entry per (installment, rule).
  daemon.signal(SIGTERM);
  ASSERT_TRUE(daemon.waitExit(30s));
  store::Env env(envOptions(daemon.statePath()));
  const store::BusinessTables tables = store::openBusinessTables(env);
  store::ReadTxn txn = env.beginRead();
  std::uint64_t rows = 0;
  for (store::OutboxState state : store::kOutboxStates)
    rows += tables.outbox.count(txn, state);
  EXPECT_EQ(rows, count);
  EXPECT_EQ(tables.reminders.size(txn), count);

  const auto seconds = [](auto from, auto to) {
    return std::chrono::duration<double>(to - from).count();
  };
  std::cout << "submits=" << total << " duplicates=" << duplicates << " (bound " << kWindow * kKills
            << ")\n"
            << "time: seed " << seconds(began, seeded) << " s, kills " << seconds(seeded, killed)
            << " s, drain " << seconds(killed, finished) << " s, total " << seconds(began, finished)
            << " s" << std::endl;
}

}  // namespace
}  // namespace mfigw::testing
