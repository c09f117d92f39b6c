// The loan-book sync as the operator runs it: the real daemon against the reference upstream
// (tests/upstream/server, its own LMDB store) on 127.0.0.1. The daemon pulls 10,000 loans
// with the connection cut in mid-page and ends with upstream's count and hash, asking for no
// acknowledged page twice; events replayed by two SIGKILLs between push and acknowledgement
// exist once upstream; `mfi-gatewayctl sync status|now` shows and drives it.
#include <csignal>
#include <thread>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "daemon_process.hpp"
#include "store/business_tables.hpp"
#include "store/env.hpp"
#include "store/reconcile_digest.hpp"
#include "tests/upstream/loan_generator.hpp"
#include "tests/upstream/server/reference_upstream.hpp"

namespace mfigw::testing {
namespace {

using namespace std::chrono_literals;

std::string upstreamConfig(const ReferenceUpstream& server, const std::string& backoffMin) {
  return "upstream:\n  enabled: true\n  url: " + server.url() +
         "\n  auth: none\n  interval: 1h\n  page_size: 500\n  push_batch: 100\n"
         "  timeout: 5s\n  backoff_min: " +
         backoffMin + "\n  backoff_max: 1h\n";
}

// GET /api/v1/sync; an empty object when the daemon does not answer.
nlohmann::json syncStatus(const DaemonProcess& daemon) {
  const auto reply = daemon.client().get("/api/v1/sync");
  if (reply.status != 200) return nlohmann::json::object();
  return nlohmann::json::parse(reply.body);
}

bool waitFor(const std::function<bool()>& done, std::chrono::milliseconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    if (done()) return true;
    std::this_thread::sleep_for(20ms);
  }
  return done();
}

std::uint64_t windowsOk(const DaemonProcess& daemon) {
  const nlohmann::json s = syncStatus(daemon);
  return s.contains("windows") ? s["windows"]["ok"].get<std::uint64_t>() : 0;
}

store::EnvOptions storeOptions(const DaemonProcess& daemon) {
  store::EnvOptions options;
  options.path = (daemon.statePath() / "data").string();
  options.mapSize = 64ull << 20;
  options.maxMapSize = 256ull << 20;
  return options;
}

CommandResult ctl(const DaemonProcess& daemon, const std::vector<std::string>& args) {
  std::vector<std::string> argv = {MFIGW_CTL_PATH, "--admin",
                                   "127.0.0.1:" + std::to_string(daemon.adminPort()),
                                   "--token-file", (daemon.statePath() / "admin.token").string()};
  argv.insert(argv.end(), args.begin(), args.end());
  return runCommand(argv);
}

struct Upstream {
  std::filesystem::path dir =
      std::filesystem::temp_directory_path() /
      ("mfigw-upstream-" + std::to_string(::getpid()) + "-" + std::to_string(std::rand()));
  std::unique_ptr<ReferenceUpstream> server;
  Upstream() {
    ReferenceUpstreamOptions o;
    o.dataDir = dir.string();
    server = std::make_unique<ReferenceUpstream>(o);
    server->start();
  }
  ~Upstream() {
    server->stop();
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
  }
};

TEST(DaemonSync, TenThousandLoansResumeAfterACutInMidPageWithUpstreamsCountAndHash) {
  Upstream up;
  up.server->putLoans(generateLoans(10000, 8), 7);  // ties of 7 straddle page boundaries
  up.server->cutChangesRequest(4);                  // 1,500 loans committed before the cut

  DaemonProcess daemon;
  daemon.writeConfig(upstreamConfig(*up.server, "100ms"));
  daemon.start();
  ASSERT_TRUE(daemon.waitReady()) << daemon.stderrText();
  ASSERT_TRUE(waitFor([&] { return windowsOk(daemon) >= 1; }, 60s)) << daemon.stderrText();
  const nlohmann::json s = syncStatus(daemon);
  EXPECT_EQ(s["windows"]["failed"], 1) << s.dump();
  EXPECT_EQ(s["records"]["upserted"], 10000) << "a record applied twice or skipped";

  // The operator's view of the same thing.
  const CommandResult status = ctl(daemon, {"sync", "status"});
  EXPECT_TRUE(status.status.exited && status.status.code == 0) << status.output;
  EXPECT_NE(status.output.find("1 ok, 1 failed"), std::string::npos) << status.output;
  EXPECT_NE(status.output.find("10000 upserted"), std::string::npos) << status.output;
  const CommandResult now = ctl(daemon, {"sync", "now"});
  EXPECT_EQ(now.status.code, 0) << now.output;
  EXPECT_TRUE(waitFor([&] { return windowsOk(daemon) >= 2; }, 30s));

  daemon.signal(SIGTERM);
  ASSERT_TRUE(daemon.waitExit(20s));

  // Every loans page after the cut starts exactly where the last committed one ended.
  std::vector<ChangesRequest> pages;
  for (const ChangesRequest& r : up.server->changesRequests())
    if (r.feed == gateway::UpstreamFeed::Loans && !r.branch) pages.push_back(r);
  ASSERT_GE(pages.size(), 21u);
  EXPECT_TRUE(pages[3].cut);
  EXPECT_EQ(pages[4].after, pages[3].after) << "the retry must resume at the cut page";
  for (std::size_t i = 1; i < 21; ++i) {
    if (pages[i - 1].cut) continue;
    EXPECT_EQ(pages[i].after, pages[i - 1].next) << "page " << i;
  }

  store::Env env(storeOptions(daemon));
  const store::BusinessTables tables = store::openBusinessTables(env);
  store::ReadTxn txn = env.beginRead();
  EXPECT_EQ(tables.loanBook.loanTable().count(txn), 10000u);
  EXPECT_EQ(store::reconcileDigests(txn, tables.loanBook.loanTable()), up.server->digests());
}

TEST(DaemonSync, EventsReplayedByTwoKillsExistOnceUpstream) {
  Upstream up;
  DaemonProcess daemon;
  constexpr std::size_t kEvents = 60;
  {
    // Events waiting in the daemon's store, as dialogs and STOPs leave them.
    std::filesystem::create_directories(daemon.statePath() / "data");
    store::Env env(storeOptions(daemon));
    const store::BusinessTables tables = store::openBusinessTables(env);
    env.write([&](store::WriteTxn& txn) {
      for (std::size_t i = 1; i <= kEvents; ++i) {
        const store::EventKey key{0x42, static_cast<std::uint8_t>(i), 0x5a};
        tables.upstreamEvents.append(txn, key, 1709251200 + static_cast<std::int64_t>(i),
                                     store::UpstreamEventType::CreditRequest,
                                     R"({"lid":"L1","amount":)" + std::to_string(i * 100) + "}");
      }
    });
  }
  // Upstream stores the first two pushes and drops the connection before answering; the
  // daemon is SIGKILLed each time before it can retry (back-off 1 min): the worst moment.
  up.server->dropEventAnswersNext(2);
  daemon.writeConfig(upstreamConfig(*up.server, "60s"));
  for (std::size_t attempt = 1; attempt <= 2; ++attempt) {
    daemon.start();
    ASSERT_TRUE(waitFor([&] { return up.server->requestCount("/v1/events") >= attempt; }, 30s))
        << daemon.stderrText();
    daemon.kill9();
  }
  daemon.start();
  ASSERT_TRUE(daemon.waitReady()) << daemon.stderrText();
  ASSERT_TRUE(waitFor([&] { return windowsOk(daemon) >= 1; }, 30s)) << daemon.stderrText();
  daemon.signal(SIGTERM);
  ASSERT_TRUE(daemon.waitExit(20s));

  EXPECT_EQ(up.server->storedEventCount(), kEvents);
  const auto received = up.server->receivedCounts();
  ASSERT_EQ(received.size(), kEvents);
  for (const auto& [key, times] : received)
    EXPECT_EQ(times, 3u) << store::toString(key);

  store::Env env(storeOptions(daemon));
  const store::BusinessTables tables = store::openBusinessTables(env);
  store::ReadTxn txn = env.beginRead();
  EXPECT_EQ(tables.upstreamEvents.counts(txn).pending, 0u) << "every event acknowledged";
}

}  // namespace
}  // namespace mfigw::testing
