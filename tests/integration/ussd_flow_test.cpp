// USSD end to end: the real daemon, the real simulator (in this process, on 127.0.0.1), the
// shipped menu tree and a loan book written into the daemon's real LMDB store before it
// starts. A borrower dials, reads the balance from the snapshot, asks for a loan (the request
// is committed once, before the last page), dials through, re-dials a dropped dialog.
#include <cstdio>
#include <thread>

#include <gtest/gtest.h>

#include "ussd_harness.hpp"

namespace mfigw::testing {
namespace {

using namespace std::chrono_literals;

constexpr const char* kPin = kUssdPin;  // balance, credit and deferral are behind the PIN

TEST(UssdFlow, BalanceComesFromTheLocalSnapshot) {
  UssdHarness h;
  h.start();
  const std::string session = h.newSession();
  const auto welcome = h.exchange(true, "*123#", session);
  EXPECT_EQ(welcome.op, 2);  // USSR request: the phone may answer
  EXPECT_NE(UssdHarness::text(welcome).find("Welcome Amina"), std::string::npos)
      << UssdHarness::text(welcome);
  EXPECT_NE(UssdHarness::text(welcome).find("Request a loan"), std::string::npos);
  EXPECT_EQ(welcome.sessionInfo, session);  // echoed

  h.exchange(false, "1", session);  // the PIN screen
  const auto balance = h.exchange(false, kPin, session);
  const std::string page = UssdHarness::text(balance);
  EXPECT_NE(page.find("12,500.00"), std::string::npos) << page;  // total outstanding
  EXPECT_NE(page.find("2,500.00"), std::string::npos) << page;   // next installment
  EXPECT_NE(page.find("As of"), std::string::npos) << page;
}

TEST(UssdFlow, LoanRequestIsCommittedOnceBeforeTheLastPage) {
  UssdHarness h;
  h.start();
  const std::string session = h.newSession();
  h.exchange(true, "*123#", session);
  EXPECT_NE(UssdHarness::text(h.exchange(false, "2", session)).find("Which loan?"),
            std::string::npos);
  const auto amount = h.exchange(false, "1", session);  // business, 3%
  EXPECT_NE(UssdHarness::text(amount).find("Amount"), std::string::npos)
      << UssdHarness::text(amount);
  h.exchange(false, "10000", session);
  const auto confirm = h.exchange(false, "1", session);  // 30 days
  EXPECT_NE(UssdHarness::text(confirm).find("Total to repay: KES 10,300.00"), std::string::npos)
      << UssdHarness::text(confirm);
  h.exchange(false, "1", session);  // confirm
  const auto done = h.exchange(false, kPin, session);
  EXPECT_EQ(done.op, 17);  // PSSR response: last page
  EXPECT_NE(UssdHarness::text(done).find("Request sent"), std::string::npos)
      << UssdHarness::text(done);
  EXPECT_EQ(done.sessionInfo[1] & 1, 1);  // end-of-session bit
  // The SMS receipt, committed with the request, goes out through the outbox.
  const auto sms = h.smsSent();
  ASSERT_EQ(sms.size(), 1u) << h.daemon.stderrText();
  EXPECT_EQ(sms[0].first, std::string("+") + kUssdPhone);
  EXPECT_NE(sms[0].second.find("We received your loan request: KES 10,000.00 for 30 days, fee "
                               "KES 300.00, total KES 10,300.00."),
            std::string::npos)
      << sms[0].second;

  h.daemon.signal(SIGTERM);
  ASSERT_TRUE(h.daemon.waitExit(20s));
  const std::string log = h.daemon.stderrText();
  EXPECT_EQ(log.find("4321"), std::string::npos) << "the PIN reached the log";
  store::EnvOptions options;
  options.path = (h.daemon.statePath() / "data").string();
  store::Env env(options);
  const store::BusinessTables tables = store::openBusinessTables(env);
  store::ReadTxn txn = env.beginRead();
  const auto events = tables.upstreamEvents.pendingBatch(txn, 10);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].type, store::UpstreamEventType::CreditRequest);
  EXPECT_NE(events[0].payload.find("\"amount\":1000000"), std::string::npos) << events[0].payload;
  EXPECT_NE(events[0].payload.find("\"product\":\"business\""), std::string::npos)
      << events[0].payload;
  EXPECT_EQ(events[0].payload.find("4321"), std::string::npos) << "the PIN went upstream";
}

