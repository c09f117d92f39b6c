// Fault suite (issue 7): a full durable store. The daemon runs with the smallest map the
// config allows (store.map_size = store.max_map_size = 1MiB, so it cannot grow) and is fed
// API messages and opt-outs until the store refuses. The refusal is a temporary one (HTTP
// 503 + Retry-After, never a 500, never a 202 for what was not stored); an MO arriving
// while full is answered ESME_RMSGQFUL so the SMSC keeps it; every message answered 202 is
// in the store. With the default sms.keep_final (7 days) the final rows stay, so space comes
// back the way an operator brings it back: a restart with a larger map. Then every accepted
// message reaches the simulator, the refused MO is taken, and new work is accepted.
// The second test sets sms.keep_final to 2s (production keeps days): once the delivered rows
// are that old, the purge the refused commits trigger frees their pages and the same daemon,
// never restarted, takes as much new work again as the map held; nothing accepted is lost.
#include <signal.h>

#include <iostream>
#include <map>
#include <optional>
#include <sstream>

#include <gtest/gtest.h>

#include "fault_harness.hpp"

namespace mfigw::testing {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

std::string digits(const std::string& number) {
  return number.starts_with('+') ? number.substr(1) : number;
}

// The status the daemon answered an injected deliver_sm with; nullopt while unanswered.
std::optional<smpp::CommandStatus> ackOf(smpp::sim::SimServer& sim,
                                         std::pair<smpp::sim::ConnectionId, std::uint32_t> mo) {
  return sim.inspect([mo](const smpp::sim::SmscSimulator& s) {
    for (const smpp::sim::SentDelivery& d : s.sentDeliveries())
      if (d.connection == mo.first && d.sequenceNumber == mo.second) return d.ackStatus;
    return std::optional<smpp::CommandStatus>{};
  });
}

// Sum of a Prometheus counter over its labels in a /metrics text.
double metricSum(const std::string& text, const std::string& name) {
  double sum = 0;
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);)
    if (line.starts_with(name + "{") || line.starts_with(name + " "))
      sum += std::stod(line.substr(line.rfind(' ') + 1));
  return sum;
}

struct Fill {
  std::map<std::uint64_t, std::string> accepted;  // outbox id -> destination
  std::vector<std::string> optouts;               // numbers answered 201
  std::vector<std::string> refusedKeys;           // Idempotency-Keys answered 503
  int statusOther = 0;                            // anything but 202/201/503
  std::string otherBodies;
};

class FaultMapFull : public ::testing::Test {
 protected:
  FaultRig rig{FaultRig::accounts()};
  Fill fill;
  int next = 0;  // numbers and keys are unique over the whole test

  void startDaemon(const std::string& mapSize, const std::string& smsMore = "") {
    rig.daemon.setLogLevel("info");
    rig.daemon.setMapSize(mapSize);
    rig.daemon.setMaxMapSize(mapSize);
    rig.daemon.writeConfig(rig.linkConfig("", smsMore));
    rig.daemon.start();
    ASSERT_TRUE(rig.daemon.waitReady()) << rig.daemon.stderrText();
  }

  // Posts messages of `textSize` characters (every 10th request an opt-out) until the store
  // answers 503 to a message; false if it never does within `limit` requests.
  bool fillUntilRefused(std::size_t textSize, int limit) {
    gateway::AdminClient client = rig.daemon.client();
    for (int i = 0; i < limit; ++i) {
      const int n = next++;
      const std::string to = "+2547" + std::to_string(10000000 + n);
      if (n % 10 == 9) {
        const auto reply = client.post("/api/v1/optouts", R"({"msisdn":")" + to + "\"}");
        if (reply.status == 201) {
          fill.optouts.push_back(to);
        } else if (reply.status != 503) {
          ++fill.statusOther;
          fill.otherBodies += reply.body + "\n";
        }
        continue;
      }
      const std::string key = "fill-" + std::to_string(n);
      const auto reply = rig.send(client, to, std::string(textSize, 'a' + n % 26), key);
      if (reply.status == 202) {
        fill.accepted[json::parse(reply.body)["id"].get<std::uint64_t>()] = to;
        continue;
      }
      if (reply.status == 503) {
        EXPECT_FALSE(reply.header("Retry-After").empty()) << reply.body;
        fill.refusedKeys.push_back(key);
        return true;
      }
      ++fill.statusOther;
      fill.otherBodies += std::to_string(reply.status) + " " + reply.body + "\n";
    }
    return false;
  }
};

