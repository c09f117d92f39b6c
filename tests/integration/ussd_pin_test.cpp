// USSD PINs end to end: the real daemon, the real simulator (in this process, on 127.0.0.1),
// the shipped menu and a loan book written into the daemon's store before it starts. A
// borrower without a PIN asks for the balance and is made to set one (typed twice), reads
// the balance with it, then types a wrong PIN three times: locked, also in a new dialog and
// even with the right PIN. The PINs are then looked for, and must not be found, in the
// daemon's whole log output (debug level) and in the store files; the PIN record holds an
// argon2id hash only.
#include <fstream>
#include <iterator>
#include <regex>
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

constexpr const char* kPhone = "254722334455";
// Distinctive PINs, so a match in the logs is a leak and not a port number.
constexpr const char* kPin = "582914";
const std::vector<std::string> kWrongPins = {"738105", "604217", "915326"};

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
    client.cid = "C-7";
    client.msisdn = kPhone;
    client.shortName = "Baraka";
    client.language = "en";
    client.homeBranch = 7;
    tables.loanBook.upsertClient(txn, client);
    store::LoanSnapshot loan;
    loan.loanId = "L-7";
    loan.accountNo = "0007777";
    loan.clientId = "C-7";
    loan.msisdn = kPhone;
    loan.language = "en";
    loan.currency = "KES";
    loan.decimals = 2;
    loan.disbursed = 2000000;
    loan.principalOutstanding = 1200000;
    loan.totalOutstanding = 1250000;  // KES 12,500.00
    loan.installments = {{today + 5, 250000, 0}, {today + 35, 250000, 0}};
    loan.officer = "Joseph";
    loan.branch = 7;
    loan.ver = 1;
    loan.asOf = static_cast<std::uint32_t>(std::time(nullptr));
    tables.loanBook.upsertLoan(txn, loan);
  });
}

struct PinHarness {
  smpp::sim::SimServer sim;
  DaemonProcess daemon;
  std::uint8_t dialogue = 1;

  PinHarness() : sim(smpp::sim::SimulatorOptions{}) {
    sim.start();
    daemon.writeConfig("smpp:\n  links:\n    - name: sim\n      host: 127.0.0.1\n      port: " +
                       std::to_string(sim.port()) + "\n      system_id: mfi\n      tps: 1000\n");
    seedLoanBook(daemon.statePath());
    daemon.start();
  }
  ~PinHarness() { sim.stop(); }

  bool bound() {
    for (int i = 0; i < 500; ++i) {
      if (sim.counters().binds > 0) return true;
      std::this_thread::sleep_for(10ms);
    }
    return false;
  }

  std::vector<smpp::sim::UssdReply> replies() {
    return sim.inspect([](const smpp::sim::SmscSimulator& s) { return s.ussdReplies(); });
  }

  // Sends one USSD PDU and returns the page's text and whether the dialog goes on.
  std::pair<std::string, bool> exchange(bool begin, const std::string& text,
                                        const std::string& session) {
    const auto before = replies().size();
    const auto sent = begin ? sim.startUssd(kPhone, text, session)
                            : sim.ussdInput(kPhone, "*123#", text, session);
    EXPECT_TRUE(sent);
    for (int i = 0; i < 2000; ++i) {
      const auto all = replies();
      if (all.size() > before) {
        const auto& page = all.back();
        const auto encoding =
            smpp::encodingFromDataCoding(page.dataCoding).value_or(smpp::TextEncoding::Gsm7);
        const auto* raw = reinterpret_cast<const std::uint8_t*>(page.text.data());
        const auto decoded = smpp::decode({raw, page.text.size()}, encoding);
        return {decoded ? *decoded : std::string(), page.op == 2};  // 2: USSR request, 17: end
      }
      std::this_thread::sleep_for(5ms);
    }
    ADD_FAILURE() << "no page for input\n" << daemon.stderrText();
    return {};
  }

  std::string newSession() { return std::string{static_cast<char>(dialogue++), '\0'}; }
};

// True when `digits` occurs in `text` with no digit right before or after it.
bool containsNumber(const std::string& text, const std::string& digits) {
  return std::regex_search(text, std::regex("(^|[^0-9])" + digits + "([^0-9]|$)"));
}

