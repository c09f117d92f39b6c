// SMS end to end: the real daemon bound to the real simulator (in this process, on
// 127.0.0.1), real LMDB files. API sends are delivered with receipts; STOP from a phone
// cancels, confirms once and blocks later sends; a SIGKILL mid-flight loses nothing.
#include <signal.h>

#include <cstdio>
#include <ctime>
#include <functional>
#include <set>
#include <thread>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "daemon_process.hpp"
#include "smpp/sim/sim_server.hpp"
#include "store/business_tables.hpp"
#include "store/env.hpp"

namespace mfigw::testing {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

std::vector<smpp::SubmitSm> submitted(smpp::sim::SimServer& sim) {
  return sim.inspect([](const smpp::sim::SmscSimulator& s) {
    std::vector<smpp::SubmitSm> out;
    for (const smpp::sim::ReceivedPdu& r : s.received())
      if (const auto* submit = std::get_if<smpp::SubmitSm>(&r.pdu)) out.push_back(*submit);
    return out;
  });
}

struct SmsHarness {
  smpp::sim::SimServer sim;
  DaemonProcess daemon;

  explicit SmsHarness(smpp::sim::SimulatorOptions options = accounts()) : sim(std::move(options)) {
    sim.start();
    daemon.writeConfig(linkConfig());
  }
  ~SmsHarness() { sim.stop(); }

  static smpp::sim::SimulatorOptions accounts() {
    smpp::sim::SimulatorOptions o;
    o.accounts.push_back({"mfi", "secret"});
    o.receiptDelay = 50ms;
    return o;
  }

  std::string linkConfig() {
    const auto password = daemon.dir() / "smpp.password";
    {
      std::FILE* f = std::fopen(password.c_str(), "w");
      std::fputs("secret\n", f);
      std::fclose(f);
      std::filesystem::permissions(
          password, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
    }
    return "smpp:\n"
           "  links:\n"
           "    - name: sim\n"
           "      host: 127.0.0.1\n"
           "      port: " +
           std::to_string(sim.port()) +
           "\n"
           "      system_id: mfi\n"
           "      password_file: " +
           password.string() +
           "\n"
           "      window: 10\n"
           "      tps: 5000\n"
           "sms:\n"
           "  retry_min: 1s\n";
  }

  void start() {
    daemon.start();
    ASSERT_TRUE(daemon.waitReady()) << daemon.stderrText();
  }

  gateway::AdminReply send(const std::string& to, const std::string& text,
                           const std::string& key = "", const std::string& extra = "") {
    std::vector<std::pair<std::string, std::string>> headers;
    if (!key.empty()) headers.emplace_back("Idempotency-Key", key);
    return daemon.client().request("POST", "/api/v1/messages",
                                   R"({"to":")" + to + R"(","text":")" + text + "\"" + extra + "}",
                                   "application/json", headers);
  }

  json queue() { return json::parse(daemon.client().get("/api/v1/queue").body)["states"]; }

  // Polls the queue until `done` holds (bounded).
  bool waitQueue(const std::function<bool(const json&)>& done, std::chrono::seconds limit = 60s) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < deadline) {
      if (done(queue())) return true;
      std::this_thread::sleep_for(50ms);
    }
    return done(queue());
  }
};

TEST(SmsFlow, ApiMessagesAreSubmittedAndDeliveredWithReceipts) {
  SmsHarness h;
  h.start();
  constexpr int kCount = 300;
  for (int i = 0; i < kCount; ++i) {
    const auto reply =
        h.send("07120" + std::to_string(10000 + i), "Payment reminder " + std::to_string(i));
    ASSERT_EQ(reply.status, 202) << reply.body;
  }
  ASSERT_TRUE(h.waitQueue([](const json& q) { return q["delivered"] == kCount; }))
      << h.queue().dump() << "\n"
      << h.daemon.stderrText();
  const auto counters = h.sim.counters();
  EXPECT_EQ(counters.submits, static_cast<std::uint64_t>(kCount));  // healthy link: no resends
  EXPECT_EQ(counters.receiptsAcked, static_cast<std::uint64_t>(kCount));

  const json one = json::parse(h.daemon.client().get("/api/v1/messages/1").body);
  EXPECT_EQ(one["state"], "delivered");
  EXPECT_EQ(one["to"], "+254712010000");
  ASSERT_EQ(one["parts"].size(), 1u);
  EXPECT_EQ(one["parts"][0]["state"], "delivered");
}

TEST(SmsFlow, LongTextGoesInPartsAndIsDeliveredWhenEveryPartIs) {
  SmsHarness h;
  h.start();
  const std::string text(400, 'x');  // 3 parts of GSM-7
  const auto reply = h.send("+254712000001", text);
  ASSERT_EQ(reply.status, 202) << reply.body;
  EXPECT_EQ(json::parse(reply.body)["parts"], 3);
  ASSERT_TRUE(h.waitQueue([](const json& q) { return q["delivered"] == 1; }, 30s));
  EXPECT_EQ(h.sim.counters().submits, 3u);
  const json m = json::parse(h.daemon.client().get("/api/v1/messages/1").body);
  EXPECT_EQ(m["parts"].size(), 3u);
}

