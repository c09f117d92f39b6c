// USSD dialects end to end: the real daemon with a link in the user_message_reference dialect
// (or one declared in gateway.yaml) against the simulator speaking it. The dialog id travels
// in user_message_reference and is echoed; a code the dialect does not know ends that dialog
// cleanly (one log line, the end op, no live dialog left); a vendor abort code ends it quietly.
#include <gtest/gtest.h>

#include "ussd_harness.hpp"

namespace mfigw::testing {
namespace {

smpp::sim::UssdDialectOptions userMessageReference() {
  return *smpp::sim::ussdDialectNamed("user_message_reference");
}

std::size_t count(const std::string& haystack, const std::string& needle) {
  std::size_t n = 0;
  for (auto pos = haystack.find(needle); pos != std::string::npos;
       pos = haystack.find(needle, pos + 1))
    ++n;
  return n;
}

// The value of one mfigw_ussd_dialogs_total series (0 when absent).
double dialogs(UssdHarness& h, const std::string& outcome) {
  const std::string body = h.daemon.client().get("/metrics").body;
  const std::string series = "mfigw_ussd_dialogs_total{outcome=\"" + outcome + "\"} ";
  const auto pos = body.find(series);
  return pos == std::string::npos ? 0 : std::stod(body.substr(pos + series.size()));
}

TEST(UssdDialect, UserMessageReferenceBalanceDialog) {
  UssdHarness h(userMessageReference(), "      ussd_dialect: user_message_reference\n");
  h.start();
  const std::string session("\x01\x2c", 2);
  const auto welcome = h.exchange(true, kUssdCode, session);
  EXPECT_EQ(welcome.op, 2);
  EXPECT_NE(UssdHarness::text(welcome).find("Welcome Amina"), std::string::npos)
      << UssdHarness::text(welcome);
  EXPECT_EQ(welcome.userMessageReference, session);  // echoed
  EXPECT_EQ(welcome.sessionInfo, "");                // nothing the operator did not send
  EXPECT_EQ(welcome.command, smpp::CommandId::SubmitSm);

  const auto pinPage = h.exchange(false, "1", session);
  EXPECT_NE(UssdHarness::text(pinPage).find("PIN"), std::string::npos)
      << UssdHarness::text(pinPage);
  EXPECT_EQ(pinPage.userMessageReference, session);
  const auto balance = h.exchange(false, kUssdPin, session);
  EXPECT_NE(UssdHarness::text(balance).find("12,500.00"), std::string::npos)
      << UssdHarness::text(balance);
  EXPECT_EQ(balance.userMessageReference, session);
}

TEST(UssdDialect, UnknownOpCodeEndsTheDialogCleanly) {
  UssdHarness h(userMessageReference(), "      ussd_dialect: user_message_reference\n");
  h.start();
  const std::string session("\x00\x07", 2);
  h.exchange(true, kUssdCode, session);
  h.exchange(false, "2", session);  // into the loan screens: a live dialog

  auto before = h.replies().size();
  ASSERT_TRUE(h.sim.ussdOp(kUssdPhone, kUssdCode, "", 0x5a, session));
  const auto closed = h.waitPage(before);
  EXPECT_EQ(closed.op, 17);  // the dialect's end op, so the USSD centre lets go too
  EXPECT_EQ(closed.userMessageReference, session);
  EXPECT_NE(UssdHarness::text(closed).find("unavailable"), std::string::npos)
      << UssdHarness::text(closed);
  ASSERT_EQ(h.waitAck(h.lastUssdDelivery()), smpp::CommandStatus::Ok);
  EXPECT_EQ(dialogs(h, "app_error"), 1);

  // No live dialog was left behind: a re-dial starts afresh (no "1 Continue" offer).
  const auto redial = h.exchange(true, kUssdCode, std::string("\x00\x08", 2));
  EXPECT_NE(UssdHarness::text(redial).find("Welcome Amina"), std::string::npos)
      << UssdHarness::text(redial);

  const std::string log = h.daemon.stderrText();
  EXPECT_EQ(count(log, "USSD op code not in dialect"), 1u) << log;
  EXPECT_NE(log.find("op=90"), std::string::npos) << log;
}

// A dialect of the operator's own: vendor abort code 65, pages as data_sm in UCS-2.
TEST(UssdDialect, DeclaredDialectWithDataSmAndAVendorAbort) {
  UssdHarness h(userMessageReference(), "      ussd_dialect: glo\n",
                "ussd:\n"
                "  dialects:\n"
                "    - name: glo\n"
                "      abort_ops: [0x81, 65, 66, 67, 68]\n"
                "      session_key: user_message_reference\n"
                "      reply_with: data_sm\n"
                "      data_coding: ucs2\n");
  h.start();
  const std::string session("\x00\x09", 2);
  const auto welcome = h.exchange(true, kUssdCode, session);
  EXPECT_EQ(welcome.command, smpp::CommandId::DataSm);
  EXPECT_EQ(welcome.dataCoding, 8);
  EXPECT_EQ(welcome.op, 2);
  EXPECT_NE(UssdHarness::text(welcome).find("Welcome Amina"), std::string::npos);
  h.exchange(false, "2", session);

  const auto before = h.replies().size();
  ASSERT_TRUE(h.sim.ussdOp(kUssdPhone, kUssdCode, "", 65, session));  // HANGUP
  ASSERT_EQ(h.waitAck(h.lastUssdDelivery()), smpp::CommandStatus::Ok);
  EXPECT_EQ(dialogs(h, "user_abort"), 1);
  // An abort gets no page: the network already let go.
  EXPECT_EQ(h.replies().size(), before);
  // And the dialog is gone: the next dial is a fresh welcome.
  const auto redial = h.exchange(true, kUssdCode, std::string("\x00\x0a", 2));
  EXPECT_NE(UssdHarness::text(redial).find("Welcome Amina"), std::string::npos)
      << UssdHarness::text(redial);
}

}  // namespace
}  // namespace mfigw::testing

