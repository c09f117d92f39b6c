// A phone, an SMSC and the real daemon for USSD integration tests: the simulator in this
// process on 127.0.0.1 (speaking a chosen USSD dialect), mfi-gatewayd as a child with the
// shipped menu tree and a loan book (Amina, one loan) written into its LMDB store before it
// starts (PIN 4321 set), and the durable store's upstream events read back after it stops.
// Used by ussd_exactly_once_test.cpp and ussd_dialect_test.cpp.
#pragma once

#include <chrono>
#include <csignal>
#include <ctime>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "daemon_process.hpp"
#include "smpp/sim/sim_server.hpp"
#include "smpp/text_encoding.hpp"
#include "store/business_tables.hpp"
#include "store/day_number.hpp"
#include "store/env.hpp"
#include "store/pin_table.hpp"

namespace mfigw::testing {

inline constexpr const char* kUssdPhone = "254712345678";
inline constexpr const char* kUssdCode = "*123#";
inline constexpr const char* kUssdPin = "4321";  // balance and credit are behind the PIN

inline void seedUssdLoanBook(const std::filesystem::path& state) {
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
    client.msisdn = kUssdPhone;
    client.shortName = "Amina";
    client.language = "en";
    client.homeBranch = 7;
    tables.loanBook.upsertClient(txn, client);
    store::LoanSnapshot loan;
    loan.loanId = "L-1";
    loan.accountNo = "0001234";
    loan.clientId = "C-1";
    loan.msisdn = kUssdPhone;
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
    tables.pins.set(txn, kUssdPhone, store::hashPin(kUssdPin), std::time(nullptr) * 1000);
  });
}

// The upstream events in the durable store of a stopped daemon.
inline std::vector<store::UpstreamEvent> storedUpstreamEvents(const std::filesystem::path& state) {
  store::EnvOptions options;
  options.path = (state / "data").string();
  store::Env env(options);
  const store::BusinessTables tables = store::openBusinessTables(env);
  store::ReadTxn txn = env.beginRead();
  return tables.upstreamEvents.pendingBatch(txn, 100);
}

struct UssdHarness {
  smpp::sim::SimServer sim;
  DaemonProcess daemon;
  std::uint8_t dialogue = 1;

  // linkExtra: more keys of the one link (indented for its map); extra: top-level YAML.
  explicit UssdHarness(smpp::sim::UssdDialectOptions dialect = {},
                       const std::string& linkExtra = "", const std::string& extra = "")
      : sim(options(dialect)) {
    sim.start();
    daemon.writeConfig("smpp:\n  links:\n    - name: sim\n      host: 127.0.0.1\n      port: " +
                       std::to_string(sim.port()) + "\n      system_id: mfi\n      tps: 1000\n" +
                       linkExtra + extra);
    seedUssdLoanBook(daemon.statePath());
  }
  ~UssdHarness() { sim.stop(); }

  static smpp::sim::SimulatorOptions options(smpp::sim::UssdDialectOptions dialect) {
    smpp::sim::SimulatorOptions o;  // no accounts: any system_id binds
    o.ussd = dialect;
    return o;
  }

  // Starts the daemon and waits until it is ready and bound `binds` times in all.
  void start(std::uint64_t binds = 1) {
    daemon.start();
    ASSERT_TRUE(daemon.waitReady()) << daemon.stderrText();
    for (int i = 0; i < 1000 && sim.counters().binds < binds; ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    ASSERT_GE(sim.counters().binds, binds) << daemon.stderrText();
  }

  std::vector<smpp::sim::UssdReply> replies() {
    return sim.inspect([](const smpp::sim::SmscSimulator& s) { return s.ussdReplies(); });
  }

  // Waits until more than `before` pages arrived and returns the newest.
  smpp::sim::UssdReply waitPage(std::size_t before) {
    for (int i = 0; i < 2000; ++i) {
      const auto all = replies();
      if (all.size() > before) return all.back();
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    ADD_FAILURE() << "no page\n" << daemon.stderrText();
    return {};
  }

  // Sends one USSD PDU and waits for the page the gateway answers with.
  smpp::sim::UssdReply exchange(bool begin, const std::string& text, const std::string& session) {
    const auto before = replies().size();
    const auto sent = begin ? sim.startUssd(kUssdPhone, text, session)
                            : sim.ussdInput(kUssdPhone, kUssdCode, text, session);
    EXPECT_TRUE(sent);
    return waitPage(before);
  }

  // The index (in sentDeliveries) of the newest USSD deliver_sm.
  std::size_t lastUssdDelivery() {
    return sim.inspect([](const smpp::sim::SmscSimulator& s) {
      const auto& sent = s.sentDeliveries();
      for (std::size_t i = sent.size(); i-- > 0;) {
        if (sent[i].kind == smpp::sim::DeliveryKind::Ussd) return i;
      }
      return sent.size();
    });
  }

  // Waits for the deliver_sm_resp of sentDeliveries()[index]; its status, or nullopt.
  std::optional<smpp::CommandStatus> waitAck(
      std::size_t index, std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
    const auto until = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < until) {
      const auto status = sim.inspect([index](const smpp::sim::SmscSimulator& s) {
        const auto& sent = s.sentDeliveries();
        return index < sent.size() ? sent[index].ackStatus : std::nullopt;
      });
      if (status) return status;
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    return std::nullopt;
  }

  // The plain SMS (submit_sm outside any USSD dialog) the gateway sent, as text, waiting up
  // to `timeout` for at least `atLeast` of them.
  std::vector<std::pair<std::string, std::string>> smsSent(
      std::size_t atLeast = 1, std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
    const auto until = std::chrono::steady_clock::now() + timeout;
    std::vector<std::pair<std::string, std::string>> out;  // (to, text)
    for (;;) {
      out = sim.inspect([](const smpp::sim::SmscSimulator& s) {
        std::vector<std::pair<std::string, std::string>> sent;
        for (const smpp::sim::ReceivedPdu& r : s.received()) {
          const auto* submit = std::get_if<smpp::SubmitSm>(&r.pdu);
          if (submit == nullptr || submit->tlvs.ussdServiceOp()) continue;
          const auto encoding =
              smpp::encodingFromDataCoding(submit->dataCoding).value_or(smpp::TextEncoding::Gsm7);
          const auto* raw = reinterpret_cast<const std::uint8_t*>(submit->shortMessage.data());
          const auto decoded = smpp::decode({raw, submit->shortMessage.size()}, encoding);
          sent.emplace_back(submit->destination.addr, decoded ? *decoded : submit->shortMessage);
        }
        return sent;
      });
      if (out.size() >= atLeast || std::chrono::steady_clock::now() >= until) return out;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  }

  static std::string text(const smpp::sim::UssdReply& page) {
    const auto encoding =
        smpp::encodingFromDataCoding(page.dataCoding).value_or(smpp::TextEncoding::Gsm7);
    const auto* raw = reinterpret_cast<const std::uint8_t*>(page.text.data());
    const auto decoded = smpp::decode({raw, page.text.size()}, encoding);
    return decoded ? *decoded : std::string();
  }

  // A fresh 2-octet dialog id (its_session_info or user_message_reference, per the dialect).
  std::string newSession() { return std::string{static_cast<char>(dialogue++), '\0'}; }

  // Stops the daemon (SIGTERM) and returns the upstream events it stored.
  std::vector<store::UpstreamEvent> stopAndReadEvents() {
    daemon.signal(SIGTERM);
    EXPECT_TRUE(daemon.waitExit(std::chrono::seconds(20)));
    return storedUpstreamEvents(daemon.statePath());
  }
};

}  // namespace mfigw::testing