TEST(SmsFlow, IdempotencyKeyReplaysAndBadInputIsRefused) {
  SmsHarness h;
  h.start();
  const auto first = h.send("+254712000001", "hello", "order-1");
  const auto again = h.send("+254712000001", "hello", "order-1");
  ASSERT_EQ(first.status, 202);
  ASSERT_EQ(again.status, 202);
  EXPECT_EQ(json::parse(first.body)["id"], json::parse(again.body)["id"]);
  EXPECT_EQ(again.header("Idempotent-Replayed"), "true");

  EXPECT_EQ(h.send("not a number", "hello").status, 400);
  EXPECT_EQ(h.send("+254712000001", "").status, 400);
  EXPECT_EQ(h.send("+254712000001", std::string(7 * 153, 'y')).status, 400);  // > max_parts
  EXPECT_EQ(h.send("+254712000001", "x", "", R"(,"not_after":1)").status, 400);
  ASSERT_TRUE(h.waitQueue([](const json& q) { return q["delivered"] == 1; }, 30s));
  EXPECT_EQ(h.sim.counters().submits, 1u);
}

TEST(SmsFlow, StopCancelsQueuedConfirmsOnceAndBlocksLaterSends) {
  SmsHarness h;
  h.start();
  const std::string phone = "254712000042";
  // Queued for later: STOP must cancel it before it ever goes out.
  const auto later = h.send("+" + phone, "tomorrow's reminder", "",
                            R"(,"not_before":)" + std::to_string(time(nullptr) + 3600));
  ASSERT_EQ(later.status, 202) << later.body;

  smpp::sim::MoMessage stop;
  stop.from = phone;
  stop.to = "MFI";
  stop.text = "Stop";
  ASSERT_TRUE(h.sim.injectMo(stop));
  // The confirmation is the only SMS the number gets.
  ASSERT_TRUE(
      h.waitQueue([](const json& q) { return q["delivered"] == 1 && q["cancelled"] == 1; }, 30s))
      << h.queue().dump() << h.daemon.stderrText();
  EXPECT_EQ(h.daemon.client().get("/api/v1/optouts/+" + phone).status, 200);
  EXPECT_EQ(h.send("+" + phone, "after stop").status, 409);

  // STOP again: acknowledged, no second confirmation.
  ASSERT_TRUE(h.sim.injectMo(stop));
  const auto acked = [&] { return h.sim.counters().moAcked == 2; };
  for (int i = 0; i < 200 && !acked(); ++i)
    std::this_thread::sleep_for(20ms);
  ASSERT_TRUE(acked());
  std::this_thread::sleep_for(300ms);
  EXPECT_EQ(h.queue()["delivered"], 1);
  EXPECT_EQ(h.sim.counters().submits, 1u);
  const std::vector<smpp::SubmitSm> sent = submitted(h.sim);
  ASSERT_EQ(sent.size(), 1u);
  const std::string confirmation = sent.back().shortMessage;
  EXPECT_NE(confirmation.find("START"), std::string::npos) << confirmation;

  // Upstream learns it once: one opt-out event for the two STOPs (no sync configured, so it
  // is still pending).
  h.daemon.signal(SIGTERM);
  ASSERT_TRUE(h.daemon.waitExit(20s));
  store::EnvOptions options;
  options.path = (h.daemon.statePath() / "data").string();
  store::Env env(options);
  const store::BusinessTables tables = store::openBusinessTables(env);
  store::ReadTxn txn = env.beginRead();
  const auto events = tables.upstreamEvents.pendingBatch(txn, 10);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].type, store::UpstreamEventType::OptOut);
  const json payload = json::parse(events[0].payload);
  EXPECT_EQ(payload["msisdn"], "+" + phone);
  EXPECT_EQ(payload["source"], "sms");
}

TEST(SmsFlow, SigkillMidFlightLosesNothingAndDuplicatesStayWithinTheWindow) {
  auto options = SmsHarness::accounts();
  options.responseDelay = 2ms;  // keep messages in flight when the kill lands
  SmsHarness h(options);
  h.start();
  constexpr int kCount = 400;
  for (int i = 0; i < kCount; ++i)
    ASSERT_EQ(h.send("+2547130" + std::to_string(10000 + i), "m" + std::to_string(i)).status, 202);
  // Let part of the queue go out, then cut the power.
  ASSERT_TRUE(h.waitQueue([](const json& q) { return q["delivered"].get<int>() > 50; }, 30s));
  h.daemon.kill9();
  h.start();
  ASSERT_TRUE(h.waitQueue([](const json& q) { return q["delivered"] == kCount; }, 90s))
      << h.queue().dump();
  std::set<std::string> destinations;
  for (const smpp::SubmitSm& pdu : submitted(h.sim))
    destinations.insert(pdu.destination.addr);
  EXPECT_EQ(destinations.size(), static_cast<std::size_t>(kCount));  // every one went out
  const std::uint64_t submits = h.sim.counters().submits;
  EXPECT_LE(submits - kCount, 2u * 10u) << "duplicates beyond two windows";
}

}  // namespace
}  // namespace mfigw::testing