std::string fileBytes(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

TEST(UssdPin, SetReadBalanceLockAfterThreeWrongTriesAndNeverLogIt) {
  PinHarness h;
  ASSERT_TRUE(h.daemon.waitReady()) << h.daemon.stderrText();
  ASSERT_TRUE(h.bound());

  // No PIN yet: the balance asks for a new one, twice.
  std::string s = h.newSession();
  EXPECT_NE(h.exchange(true, "*123#", s).first.find("Welcome Baraka"), std::string::npos);
  auto page = h.exchange(false, "1", s);
  EXPECT_NE(page.first.find("Choose a new PIN"), std::string::npos) << page.first;
  page = h.exchange(false, kPin, s);
  EXPECT_NE(page.first.find("new PIN again"), std::string::npos) << page.first;
  page = h.exchange(false, kPin, s);
  EXPECT_FALSE(page.second);
  EXPECT_NE(page.first.find("Your PIN is saved"), std::string::npos) << page.first;

  // A new dialog: the balance with the PIN.
  s = h.newSession();
  h.exchange(true, "*123#", s);
  page = h.exchange(false, "1", s);
  EXPECT_NE(page.first.find("Enter your PIN"), std::string::npos) << page.first;
  page = h.exchange(false, kPin, s);
  EXPECT_NE(page.first.find("12,500.00"), std::string::npos) << page.first;

  // Three wrong PINs in a row lock it.
  s = h.newSession();
  h.exchange(true, "*123#", s);
  h.exchange(false, "1", s);
  page = h.exchange(false, kWrongPins[0], s);
  EXPECT_TRUE(page.second);
  EXPECT_NE(page.first.find("Wrong PIN. Tries left: 2"), std::string::npos) << page.first;
  page = h.exchange(false, kWrongPins[1], s);
  EXPECT_NE(page.first.find("Wrong PIN. Tries left: 1"), std::string::npos) << page.first;
  page = h.exchange(false, kWrongPins[2], s);
  EXPECT_FALSE(page.second);
  EXPECT_NE(page.first.find("PIN locked"), std::string::npos) << page.first;

  // Locked across dialogs: told at once, the right PIN is not even asked for.
  s = h.newSession();
  h.exchange(true, "*123#", s);
  page = h.exchange(false, "1", s);
  EXPECT_FALSE(page.second);
  EXPECT_NE(page.first.find("PIN locked"), std::string::npos) << page.first;
  // And a dial-through string holding the right PIN does not get around it.
  page = h.exchange(true, std::string("*123*1*") + kPin + "#", h.newSession());
  EXPECT_NE(page.first.find("PIN locked"), std::string::npos) << page.first;
  EXPECT_EQ(page.first.find("12,500.00"), std::string::npos) << page.first;

  h.daemon.signal(SIGTERM);
  ASSERT_TRUE(h.daemon.waitExit(20s));
  const std::string log = h.daemon.stderrText();
  ASSERT_NE(log.find("USSD effect"), std::string::npos) << "the log is not the one expected";
  EXPECT_NE(log.find("pin_set pin=(given)"), std::string::npos);
  EXPECT_NE(log.find("USSD PIN locked"), std::string::npos);
  EXPECT_FALSE(containsNumber(log, kPin)) << "the PIN reached the log";
  for (const std::string& wrong : kWrongPins)
    EXPECT_FALSE(containsNumber(log, wrong)) << "a wrong PIN reached the log: " << wrong;
  // Nor any store file: sessions (the fast store) and the durable store hold no PIN in clear.
  int files = 0;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(h.daemon.statePath())) {
    if (!entry.is_regular_file()) continue;
    ++files;
    const std::string bytes = fileBytes(entry.path());
    EXPECT_EQ(bytes.find(kPin), std::string::npos) << entry.path();
    for (const std::string& wrong : kWrongPins)
      EXPECT_EQ(bytes.find(wrong), std::string::npos) << entry.path();
  }
  EXPECT_GE(files, 2);

  store::EnvOptions options;
  options.path = (h.daemon.statePath() / "data").string();
  store::Env env(options);
  const store::BusinessTables tables = store::openBusinessTables(env);
  store::ReadTxn txn = env.beginRead();
  const auto record = tables.pins.get(txn, kPhone);
  ASSERT_TRUE(record);
  EXPECT_EQ(record->hash.rfind("$argon2id$", 0), 0u);
  EXPECT_TRUE(store::verifyPin(record->hash, kPin));
  EXPECT_GT(record->lockedUntilMs, record->updatedAtMs);
}

}  // namespace
}  // namespace mfigw::testing