TEST_F(FaultMapFull, RefusesTemporarilyLosesNothingAndRecoversWithALargerMap) {
  startDaemon("1MiB");
  const auto started = std::chrono::steady_clock::now();
  // Long texts (6 parts) fill the map quickly; then short ones take the last pages.
  ASSERT_TRUE(fillUntilRefused(900, 5000)) << "the 1MiB store never refused";
  ASSERT_TRUE(fillUntilRefused(20, 5000));
  const auto fillTime = std::chrono::steady_clock::now() - started;
  EXPECT_EQ(fill.statusOther, 0) << fill.otherBodies;  // 503 only: no 500, no 4xx
  std::cout << "[ fault ] 1MiB map: " << fill.accepted.size() << " messages + "
            << fill.optouts.size() << " opt-outs accepted before the refusal, in "
            << std::chrono::duration_cast<std::chrono::milliseconds>(fillTime).count() << " ms\n";

  // An MO while full: ESME_RMSGQFUL (the SMSC keeps it and offers it again) or, when a
  // small write still fits, taken for good. Refill between tries so one lands on a full map.
  std::vector<std::string> moRefused;
  std::vector<std::string> moTaken;
  for (int attempt = 0; attempt < 5 && moRefused.empty(); ++attempt) {
    smpp::sim::MoMessage stop;
    stop.from = "2547" + std::to_string(30000000 + attempt);
    stop.to = "MFI";
    stop.text = "STOP";
    const auto mo = rig.sim.injectMo(stop);
    ASSERT_TRUE(mo) << "no receiver bound";
    std::optional<smpp::CommandStatus> ack;
    ASSERT_TRUE(waitUntil([&] { return (ack = ackOf(rig.sim, *mo)).has_value(); }, 10s));
    if (*ack == smpp::CommandStatus::MsgQFul) {
      moRefused.push_back(stop.from);
    } else {
      EXPECT_EQ(*ack, smpp::CommandStatus::Ok);
      moTaken.push_back(stop.from);
      fillUntilRefused(20, 2000);
    }
  }
  ASSERT_FALSE(moRefused.empty()) << "no MO found the store full";
  std::cout << "[ fault ] MOs while full: " << moRefused.size() << " answered ESME_RMSGQFUL, "
            << moTaken.size() << " taken\n";
  EXPECT_EQ(fill.statusOther, 0) << fill.otherBodies;

  // For the record: what the full map left unsent (the sender's claims need pages too).
  std::cout << "[ fault ] queue while full: " << rig.queue().dump() << "\n";
  // The operator sees it: refused group commits are counted.
  EXPECT_GT(metricSum(rig.daemon.client().get("/metrics").body, "mfigw_store_map_full_total"), 0);

  // Everything answered 202 is in the store, whatever state the full map left it in.
  {
    gateway::AdminClient client = rig.daemon.client();
    for (const auto& [id, to] : fill.accepted) {
      const auto reply = client.get("/api/v1/messages/" + std::to_string(id));
      ASSERT_EQ(reply.status, 200) << "accepted message " << id << " is gone";
      EXPECT_EQ(json::parse(reply.body)["to"], to);
    }
    for (const std::string& number : fill.optouts)
      EXPECT_EQ(client.get("/api/v1/optouts/" + number).status, 200) << number;
  }

  // A full map must not wedge the shutdown: SIGTERM drains and exits cleanly.
  rig.daemon.signal(SIGTERM);
  const auto exit = rig.daemon.waitExit(30s);
  ASSERT_TRUE(exit) << "no exit after SIGTERM with a full store\n" << rig.daemon.stderrText();
  EXPECT_TRUE(exit->exited && exit->code == 0) << exit->code;

  // The operator's remedy: a larger map, then a restart.
  startDaemon("8MiB");
  gateway::AdminClient client = rig.daemon.client();
  const auto fresh = rig.send(client, "+254799000001", "after the restart", "after-1");
  ASSERT_EQ(fresh.status, 202) << fresh.body;
  // A refused request was never stored: its key is new to the store, not a replay.
  const auto retried = rig.send(client, "+254799000002", "retried", fill.refusedKeys.front());
  ASSERT_EQ(retried.status, 202) << retried.body;
  EXPECT_TRUE(retried.header("Idempotent-Replayed").empty());
  // The SMSC offers the refused MO again: now it is taken.
  for (const std::string& from : moRefused) {
    smpp::sim::MoMessage stop;
    stop.from = from;
    stop.to = "MFI";
    stop.text = "STOP";
    std::optional<std::pair<smpp::sim::ConnectionId, std::uint32_t>> mo;
    ASSERT_TRUE(waitUntil([&] { return (mo = rig.sim.injectMo(stop)).has_value(); }, 10s));
    std::optional<smpp::CommandStatus> ack;
    ASSERT_TRUE(waitUntil([&] { return (ack = ackOf(rig.sim, *mo)).has_value(); }, 10s));
    EXPECT_EQ(*ack, smpp::CommandStatus::Ok);
    EXPECT_EQ(client.get("/api/v1/optouts/+" + from).status, 200) << from;
  }

  // None lost: every accepted message (and the two new ones) reaches the simulator.
  std::set<std::string> expected;
  for (const auto& [id, to] : fill.accepted)
    expected.insert(digits(to));
  expected.insert("254799000001");
  expected.insert("254799000002");
  std::set<std::string> missing;
  const bool all = waitUntil(
      [&] {
        const std::set<std::string> sent = rig.submittedTo();
        missing.clear();
        for (const std::string& to : expected)
          if (!sent.contains(to)) missing.insert(to);
        return missing.empty();
      },
      60s);
  EXPECT_TRUE(all) << missing.size() << " accepted message(s) never reached the SMSC, e.g. "
                   << *missing.begin() << "\n"
                   << rig.queue().dump();
  EXPECT_TRUE(
      waitUntil([&] { return rig.queue()["queued"] == 0 && rig.queue()["sending"] == 0; }, 30s))
      << rig.queue().dump();
}