TEST(UssdFlow, DialThroughAndResumeAfterADroppedDialog) {
  UssdHarness h;
  h.start();
  // *123*1# opens the balance's PIN page at once; the PIN shows the balance.
  const std::string dialled = h.newSession();
  const auto direct = h.exchange(true, "*123*1#", dialled);
  EXPECT_NE(UssdHarness::text(direct).find("PIN"), std::string::npos) << UssdHarness::text(direct);
  const auto balance = h.exchange(false, kPin, dialled);
  EXPECT_NE(UssdHarness::text(balance).find("Balance"), std::string::npos)
      << UssdHarness::text(balance);

  // A dialog in the loan screens; the network drops it; the phone dials again.
  const std::string first = h.newSession();
  h.exchange(true, "*123#", first);
  const auto amountPage = UssdHarness::text(h.exchange(false, "2", first));
  const std::string second = h.newSession();
  const auto offer = h.exchange(true, "*123#", second);
  EXPECT_NE(UssdHarness::text(offer).find("1 Continue"), std::string::npos)
      << UssdHarness::text(offer);
  const auto resumed = h.exchange(false, "1", second);
  EXPECT_EQ(UssdHarness::text(resumed), amountPage);
  // And "2" on a later re-dial starts again at the welcome page.
  const std::string third = h.newSession();
  h.exchange(true, "*123#", third);
  EXPECT_NE(UssdHarness::text(h.exchange(false, "2", third)).find("Welcome"), std::string::npos);
}

TEST(UssdFlow, ArabicPagesGoAsUcs2WithinEightyCharacters) {
  UssdHarness h;
  h.start();
  const std::string session = h.newSession();
  h.exchange(true, "*123#", session);
  const auto languages = UssdHarness::text(h.exchange(false, "6", session));
  const auto pos = languages.find("العربية");
  ASSERT_NE(pos, std::string::npos) << languages;
  // The option's key is the digit before the name on its line.
  const auto lineStart = languages.rfind('\n', pos);
  const std::string key(1, languages[lineStart == std::string::npos ? 0 : lineStart + 1]);
  const auto arabic = h.exchange(false, key, session);
  EXPECT_EQ(arabic.dataCoding, 8);
  const auto units = smpp::ucs2Length(UssdHarness::text(arabic));
  ASSERT_TRUE(units);
  EXPECT_LE(*units, 80u);
}

std::string keyFile(const DaemonProcess& daemon) {
  const auto path = daemon.dir() / "ussd.key";
  std::FILE* f = std::fopen(path.c_str(), "w");
  std::fputs("aggregator-key-0123456789\n", f);
  std::fclose(f);
  std::filesystem::permissions(
      path, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  return "ussd:\n  http_key_file: " + path.string() + "\n";
}

TEST(UssdFlow, AfricasTalkingAggregatorDrivesTheSameMenu) {
  DaemonProcess probe;  // only to find a directory for the key before the harness writes
  UssdHarness h({}, "", keyFile(probe));
  h.start();
  auto client = h.daemon.client();
  const auto post = [&](const std::string& key, const std::string& text) {
    return client.request("POST", "/ussd/africastalking/" + key,
                          "sessionId=ATUid_1&serviceCode=%2A123%23&phoneNumber=%2B254712345678"
                          "&networkCode=63902&text=" +
                              text,
                          "application/x-www-form-urlencoded");
  };
  EXPECT_EQ(post("wrong-key-0123456789abc", "").status, 404);
  const auto welcome = post("aggregator-key-0123456789", "");
  ASSERT_EQ(welcome.status, 200) << welcome.body;
  EXPECT_EQ(welcome.body.rfind("CON Welcome Amina", 0), 0u) << welcome.body;
  // Cumulative text: "1" is the first answer; the session is known, so "1" is read as input,
  // and "1*4321" gives the PIN (the newest input only).
  const auto pin = post("aggregator-key-0123456789", "1");
  ASSERT_EQ(pin.status, 200);
  EXPECT_NE(pin.body.find("PIN"), std::string::npos) << pin.body;
  const auto balance = post("aggregator-key-0123456789", std::string("1*") + kPin);
  ASSERT_EQ(balance.status, 200);
  EXPECT_NE(balance.body.find("12,500.00"), std::string::npos) << balance.body;
}

}  // namespace
}  // namespace mfigw::testing
