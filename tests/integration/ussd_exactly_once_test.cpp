// Issue 5, "must be true": a credit request confirmed once is stored upstream-bound exactly
// once, when the SMSC re-delivers the same deliver_sm and when the daemon is killed just after
// the confirm. The real daemon, the real simulator, the shipped menu; the events are counted
// in the durable store after the daemon stopped.
#include <gtest/gtest.h>

#include "ussd_harness.hpp"

namespace mfigw::testing {
namespace {

using namespace std::chrono_literals;

// Walks the loan request up to the PIN page (the step after it is the confirming one).
void upToThePin(UssdHarness& h, const std::string& session) {
  h.exchange(true, kUssdCode, session);
  EXPECT_NE(UssdHarness::text(h.exchange(false, "2", session)).find("Which loan?"),
            std::string::npos);
  EXPECT_NE(UssdHarness::text(h.exchange(false, "1", session)).find("Amount"), std::string::npos);
  h.exchange(false, "10000", session);
  EXPECT_NE(UssdHarness::text(h.exchange(false, "1", session)).find("10,000"),
            std::string::npos);     // the summary
  h.exchange(false, "1", session);  // confirm: the PIN page
}

void expectOneCreditRequest(const std::vector<store::UpstreamEvent>& events) {
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].type, store::UpstreamEventType::CreditRequest);
  EXPECT_NE(events[0].payload.find("\"amount\":1000000"), std::string::npos) << events[0].payload;
}

// The SMSC missed our deliver_sm_resp and sends the confirming deliver_sm again, byte for
// byte (same sequence number, same session, same text): after the last page, and at once
// (while the first may still be in flight).
TEST(UssdExactlyOnce, RedeliveredConfirmIsStoredOnce) {
  UssdHarness h;
  h.start();
  const std::string session = h.newSession();
  upToThePin(h, session);
  const auto done = h.exchange(false, kUssdPin, session);
  ASSERT_EQ(done.op, 17) << UssdHarness::text(done);
  ASSERT_NE(UssdHarness::text(done).find("Request sent"), std::string::npos);
  const std::size_t confirm = h.lastUssdDelivery();
  ASSERT_EQ(h.waitAck(confirm), smpp::CommandStatus::Ok);

  // Once after the dialog ended: the gateway answers with an end page and stores nothing.
  auto before = h.replies().size();
  ASSERT_TRUE(h.sim.redeliverUssd(confirm));
  const auto again = h.waitPage(before);
  EXPECT_EQ(again.op, 17);
  EXPECT_EQ(UssdHarness::text(again).find("Request sent"), std::string::npos)
      << "the request was confirmed twice: " << UssdHarness::text(again);
  ASSERT_EQ(h.waitAck(h.lastUssdDelivery()), smpp::CommandStatus::Ok);

  // A second dialog, whose confirm arrives twice back to back.
  const std::string second = h.newSession();
  upToThePin(h, second);
  before = h.replies().size();
  ASSERT_TRUE(h.sim.ussdInput(kUssdPhone, kUssdCode, kUssdPin, second));
  const std::size_t twice = h.lastUssdDelivery();
  ASSERT_TRUE(h.sim.redeliverUssd(twice));
  h.waitPage(before + 1);  // both answered
  ASSERT_TRUE(h.waitAck(h.lastUssdDelivery()));

  const auto events = h.stopAndReadEvents();
  // One request per confirmed dialog: the first dialog's and the second's.
  ASSERT_EQ(events.size(), 2u);
  for (const auto& e : events)
    EXPECT_EQ(e.type, store::UpstreamEventType::CreditRequest);
  EXPECT_NE(events[0].key, events[1].key);
}

// SIGKILL right after the confirm's deliver_sm_resp; the daemon restarts; the SMSC delivers
// the confirm again (it never saw our page) and the phone re-dials: still one request.
TEST(UssdExactlyOnce, KillAfterTheConfirmStoresOnce) {
  UssdHarness h;
  h.start();
  const std::string session = h.newSession();
  upToThePin(h, session);
  ASSERT_TRUE(h.sim.ussdInput(kUssdPhone, kUssdCode, kUssdPin, session));
  const std::size_t confirm = h.lastUssdDelivery();
  ASSERT_EQ(h.waitAck(confirm), smpp::CommandStatus::Ok);
  h.daemon.kill9();

  h.start(2);  // a second bind
  auto before = h.replies().size();
  ASSERT_TRUE(h.sim.redeliverUssd(confirm));
  const auto again = h.waitPage(before);
  EXPECT_EQ(again.op, 17);
  EXPECT_EQ(UssdHarness::text(again).find("Request sent"), std::string::npos)
      << UssdHarness::text(again);
  ASSERT_EQ(h.waitAck(h.lastUssdDelivery()), smpp::CommandStatus::Ok);

  before = h.replies().size();
  const std::string redial = h.newSession();
  ASSERT_TRUE(h.sim.startUssd(kUssdPhone, kUssdCode, redial));
  const auto welcome = h.waitPage(before);
  EXPECT_NE(UssdHarness::text(welcome).find("Welcome Amina"), std::string::npos)
      << "the confirmed dialog is over; a re-dial starts afresh: " << UssdHarness::text(welcome);

  expectOneCreditRequest(h.stopAndReadEvents());
}

// SIGKILL while the confirm may still be in flight (right after the SMSC sent it, before any
// answer): whatever the daemon managed to commit, the SMSC's redelivery after the restart and
// the phone's re-dial (continuing the dialog if it is still there) end with one request.
TEST(UssdExactlyOnce, KillDuringTheConfirmStoresAtMostOnceAndTheRetryCompletesIt) {
  UssdHarness h;
  h.start();
  const std::string session = h.newSession();
  upToThePin(h, session);
  ASSERT_TRUE(h.sim.ussdInput(kUssdPhone, kUssdCode, kUssdPin, session));
  const std::size_t confirm = h.lastUssdDelivery();
  h.daemon.kill9();

  h.start(2);
  // The SMSC retries a deliver_sm it got no ESME_ROK for, and may retry one it did.
  const auto before = h.replies().size();
  ASSERT_TRUE(h.sim.redeliverUssd(confirm));
  const auto page = h.waitPage(before);
  EXPECT_EQ(page.op, 17) << UssdHarness::text(page);
  // Killed before the commit: the retry confirms it now. After: it was stored, and the retry
  // either finds the dialog at the same step (same idempotency key) or finds it over.
  expectOneCreditRequest(h.stopAndReadEvents());
}

}  // namespace
}  // namespace mfigw::testing
