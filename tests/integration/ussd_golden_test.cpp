// Golden transcripts through the real daemon: every walk of tests/menus/golden_walks.hpp in
// every language, over SMPP (the simulator in this process) and over HTTP (Africa's Talking),
// must give the pages of tests/menus/golden/*.txt, which the engine test produces: same
// text, same length, same end flag (SMPP: op 17 with the its_session_info end bit, else op 2;
// HTTP: "END " or "CON "), and over SMPP the encoding from data_coding. The loan book holds
// the borrower of golden_walks.hpp once per dialog (its own MSISDN, in the walk's language),
// so no dialog sees another's PIN change, language choice or open dialog; one daemon serves
// all 80 dialogs. Dates depend on today, so they are compared as placeholders.
#include <chrono>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>

#include <gtest/gtest.h>

#include "store/area.hpp"
#include "store/group.hpp"
#include "store/payment_point.hpp"
#include "tests/integration/ussd_harness.hpp"
#include "tests/menus/golden_walks.hpp"

namespace mfigw::testing {
namespace {

constexpr const char* kHttpKey = "aggregator-key-0123456789";

enum class Channel { Smpp = 1, Http = 2 };

// 2547C0WWL000: channel, walk index, language index (254710000000 upward; the harness's own
// borrower, 254712345678, is not among them).
std::string msisdnFor(Channel channel, std::size_t walk, std::size_t language) {
  char out[64];
  std::snprintf(out, sizeof out, "2547%d0%02zu%zu000", static_cast<int>(channel), walk, language);
  return out;
}

// The golden borrower, once per (channel, walk, language), and the payment points.
void seedGoldenBorrowers(const std::filesystem::path& state, std::int64_t today) {
  store::EnvOptions options;
  options.path = (state / "data").string();
  options.mapSize = 8ull << 20;
  options.maxMapSize = 64ull << 20;
  store::Env env(options);
  const store::BusinessTables tables = store::openBusinessTables(env);
  const std::string pinHash = store::hashPin(golden::kPin);  // one argon2id run for all
  const auto day = static_cast<store::DayNumber>(today);
  env.write([&](store::WriteTxn& txn) {
    for (const Channel channel : {Channel::Smpp, Channel::Http}) {
      for (std::size_t w = 0; w < golden::walks().size(); ++w) {
        for (std::size_t l = 0; l < golden::languages().size(); ++l) {
          const std::string msisdn = msisdnFor(channel, w, l);
          store::Client client;
          client.cid = "C-" + msisdn;
          client.msisdn = msisdn;
          client.shortName = golden::kClientName;
          client.language = golden::languages()[l];
          client.homeBranch = golden::kHomeBranch;
          client.groupId = "G-1";
          tables.loanBook.upsertClient(txn, client);
          store::LoanSnapshot loan;
          loan.loanId = "L-" + msisdn;
          loan.accountNo = "A" + msisdn.substr(4, 5) + golden::kAccountTail;
          loan.clientId = client.cid;
          loan.msisdn = msisdn;
          loan.language = client.language;
          loan.currency = "KES";
          loan.decimals = 2;
          loan.disbursed = golden::kDisbursed;
          loan.principalOutstanding = golden::kOutstanding - 50000;
          loan.totalOutstanding = golden::kOutstanding;
          loan.installments = {{day + golden::kNextDueInDays, golden::kInstallment, 0},
                               {day + golden::kSecondDueInDays, golden::kInstallment, 0}};
          loan.officer = golden::kOfficer;
          loan.branch = golden::kHomeBranch;
          loan.ver = 1;
          loan.asOf = static_cast<std::uint32_t>(today * 86400 + 3600);
          tables.loanBook.upsertLoan(txn, loan);
          tables.pins.set(txn, msisdn, pinHash, std::time(nullptr) * 1000);
        }
      }
    }
    store::Group group;
    group.id = "G-1";
    group.name = golden::kGroupName;
    group.nextMeetingDay = day + golden::kGroupMeetingInDays;
    group.branch = golden::kHomeBranch;
    group.ver = 1;
    tables.loanBook.upsertGroup(txn, group);
    int id = 0;
    for (const auto& p : golden::points()) {
      // The area code the walk types names an area centred on its cluster's first point
      // (the daemon measures a typed code from the area's centre, not from a branch).
      if (p.branch == golden::kAreaBranch) {
        store::Area area;
        area.code = golden::kAreaBranch;
        area.name = "Golden area";
        area.latitudeE6 = p.latitudeE6;
        area.longitudeE6 = p.longitudeE6;
        area.ver = 1;
        tables.loanBook.upsertArea(txn, area);
      }
      store::PaymentPoint point;
      point.id = "P-" + std::to_string(++id);
      point.name = p.name;
      point.latitudeE6 = p.latitudeE6;
      point.longitudeE6 = p.longitudeE6;
      point.branch = p.branch;
      point.openingHours = p.hours;
      point.ver = 1;
      tables.loanBook.upsertPaymentPoint(txn, point);
    }
  });
}

class UssdGolden : public ::testing::Test {
 protected:
  void SetUp() override {
    today_ = store::dayOfUnixSeconds(std::time(nullptr));
    const auto key = h_.daemon.dir() / "ussd.key";
    std::ofstream(key) << kHttpKey << "\n";
    std::filesystem::permissions(
        key, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
    h_.daemon.writeConfig(
        "smpp:\n  links:\n    - name: sim\n      host: 127.0.0.1\n      port: " +
        std::to_string(h_.sim.port()) +
        "\n      system_id: mfi\n      tps: 1000\nussd:\n  http_key_file: " + key.string() + "\n");
    seedGoldenBorrowers(h_.daemon.statePath(), today_);
    h_.start();
  }

  void compare(const golden::Walk& walk, const std::string& language, const std::string& actual,
               const char* channel) {
    const std::string path = golden::goldenPath(walk.name, language);
    const std::string expected = golden::readGolden(path);
    ASSERT_FALSE(expected.empty()) << path << " is missing (menus_test with MFIGW_REGENERATE=1)";
    EXPECT_TRUE(expected == actual) << channel << " differs from " << path << "\n"
                                    << golden::describeDifference(expected, actual);
  }

  // The first page for `msisdn` after the first `before` replies (another dialog left open
  // may still send something, e.g. when its idle timer fires).
  smpp::sim::UssdReply pageFor(const std::string& msisdn, std::size_t before) {
    for (int i = 0; i < 2000; ++i) {
      const auto all = h_.replies();
      for (std::size_t k = before; k < all.size(); ++k)
        if (all[k].msisdn.find(msisdn) != std::string::npos) return all[k];  // "+" or not
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    ADD_FAILURE() << "no page for " << msisdn << "\n" << h_.daemon.stderrText();
    return {};
  }

  // One SMPP page as a transcript step; the end flag must agree with the op code.
  std::string smppStep(std::string_view input, const smpp::sim::UssdReply& reply) {
    const bool endBit = reply.sessionInfo.size() == 2 && (reply.sessionInfo[1] & 1) == 1;
    EXPECT_TRUE(reply.op == 2 || reply.op == 17) << "op " << int{reply.op};
    EXPECT_EQ(reply.op == 17, endBit) << "op " << int{reply.op} << " with end bit " << endBit;
    const auto encoding = smpp::encodingFromDataCoding(reply.dataCoding);
    const std::string label = !encoding                               ? "data_coding?"
                              : *encoding == smpp::TextEncoding::Ucs2 ? "ucs2"
                              : *encoding == smpp::TextEncoding::Gsm7 ? "gsm7"
                                                                      : "latin1";
    return golden::transcriptStep(input, UssdHarness::text(reply), reply.op == 17, label, today_);
  }

  std::string smppTranscript(const golden::Walk& walk, std::size_t w, std::size_t l) {
    const std::string& language = golden::languages()[l];
    const std::string msisdn = msisdnFor(Channel::Smpp, w, l);
    const std::string session{static_cast<char>(++dialogs_), '\0'};
    std::string out = golden::transcriptHeader(walk.name, language);
    auto before = h_.replies().size();
    EXPECT_TRUE(h_.sim.startUssd(msisdn, golden::kServiceCode, session));
    auto reply = pageFor(msisdn, before);
    out += smppStep(golden::kServiceCode, reply);
    for (const auto& input : golden::inputsFor(walk, language)) {
      if (reply.op != 2) break;  // ended early: the transcript differs already
      before = h_.replies().size();
      EXPECT_TRUE(h_.sim.ussdInput(msisdn, golden::kServiceCode, input, session));
      reply = pageFor(msisdn, before);
      out += smppStep(input, reply);
    }
    return out;
  }

  // Africa's Talking: the whole dialog so far in `text`, joined by '*'.
  std::string httpTranscript(const golden::Walk& walk, std::size_t w, std::size_t l) {
    const std::string& language = golden::languages()[l];
    const std::string msisdn = msisdnFor(Channel::Http, w, l);
    const std::string sessionId = "ATUid_golden_" + std::to_string(w) + "_" + std::to_string(l);
    auto client = h_.daemon.client();
    std::string out = golden::transcriptHeader(walk.name, language);
    std::string cumulative;
    const auto post = [&](std::string_view input) {
      const auto response =
          client.request("POST", std::string("/ussd/africastalking/") + kHttpKey,
                         "sessionId=" + sessionId + "&serviceCode=%2A123%23&phoneNumber=%2B" +
                             msisdn + "&networkCode=63902&text=" + cumulative,
                         "application/x-www-form-urlencoded");
      EXPECT_EQ(response.status, 200) << response.body;
      const bool cont = response.body.rfind("CON ", 0) == 0;
      const bool ends = response.body.rfind("END ", 0) == 0;
      EXPECT_TRUE(cont || ends) << response.body;
      const std::string page = response.body.size() >= 4 ? response.body.substr(4) : "";
      out += golden::transcriptStep(input, page, !cont, golden::measurePage(page).encoding, today_);
      return cont;
    };
    bool open = post(golden::kServiceCode);
    for (const auto& input : golden::inputsFor(walk, language)) {
      if (!open) break;
      cumulative += (cumulative.empty() ? "" : "*") + input;
      open = post(input);
    }
    return out;
  }

  UssdHarness h_;
  std::int64_t today_ = 0;
  int dialogs_ = 0;
};

TEST_F(UssdGolden, EveryWalkInEveryLanguageOverSmppAndHttpMatchesTheEngine) {
  for (std::size_t w = 0; w < golden::walks().size(); ++w) {
    const auto& walk = golden::walks()[w];
    for (std::size_t l = 0; l < golden::languages().size(); ++l) {
      const std::string& language = golden::languages()[l];
      SCOPED_TRACE(std::string(walk.name) + "." + language);
      compare(walk, language, smppTranscript(walk, w, l), "SMPP");
      compare(walk, language, httpTranscript(walk, w, l), "HTTP (Africa's Talking)");
    }
  }
}

}  // namespace
}  // namespace mfigw::testing