namespace mfigw::testing {
namespace {

// A USSD centre that passes the caller's serving cell (a CGI in a vendor TLV): with the
// cell in the imported cell table, "Payment points" offers "Near me now" and lists the
// points nearest that cell, not the home branch.
TEST(UssdDialect, ACellInAVendorTlvFindsThePointsNearTheCaller) {
  smpp::sim::UssdDialectOptions withCell;
  withCell.cellTlv = 0x1601;
  // MCC 639, MNC 02 (TBCD, filler F), LAC 0x0102, CI 0x0a0b.
  withCell.cellValue = std::string("\x36\xf9\x20\x01\x02\x0a\x0b", 7);
  UssdHarness h(withCell, "      ussd_dialect: with_cell\n",
                "ussd:\n"
                "  dialects:\n"
                "    - name: with_cell\n"
                "      cell_tlv: 0x1601\n");
  {
    // The cell sits in Kisumu, 270 km from the borrower's branch 7 points in Nairobi.
    store::EnvOptions options;
    options.path = (h.daemon.statePath() / "data").string();
    store::Env env(options);
    const store::BusinessTables tables = store::openBusinessTables(env);
    env.write([&](store::WriteTxn& txn) {
      store::CellTower tower;
      tower.id = store::CellId{639, 2, 0x0102, 0x0a0b};
      tower.latitudeE6 = -91000;
      tower.longitudeE6 = 34768000;
      tables.loanBook.upsertCellTower(txn, tower);
      const auto point = [&](const char* id, const char* name, std::int32_t lat, std::int32_t lon) {
        store::PaymentPoint p;
        p.id = id;
        p.name = name;
        p.latitudeE6 = lat;
        p.longitudeE6 = lon;
        p.branch = 7;
        p.ver = 1;
        tables.loanBook.upsertPaymentPoint(txn, p);
      };
      point("P-K", "Kisumu Agent", -92000, 34769000);
      point("P-N", "Nairobi Agent", -1284100, 36821900);
    });
  }
  h.start();
  const std::string session = h.newSession();
  h.exchange(true, kUssdCode, session);
  const auto menu = UssdHarness::text(h.exchange(false, "4", session));
  ASSERT_NE(menu.find("4 Near me now"), std::string::npos) << menu;
  const auto near = UssdHarness::text(h.exchange(false, "4", session));
  EXPECT_NE(near.find("Near you:"), std::string::npos) << near;
  const auto kisumu = near.find("Kisumu Agent");
  const auto nairobi = near.find("Nairobi Agent");
  ASSERT_NE(kisumu, std::string::npos) << near;
  EXPECT_TRUE(nairobi == std::string::npos || kisumu < nairobi) << "nearest first: " << near;
}

// Without a cell from the channel the option is not offered.
TEST(UssdDialect, NoCellNoNearMeOption) {
  UssdHarness h;
  h.start();
  const std::string session = h.newSession();
  h.exchange(true, kUssdCode, session);
  const auto menu = UssdHarness::text(h.exchange(false, "4", session));
  EXPECT_NE(menu.find("2 Enter an area code"), std::string::npos) << menu;
  EXPECT_EQ(menu.find("Near me now"), std::string::npos) << menu;
}

}  // namespace
}  // namespace mfigw::testing
