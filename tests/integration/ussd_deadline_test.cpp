// The step deadline end to end (issue 5, item 3): a step that overruns ussd.step_deadline
// answers the phone with a fallback end page at once, goes on, and sends the page the phone
// missed by SMS once it is committed; the SMSC's deliver_sm is acknowledged only after that.
// A PIN check (argon2id, tens of milliseconds) is the slow step: the deadline is cut to 1 ms
// by a SIGHUP reload once the dialog stands on the PIN screen, so the earlier steps run under
// the default and cannot trip it on a loaded machine.
#include <thread>

#include <gtest/gtest.h>

#include "ussd_harness.hpp"

namespace mfigw::testing {
namespace {

using namespace std::chrono_literals;

std::string linkConfig(std::uint16_t port) {
  return "smpp:\n  links:\n    - name: sim\n      host: 127.0.0.1\n      port: " +
         std::to_string(port) + "\n      system_id: mfi\n      tps: 1000\n";
}

TEST(UssdDeadline, ASlowStepGetsTheFallbackPageAndItsAnswerBySms) {
  UssdHarness h;
  h.start();
  auto client = h.daemon.client();

  const std::string s = h.newSession();
  EXPECT_NE(UssdHarness::text(h.exchange(true, kUssdCode, s)).find("Welcome Amina"),
            std::string::npos);
  const auto pinScreen = h.exchange(false, "1", s);
  ASSERT_NE(UssdHarness::text(pinScreen).find("Enter your PIN"), std::string::npos);

  h.daemon.writeConfig(linkConfig(h.sim.port()) + "ussd:\n  step_deadline: 1ms\n");
  h.daemon.signal(SIGHUP);
  std::string metrics;
  for (int i = 0; i < 250; ++i) {
    metrics = client.get("/metrics").body;
    if (metrics.find("mfigw_config_reloads_total{result=\"ok\"} 1") != std::string::npos) break;
    std::this_thread::sleep_for(20ms);
  }
  ASSERT_NE(metrics.find("mfigw_config_reloads_total{result=\"ok\"} 1"), std::string::npos)
      << h.daemon.stderrText();

  // The PIN: the phone gets the fallback page, which ends the network dialog.
  const auto page = h.exchange(false, kUssdPin, s);
  const std::string fallback = UssdHarness::text(page);
  EXPECT_EQ(page.op, 0x11) << "the fallback page must end the dialog";
  EXPECT_NE(fallback.find("Any answer will come by SMS"), std::string::npos) << fallback;
  EXPECT_NE(fallback.find(kUssdCode), std::string::npos) << fallback;
  EXPECT_LE(fallback.size(), 160u);
  EXPECT_EQ(fallback.find("12,500.00"), std::string::npos) << "the balance is not on it";

  // The deliver_sm is acknowledged (after the commit), and the balance comes by SMS.
  const auto ack = h.waitAck(h.lastUssdDelivery());
  ASSERT_TRUE(ack);
  EXPECT_EQ(*ack, smpp::CommandStatus::Ok);
  const auto sms = h.smsSent();
  ASSERT_EQ(sms.size(), 1u) << h.daemon.stderrText();
  EXPECT_EQ(sms[0].first, std::string("+") + kUssdPhone);
  EXPECT_NE(sms[0].second.find("Balance: KES 12,500.00"), std::string::npos) << sms[0].second;
  EXPECT_EQ(sms[0].second.find(kUssdPin), std::string::npos) << "no PIN in the SMS";

  // Counted: one fallback page, and the dialog ended because the application was slow.
  for (int i = 0; i < 250; ++i) {
    metrics = client.get("/metrics").body;
    if (metrics.find("mfigw_ussd_dialogs_total{outcome=\"app_slow\"} 1") != std::string::npos)
      break;
    std::this_thread::sleep_for(20ms);
  }
  EXPECT_NE(metrics.find("mfigw_ussd_requests_total{channel=\"smpp\",result=\"fallback\"} 1"),
            std::string::npos)
      << metrics;
  EXPECT_NE(metrics.find("mfigw_ussd_dialogs_total{outcome=\"app_slow\"} 1"), std::string::npos)
      << metrics;
  EXPECT_NE(h.daemon.stderrText().find("fallback page sent"), std::string::npos);
}

}  // namespace
}  // namespace mfigw::testing
