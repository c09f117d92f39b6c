// USSD end to end: the real daemon, the real simulator (in this process, on 127.0.0.1), the
// shipped menu tree and a loan book written into the daemon's real LMDB store before it
// starts. A borrower dials, reads the balance from the snapshot, asks for a loan (the request
// is committed once, before the last page), dials through, re-dials a dropped dialog.
#include <cstdio>
#include <thread>

#include <gtest/gtest.h>

#include "daemon_process.hpp"
#include "smpp/sim/sim_server.hpp"
#include "smpp/text_encoding.hpp"
#include "store/business_tables.hpp"
#include "store/day_number.hpp"
#include "store/env.hpp"
#include "store/pin_table.hpp"

namespace mfigw::testing {
namespace {

using namespace std::chrono_literals;

constexpr const char* kPhone = "254712345678";
constexpr const char* kPin = "4321";  // balance, credit and deferral are behind the PIN

void seedLoanBook(const std::filesystem::path& state) {
  std::filesystem::create_directories(state / "data");
  store::EnvOptions options;
  options.path = (state / "data").string();
  options.mapSize = 8ull << 20;
  options.maxMapSize = 64ull << 20;
  store::Env env(options);
  const store::BusinessTables tables = store::openBusinessTables(env);
  const auto today = store::dayOfUnixSeconds(std::time(nullptr));
  env.write([&](store::WriteTxn& txn) {
    store::Client client;
    client.cid = "C-1";
    client.msisdn = kPhone;
    client.shortName = "Amina";
    client.language = "en";
    client.homeBranch = 7;
    tables.loanBook.upsertClient(txn, client);
    store::LoanSnapshot loan;
    loan.loanId = "L-1";
    loan.accountNo = "0001234";
    loan.clientId = "C-1";
    loan.msisdn = kPhone;
    loan.language = "en";
    loan.currency = "KES";
    loan.decimals = 2;
    loan.disbursed = 2000000;  // KES 20,000.00
    loan.principalOutstanding = 1200000;
    loan.totalOutstanding = 1250000;
    loan.installments = {{today + 5, 250000, 0}, {today + 35, 250000, 0}};
    loan.officer = "Joseph";
    loan.branch = 7;
    loan.ver = 1;
    loan.asOf = static_cast<std::uint32_t>(std::time(nullptr));
    tables.loanBook.upsertLoan(txn, loan);
    tables.pins.set(txn, kPhone, store::hashPin(kPin), std::time(nullptr) * 1000);
  });
}

struct UssdHarness {
  smpp::sim::SimServer sim;
  DaemonProcess daemon;
  std::uint8_t dialogue = 1;

  explicit UssdHarness(const std::string& extra = "") : sim(accounts()) {
    sim.start();
    daemon.writeConfig("smpp:\n  links:\n    - name: sim\n      host: 127.0.0.1\n      port: " +
                       std::to_string(sim.port()) + "\n      system_id: mfi\n      tps: 1000\n" +
                       extra);
    seedLoanBook(daemon.statePath());
    daemon.start();
  }
  ~UssdHarness() { sim.stop(); }

  static smpp::sim::SimulatorOptions accounts() {
    smpp::sim::SimulatorOptions o;  // no accounts: any system_id binds
    return o;
  }

  bool bound() {
    for (int i = 0; i < 500; ++i) {
      if (sim.counters().binds > 0) return true;
      std::this_thread::sleep_for(10ms);
    }
    return false;
  }

  // Sends one USSD PDU and waits for the page the gateway answers with.
  smpp::sim::UssdReply exchange(bool begin, const std::string& text, std::string session) {
    const auto before = replies().size();
    const auto sent = begin ? sim.startUssd(kPhone, text, session)
                            : sim.ussdInput(kPhone, "*123#", text, session);
    EXPECT_TRUE(sent);
    for (int i = 0; i < 1000; ++i) {
      const auto all = replies();
      if (all.size() > before) return all.back();
      std::this_thread::sleep_for(5ms);
    }
    ADD_FAILURE() << "no page for " << text << "\n" << daemon.stderrText();
    return {};
  }

  std::vector<smpp::sim::UssdReply> replies() {
    return sim.inspect([](const smpp::sim::SmscSimulator& s) { return s.ussdReplies(); });
  }

  static std::string text(const smpp::sim::UssdReply& page) {
    const auto encoding =
        smpp::encodingFromDataCoding(page.dataCoding).value_or(smpp::TextEncoding::Gsm7);
    const auto* raw = reinterpret_cast<const std::uint8_t*>(page.text.data());
    const auto decoded = smpp::decode({raw, page.text.size()}, encoding);
    return decoded ? *decoded : std::string();
  }

  std::string newSession() { return std::string{static_cast<char>(dialogue++), '\0'}; }
};

TEST(UssdFlow, BalanceComesFromTheLocalSnapshot) {
  UssdHarness h;
  ASSERT_TRUE(h.daemon.waitReady()) << h.daemon.stderrText();
  ASSERT_TRUE(h.bound());
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
  ASSERT_TRUE(h.daemon.waitReady()) << h.daemon.stderrText();
  ASSERT_TRUE(h.bound());
  const std::string session = h.newSession();
  h.exchange(true, "*123#", session);
  const auto amount = h.exchange(false, "2", session);
  EXPECT_NE(UssdHarness::text(amount).find("Amount"), std::string::npos)
      << UssdHarness::text(amount);
  h.exchange(false, "10000", session);
  const auto confirm = h.exchange(false, "1", session);  // 30 days
  EXPECT_NE(UssdHarness::text(confirm).find("10,000"), std::string::npos)
      << UssdHarness::text(confirm);
  h.exchange(false, "1", session);  // confirm
  const auto done = h.exchange(false, kPin, session);
  EXPECT_EQ(done.op, 17);  // PSSR response: last page
  EXPECT_NE(UssdHarness::text(done).find("Request sent"), std::string::npos)
      << UssdHarness::text(done);
  EXPECT_EQ(done.sessionInfo[1] & 1, 1);  // end-of-session bit

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
  EXPECT_EQ(events[0].payload.find("4321"), std::string::npos) << "the PIN went upstream";
}

TEST(UssdFlow, DialThroughAndResumeAfterADroppedDialog) {
  UssdHarness h;
  ASSERT_TRUE(h.daemon.waitReady()) << h.daemon.stderrText();
  ASSERT_TRUE(h.bound());
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
  ASSERT_TRUE(h.daemon.waitReady()) << h.daemon.stderrText();
  ASSERT_TRUE(h.bound());
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
  UssdHarness h(keyFile(probe));
  ASSERT_TRUE(h.daemon.waitReady()) << h.daemon.stderrText();
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
