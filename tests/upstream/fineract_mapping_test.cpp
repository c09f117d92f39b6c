// The Fineract adapter's pure halves against fixtures shaped like Fineract's documented JSON
// (tests/upstream/fineract/*.json; field names from LoansApiResourceSwagger and
// reference/upstream.md 1.4): loans and clients to our records, and events to requests.
#include "gateway/fineract_mapping.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "gateway/fineract_requests.hpp"
#include "store/loan_status.hpp"

namespace mfigw::testing {
namespace {

using gateway::FineractAnswer;
using nlohmann::json;
using store::toDayNumber;

std::string fixtureText(const std::string& name) {
  std::ifstream in(std::string(MFIGW_SOURCE_DIR) + "/tests/upstream/fineract/" + name);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

json fixture(const std::string& name) {
  return json::parse(fixtureText(name));
}

const store::DayNumber kToday = toDayNumber(2024, 8, 20);
const gateway::FineractMappingContext kContext{kToday, 1724140800, "sw"};

store::LoanSnapshot mapLoan(const json& loan) {
  auto mapped = gateway::mapFineractLoan(loan, kContext, "loan");
  EXPECT_TRUE(mapped.problems.empty()) << mapped.problems.front();
  return mapped.record.value_or(store::LoanSnapshot{});
}

TEST(FineractMapping, ActiveLoanWithSummaryScheduleAndDelinquentBlock) {
  const store::LoanSnapshot s = mapLoan(fixture("loan_active.json"));
  EXPECT_EQ(s.loanId, "42");
  EXPECT_EQ(s.accountNo, "000000042");
  EXPECT_EQ(s.clientId, "7");
  EXPECT_EQ(s.status, store::LoanStatus::Active);
  EXPECT_EQ(s.currency, "KES");
  EXPECT_EQ(s.decimals, 2);
  // Balances in minor units from summary.
  EXPECT_EQ(s.disbursed, 1200000);
  EXPECT_EQ(s.principalOutstanding, 600000);
  EXPECT_EQ(s.totalOutstanding, 648000);
  EXPECT_EQ(s.totalOverdue, 0);
  EXPECT_EQ(s.overdueSince, store::kNoDay);
  EXPECT_EQ(store::daysPastDue(s, kToday), 0);
  // The first three incomplete periods; the disbursement row and paid ones left out.
  ASSERT_EQ(s.installments.size(), 3u);
  EXPECT_EQ(s.installments[0],
            (store::Installment{toDayNumber(2024, 9, 15), 200000,
                                static_cast<std::uint8_t>(store::InstallmentFlag::PartiallyPaid)}));
  EXPECT_EQ(s.installments[1], (store::Installment{toDayNumber(2024, 10, 15), 224000, 0}));
  EXPECT_EQ(s.installments[2], (store::Installment{toDayNumber(2024, 11, 15), 224000, 0}));
  const auto next = store::nextDue(s, kToday);
  ASSERT_TRUE(next.has_value());
  EXPECT_EQ(next->day, toDayNumber(2024, 9, 15));
  EXPECT_EQ(next->amount, 200000);
  EXPECT_EQ(next->daysUntil, 26);
  EXPECT_EQ(s.lastPaymentDay, toDayNumber(2024, 8, 18));
  EXPECT_EQ(s.lastPaymentAmount, 24000);
  // Display names cut to the store's bounds, on a character boundary.
  EXPECT_EQ(s.product, "Biashara Boo");
  EXPECT_EQ(s.officer, "Achieng Otieno O");
  EXPECT_EQ(s.branch, 3);
  EXPECT_EQ(s.flags, 0);
  // No modification stamp in Fineract: the fetch time.
  EXPECT_EQ(s.ver, 1724140800u);
  EXPECT_EQ(s.msisdn, "");  // the client's, filled in by the sync
  EXPECT_EQ(s.language, "sw");
}

TEST(FineractMapping, OlderFineractWithoutDelinquentBlockTakesDaysPastDueFromTheSchedule) {
  const json loan = fixture("loan_arrears_no_delinquent.json");
  ASSERT_FALSE(loan.contains("delinquent"));
  ASSERT_FALSE(loan["summary"].contains("overdueSinceDate"));
  const store::LoanSnapshot s = mapLoan(loan);
  EXPECT_EQ(s.status, store::LoanStatus::Arrears);
  EXPECT_EQ(s.totalOutstanding, 1120000);
  EXPECT_EQ(s.totalOverdue, 448000);
  // The oldest unpaid period already due: 2024-07-15, 36 days before 2024-08-20.
  EXPECT_EQ(s.overdueSince, toDayNumber(2024, 7, 15));
  EXPECT_EQ(store::daysPastDue(s, kToday), 36);
  ASSERT_EQ(s.installments.size(), 3u);
  EXPECT_EQ(s.installments[0].dueDay, toDayNumber(2024, 7, 15));
  EXPECT_EQ(s.installments[2].dueDay, toDayNumber(2024, 9, 15));
  EXPECT_EQ(s.lastPaymentDay, store::kNoDay);  // no delinquent block, no transactions asked
  // Arrears age locally without a sync: 10 days later it is 46.
  EXPECT_EQ(store::daysPastDue(s, kToday + 10), 46);
}

TEST(FineractMapping, DelinquentBlockGivesDaysPastDueAndPause) {
  json loan = fixture("loan_arrears_delinquent.json");
  // pastDueDays wins over a (here deliberately different) overdueSinceDate.
  loan["summary"]["overdueSinceDate"] = json::array({2024, 7, 1});
  const store::LoanSnapshot s = mapLoan(loan);
  EXPECT_EQ(store::daysPastDue(s, kToday), 36);
  EXPECT_EQ(s.lastPaymentDay, toDayNumber(2024, 6, 14));
  EXPECT_EQ(s.lastPaymentAmount, 224000);
  EXPECT_TRUE(s.has(store::LoanFlag::Paused));
}

TEST(FineractMapping, StatusCodes) {
  using store::LoanStatus;
  EXPECT_EQ(gateway::fineractLoanStatus("loanStatusType.active", false), LoanStatus::Active);
  EXPECT_EQ(gateway::fineractLoanStatus("loanStatusType.active", true), LoanStatus::Arrears);
  EXPECT_EQ(gateway::fineractLoanStatus("loanStatusType.approved", false), LoanStatus::Pending);
  EXPECT_EQ(gateway::fineractLoanStatus("loanStatusType.closed.obligations.met", false),
            LoanStatus::Closed);
  EXPECT_EQ(gateway::fineractLoanStatus("loanStatusType.closed.written.off", false),
            LoanStatus::WrittenOff);
  EXPECT_EQ(gateway::fineractLoanStatus("loanStatusType.overpaid", false), LoanStatus::Closed);
  EXPECT_EQ(gateway::fineractLoanStatus("loanStatusType.invalid", false), std::nullopt);
  EXPECT_EQ(gateway::fineractLoanStatus("active", false), std::nullopt);
}

TEST(FineractMapping, MoneyIsRoundedToMinorUnitsWithTheCurrencysDecimals) {
  EXPECT_EQ(gateway::fineractMinorUnits(json(1234.56), 2, "x"), 123456);
  EXPECT_EQ(gateway::fineractMinorUnits(json(0.29), 2, "x"), 29);  // 28.999... as a double
  EXPECT_EQ(gateway::fineractMinorUnits(json(1500), 0, "x"), 1500);
  EXPECT_EQ(gateway::fineractMinorUnits(json(12.5), 3, "x"), 12500);
  EXPECT_EQ(gateway::fineractMinorUnits(json(), 2, "x"), 0);
  EXPECT_THROW((void)gateway::fineractMinorUnits(json("12.00"), 2, "x"),
               gateway::FineractFormatError);
}

TEST(FineractMapping, ClientsPhonesNormalisedLikeTheRestOfTheGateway) {
  const gateway::FineractPage page =
      gateway::parseFineractPage(fixtureText("clients_page.json"), "GET /v1/clients");
  ASSERT_EQ(page.totalFilteredRecords, 3u);
  ASSERT_EQ(page.pageItems.size(), 3u);
  const auto a = gateway::mapFineractClient(page.pageItems[0], "KE", kContext, "c0");
  ASSERT_TRUE(a.record.has_value());
  EXPECT_EQ(a.record->cid, "7");
  EXPECT_EQ(a.record->msisdn, "254712345678");  // "0712 345 678" in KE
  EXPECT_EQ(a.record->shortName, "Wanjiru Kamau");
  EXPECT_EQ(a.record->homeBranch, 3);
  EXPECT_TRUE(a.problems.empty());
  const auto b = gateway::mapFineractClient(page.pageItems[1], "KE", kContext, "c1");
  EXPECT_EQ(b.record->msisdn, "254733000111");
  // A number libphonenumber refuses: the client stays, without a phone, and we say why.
  const auto c = gateway::mapFineractClient(page.pageItems[2], "KE", kContext, "c2");
  ASSERT_TRUE(c.record.has_value());
  EXPECT_EQ(c.record->msisdn, "");
  EXPECT_EQ(c.record->shortName.size(), 40u);
  ASSERT_EQ(c.problems.size(), 1u);
  EXPECT_NE(c.problems[0].find("mobileNo"), std::string::npos);
}

TEST(FineractMapping, MalformedBodiesAreClearErrors) {
  const auto message = [](const std::string& body) {
    try {
      const auto page = gateway::parseFineractPage(body, "GET /v1/loans");
      for (std::size_t i = 0; i < page.pageItems.size(); ++i)
        (void)gateway::mapFineractLoan(page.pageItems[i], kContext,
                                       "pageItems[" + std::to_string(i) + "]");
    } catch (const gateway::FineractFormatError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_EQ(message("<html>502 Bad Gateway</html>"), "GET /v1/loans: answer is not JSON");
  EXPECT_EQ(message(R"([{"id":1}])"), "GET /v1/loans: answer is not a JSON object");
  EXPECT_EQ(message(R"({"totalFilteredRecords":1})"),
            "GET /v1/loans: pageItems: expected an array");
  json loan = fixture("loan_active.json");
  loan["summary"]["totalOutstanding"] = "6480.00";
  EXPECT_EQ(message(json{{"totalFilteredRecords", 1}, {"pageItems", json::array({loan})}}.dump()),
            "pageItems[0].summary.totalOutstanding: expected a number");
  loan = fixture("loan_active.json");
  loan["id"] = "42";
  EXPECT_EQ(message(json{{"totalFilteredRecords", 1}, {"pageItems", json::array({loan})}}.dump()),
            "pageItems[0].id: expected an integer id");
  loan = fixture("loan_active.json");
  loan["repaymentSchedule"]["periods"][4]["dueDate"] = json::array({2024, 13, 1});
  EXPECT_EQ(message(json{{"totalFilteredRecords", 1}, {"pageItems", json::array({loan})}}.dump()),
            "pageItems[0].repaymentSchedule.periods[4].dueDate: is not a date ([2024,13,1])");
}

TEST(FineractMapping, ARecordOutsideOurBoundsIsLeftOutWithTheReason) {
  json loan = fixture("loan_active.json");
  loan["accountNo"] = "0000000000000000000000042";  // 25 bytes
  const auto mapped = gateway::mapFineractLoan(loan, kContext, "loan");
  EXPECT_FALSE(mapped.record.has_value());
  ASSERT_EQ(mapped.problems.size(), 1u);
  EXPECT_EQ(mapped.problems[0].rfind("acct: ", 0), 0u) << mapped.problems[0];
}

// ---- the write half ----

const store::EventKey kKey{0x5f, 0x0c, 0x1e, 0x2d, 0x3a, 0x4b, 0x5c, 0x6d,
                           0x7e, 0x8f, 0x90, 0x1a, 0x2b, 0x3c, 0x4d, 0x5e};

TEST(FineractRequests, DeferralOfTheNextInstallmentBecomesARescheduleRequest) {
  const store::LoanSnapshot loan = mapLoan(fixture("loan_active.json"));
  const json payload = {{"msisdn", "254712345678"}, {"installment", "1"}, {"days", 14}};
  const auto target = gateway::deferralTarget(payload, std::vector<store::LoanSnapshot>{loan});
  ASSERT_TRUE(std::holds_alternative<gateway::DeferralTarget>(target));
  EXPECT_EQ(std::get<gateway::DeferralTarget>(target),
            (gateway::DeferralTarget{"42", toDayNumber(2024, 9, 15), 14}));
  gateway::FineractOptions options;
  options.rescheduleReasonId = 31;
  const json body = json::parse(gateway::rescheduleRequestBody(
      std::get<gateway::DeferralTarget>(target), options, toDayNumber(2024, 8, 20), kKey));
  EXPECT_EQ(body["loanId"], 42);
  EXPECT_EQ(body["rescheduleFromDate"], "2024-09-15");
  EXPECT_EQ(body["adjustedDueDate"], "2024-09-29");
  EXPECT_EQ(body["submittedOnDate"], "2024-08-20");
  EXPECT_EQ(body["rescheduleReasonId"], 31);
  EXPECT_EQ(body["dateFormat"], "yyyy-MM-dd");
  EXPECT_EQ(body["locale"], "en");
  // Fineract's reschedule validator refuses parameters it does not list: no externalId.
  EXPECT_FALSE(body.contains("externalId"));
  EXPECT_NE(body["rescheduleReasonComment"].get<std::string>().find(
                "mfigw:5f0c1e2d3a4b5c6d7e8f901a2b3c4d5e"),
            std::string::npos);
  // The second installment; an installment the loan does not have is a reason.
  const auto second = gateway::deferralTarget(json{{"installment", "2"}, {"days", 7}},
                                              std::vector<store::LoanSnapshot>{loan});
  EXPECT_EQ(std::get<gateway::DeferralTarget>(second).dueDay, toDayNumber(2024, 10, 15));
  EXPECT_TRUE(std::holds_alternative<std::string>(
      gateway::deferralTarget(json{{"installment", "2"}, {"days", 7}}, {})));
  EXPECT_TRUE(std::holds_alternative<std::string>(gateway::deferralTarget(
      json{{"installment", "1"}, {"days", 0}}, std::vector<store::LoanSnapshot>{loan})));
}

TEST(FineractRequests, CreditRequestBecomesALoanApplicationKeyedByExternalId) {
  const auto application = gateway::creditApplication(
      json{{"amount", 1500000}, {"currency", "KES"}, {"term_days", 90}}, "7", 2);
  ASSERT_TRUE(std::holds_alternative<gateway::CreditApplication>(application));
  gateway::FineractOptions options;
  options.loanProductId = 4;
  const json body = json::parse(gateway::loanApplicationBody(
      std::get<gateway::CreditApplication>(application), options, toDayNumber(2024, 8, 20), kKey));
  EXPECT_EQ(body["clientId"], 7);
  EXPECT_EQ(body["productId"], 4);
  EXPECT_DOUBLE_EQ(body["principal"].get<double>(), 15000.0);
  EXPECT_EQ(body["loanTermFrequency"], 90);
  EXPECT_EQ(body["submittedOnDate"], "2024-08-20");
  EXPECT_EQ(body["externalId"], "5f0c1e2d3a4b5c6d7e8f901a2b3c4d5e");
  EXPECT_EQ(body["loanType"], "individual");
}

TEST(FineractRequests, AnswersClassified) {
  using C = gateway::FineractAnswerClass;
  const auto classify = [](unsigned status, bool cached, const std::string& body) {
    return gateway::classifyFineractAnswer(status, cached, body).answer;
  };
  EXPECT_EQ(classify(200, false, R"({"resourceId":5})"), FineractAnswer::Accepted);
  // A replay of a completed request: Fineract's idempotency cache answers it.
  EXPECT_EQ(classify(200, true, R"({"resourceId":5})"), FineractAnswer::Duplicate);
  // The externalId is already there (Fineract without the cache, or the cache expired).
  EXPECT_EQ(classify(403, false, fixtureText("error_duplicate_external_id.json")),
            FineractAnswer::Duplicate);
  const C refused =
      gateway::classifyFineractAnswer(400, false, fixtureText("error_reschedule_validation.json"));
  EXPECT_EQ(refused.answer, FineractAnswer::Rejected);
  EXPECT_EQ(refused.reason, "HTTP 400: The parameter `rescheduleFromDate` is mandatory.");
  EXPECT_EQ(classify(404, false, "{}"), FineractAnswer::Rejected);
  EXPECT_EQ(classify(401, false, "{}"), FineractAnswer::Auth);
  EXPECT_EQ(classify(400, false,
                     R"({"defaultUserMessage":"The tenant identifier `x` is invalid.",)"
                     R"("userMessageGlobalisationCode":"error.msg.invalid.tenant.identifier"})"),
            FineractAnswer::Auth);
  EXPECT_EQ(classify(409, false, "{}"), FineractAnswer::Retry);  // the same key still running
  EXPECT_EQ(classify(500, false, "oops"), FineractAnswer::Retry);
  EXPECT_EQ(classify(503, false, ""), FineractAnswer::Retry);
}

}  // namespace
}  // namespace mfigw::testing