TEST_F(FaultMapFull, PurgingAgedFinalMessagesMakesRoomWithoutARestart) {
  startDaemon("1MiB", "  keep_final: 2s\n");
  const pid_t pid = rig.daemon.pid();
  ASSERT_TRUE(fillUntilRefused(900, 5000)) << "the 1MiB store never refused";
  EXPECT_EQ(fill.statusOther, 0) << fill.otherBodies;
  const std::size_t heldBeforeFull = fill.accepted.size();
  std::cout << "[ fault ] 1MiB map, keep_final 2s: " << heldBeforeFull
            << " messages accepted before the refusal; queue " << rig.queue().dump() << "\n";

  // Clients retry what was refused (Retry-After; here every 200 ms): as delivered rows age
  // past keep_final and are purged, the same process takes as many long messages again as
  // the whole map held before it filled, which only freed pages can hold.
  gateway::AdminClient client = rig.daemon.client();
  const auto refusedAt = std::chrono::steady_clock::now();
  int refusals = 0;
  for (std::size_t i = 0; i < heldBeforeFull; ++i) {
    const std::string to = "+2547992" + std::to_string(10000 + i);
    const std::string key = "after-" + std::to_string(i);
    gateway::AdminReply reply;
    ASSERT_TRUE(waitUntil(
        [&] {
          reply = rig.send(client, to, std::string(900, 'r'), key);
          if (reply.status == 202) return true;
          EXPECT_EQ(reply.status, 503) << reply.body;  // temporary, never a 500
          ++refusals;
          std::this_thread::sleep_for(std::chrono::milliseconds(200));
          return false;
        },
        30s))
        << i << ": " << reply.status << " " << reply.body << "\n"
        << rig.queue().dump();
    fill.accepted[json::parse(reply.body)["id"].get<std::uint64_t>()] = to;
  }
  const std::string metrics = client.get("/metrics").body;
  const double purged = metricSum(metrics, "mfigw_outbox_purged_total");
  EXPECT_GT(purged, 0);
  EXPECT_EQ(rig.daemon.pid(), pid);  // the same process: no restart
  std::cout << "[ fault ] " << heldBeforeFull << " more accepted in "
            << std::chrono::duration_cast<std::chrono::milliseconds>(
                   std::chrono::steady_clock::now() - refusedAt)
                   .count()
            << " ms after the refusal (" << refusals << " refusals on the way), " << purged
            << " final messages purged\n";

  // Nothing accepted is lost: every message answered 202 reached the SMSC (only final
  // messages are purged, so a purged one had been delivered, failed or expired).
  std::set<std::string> expected;
  for (const auto& [id, to] : fill.accepted)
    expected.insert(digits(to));
  std::set<std::string> missing;
  const bool all = waitUntil(
      [&] {
        const std::set<std::string> sent = rig.submittedTo();
        missing.clear();
        for (const std::string& to : expected)
          if (!sent.contains(to)) missing.insert(to);
        return missing.empty();
      },
      60s);
  EXPECT_TRUE(all) << missing.size() << " accepted message(s) never reached the SMSC, e.g. "
                   << *missing.begin() << "\n"
                   << rig.queue().dump();
}

}  // namespace
}  // namespace mfigw::testing
