// node-smpp's ESME (tests/interop/client.js) against OUR simulator (SimServer on 127.0.0.1):
// a client nobody here wrote binds, sends 1,000 submit_sm at window 10, gets every one
// acknowledged and every delivery receipt matched; a wrong password is refused.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "smpp/sim/sim_server.hpp"
#include "tests/interop/node_child.hpp"

namespace mfigw::interop {
namespace {

using namespace std::chrono_literals;
using smpp::CommandStatus;

const std::filesystem::path kInteropDir = MFIGW_INTEROP_DIR;

class NodeClientTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // Missing node or node_modules is a broken setup, not a reason to skip.
    const std::string problem = setupProblem(kInteropDir);
    ASSERT_TRUE(problem.empty()) << problem;
    smpp::sim::SimulatorOptions options;
    options.accounts.push_back({"nodeesme", "s3cret"});
    sim_.emplace(options);
    sim_->start();
  }
  void TearDown() override {
    if (sim_) sim_->stop();
  }

  struct ClientRun {
    std::optional<ExitStatus> status;
    std::string output;
    nlohmann::json summary;  // the JSON line; null when there was none
  };
  // Runs client.js to completion (it gives up by itself after 60 s; we wait a little longer).
  ClientRun runClient(const std::string& password, std::uint64_t count, std::uint32_t window) {
    NodeChild client(
        kInteropDir, "client.js",
        {"127.0.0.1", std::to_string(sim_->port()), "nodeesme", password, std::to_string(count),
         "--window", std::to_string(window), "--timeout-ms", "60000"});
    ClientRun run;
    run.status = client.waitExit(90s);
    run.output = client.output();
    for (const std::string& line : client.lines())
      if (!line.empty() && line.front() == '{') run.summary = nlohmann::json::parse(line);
    return run;
  }

  std::optional<smpp::sim::SimServer> sim_;
};

TEST_F(NodeClientTest, ThousandSubmitsAtWindowTenAreAcknowledgedAndEveryReceiptMatches) {
  constexpr std::uint64_t kCount = 1000;
  const ClientRun run = runClient("s3cret", kCount, 10);
  ASSERT_TRUE(run.status.has_value()) << "client.js did not finish:\n" << run.output;
  EXPECT_TRUE(run.status->exited && run.status->code == 0) << run.output;
  ASSERT_TRUE(run.summary.is_object()) << run.output;
  EXPECT_EQ(run.summary["bind"], "ok");
  EXPECT_EQ(run.summary["enquire_link"], "ok");
  EXPECT_EQ(run.summary["acked"], kCount);
  EXPECT_EQ(run.summary["failed"], 0);
  EXPECT_EQ(run.summary["receipts"], kCount);
  EXPECT_EQ(run.summary["matched"], kCount);
  EXPECT_EQ(run.summary["delivered"], kCount);
  EXPECT_EQ(run.summary["duplicates"], 0);
  EXPECT_EQ(run.summary["unmatched"], 0);
  EXPECT_EQ(run.summary["unbind"], "ok");

  // Our simulator's side: one bind, every submit answered, every receipt acknowledged.
  const smpp::sim::Counters c = sim_->counters();
  EXPECT_EQ(c.binds, 1u);
  EXPECT_EQ(c.unbinds, 1u);
  EXPECT_EQ(c.submits, kCount);
  EXPECT_EQ(c.respsWithStatus(CommandStatus::Ok), kCount);
  EXPECT_EQ(c.receiptsSent, kCount);
  EXPECT_EQ(c.receiptsAcked, kCount);
  EXPECT_EQ(c.deliverRespErrors, 0u);
}

TEST_F(NodeClientTest, WrongPasswordIsRefused) {
  const ClientRun run = runClient("wrong", 5, 10);
  ASSERT_TRUE(run.status.has_value()) << "client.js did not finish:\n" << run.output;
  EXPECT_TRUE(run.status->exited && run.status->code == 1) << run.output;
  ASSERT_TRUE(run.summary.is_object()) << run.output;
  EXPECT_EQ(run.summary["bind"], "status 14") << "ESME_RINVPASWD";
  EXPECT_EQ(run.summary["acked"], 0);
  const smpp::sim::Counters c = sim_->counters();
  EXPECT_EQ(c.bindRejections, 1u);
  EXPECT_EQ(c.binds, 0u);
  EXPECT_EQ(c.submits, 0u);
}

}  // namespace
}  // namespace mfigw::interop
