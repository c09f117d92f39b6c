// "Acknowledged means committed": a write the API answered survives SIGKILL.
#include <signal.h>

#include <thread>

#include <gtest/gtest.h>

#include "daemon_process.hpp"

namespace mfigw::testing {
namespace {

using namespace std::chrono_literals;

TEST(Durability, AcknowledgedOptOutSurvivesSigkill) {
  DaemonProcess d;
  d.writeConfig();
  d.start();
  ASSERT_TRUE(d.waitReady()) << d.stderrText();

  std::vector<std::string> acknowledged;
  {
    auto client = d.client();
    for (int i = 0; i < 20; ++i) {
      const std::string msisdn = "+2547123450" + std::to_string(10 + i);
      const auto reply = client.post("/api/v1/optouts", R"({"msisdn":")" + msisdn + R"("})");
      ASSERT_EQ(reply.status, 201) << reply.body;
      acknowledged.push_back(msisdn);
    }
  }
  // No grace: the kill lands right after the last acknowledgement.
  d.kill9();

  d.start();
  ASSERT_TRUE(d.waitReady()) << d.stderrText();
  auto client = d.client();
  for (const std::string& msisdn : acknowledged) {
    const auto reply = client.get("/api/v1/optouts/" + msisdn);
    EXPECT_EQ(reply.status, 200) << msisdn << " lost: " << reply.body;
  }
  // Idempotent: the same opt-out again is a 200 with the stored record, not a second one.
  EXPECT_EQ(client.post("/api/v1/optouts", R"({"msisdn":"0712345010"})").status, 200);
}

TEST(Durability, BadOptOutInputIsRefusedClearly) {
  DaemonProcess d;
  d.writeConfig();
  d.start();
  ASSERT_TRUE(d.waitReady()) << d.stderrText();
  auto client = d.client();
  EXPECT_EQ(client.post("/api/v1/optouts", "not json").status, 400);
  EXPECT_EQ(client.post("/api/v1/optouts", R"({"msisdn":"hello"})").status, 400);
  EXPECT_EQ(client.get("/api/v1/optouts/0712999999").status, 404);
}

TEST(Durability, MsisdnsAreMaskedInTheLog) {
  DaemonProcess d;
  d.writeConfig();
  d.start();
  ASSERT_TRUE(d.waitReady()) << d.stderrText();
  ASSERT_EQ(d.client().post("/api/v1/optouts", R"({"msisdn":"+254712345678"})").status, 201);
  d.signal(SIGTERM);
  ASSERT_TRUE(d.waitExit(20s));
  const std::string log = d.stderrText();
  EXPECT_NE(log.find("+254*******78"), std::string::npos) << log;
  EXPECT_EQ(log.find("712345678"), std::string::npos) << log;
}

}  // namespace
}  // namespace mfigw::testing
