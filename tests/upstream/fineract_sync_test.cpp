// The Fineract adapter end to end: the real UpstreamSync (schedule, kept-alive client, the
// apply step through the durable group-commit writer) against FakeFineract on 127.0.0.1,
// which checks basic auth, the tenant header and (for loan applications) externalIds.
#include <gtest/gtest.h>

#include <ctime>
#include <fstream>
#include <sstream>

#include <fmt/format.h>

#include "gateway/fineract_sync.hpp"
#include "tests/upstream/fineract_harness.hpp"

namespace mfigw::testing {
namespace {

using nlohmann::json;

json fixture(const std::string& name) {
  std::ifstream in(std::string(MFIGW_SOURCE_DIR) + "/tests/upstream/fineract/" + name);
  std::stringstream text;
  text << in.rdbuf();
  return json::parse(text.str());
}

// Loan `id` of client `clientId`, shaped like the fixture, owing 1,000.00 + id.
json loanJson(std::int64_t id, std::int64_t clientId) {
  json loan = fixture("loan_active.json");
  loan["id"] = id;
  loan["accountNo"] = fmt::format("{:09}", id);
  loan["clientId"] = clientId;
  loan["summary"]["totalOutstanding"] = 1000.0 + static_cast<double>(id);
  return loan;
}

void seedClients(FakeFineract& server) {
  const json page = fixture("clients_page.json");
  for (const json& client : page["pageItems"])
    server.putClient(client);
}

std::vector<std::string> loanTargets(const FakeFineract& server) {
  std::vector<std::string> out;
  for (const auto& r : server.requests())
    if (r.method == "GET" && r.target.starts_with("/v1/loans")) out.push_back(r.target);
  return out;
}

const store::EventKey kDeferralKey{0xde, 0xfe, 0x72, 0x01, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
const store::EventKey kCreditKey{0xc7, 0xed, 0x17, 0x01, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2};

TEST(FineractSync, PullsClientsAndLoansPageByPageIntoTheBook) {
  FineractHarness h;
  seedClients(*h.server);
  for (std::int64_t id = 101; id <= 125; ++id)
    h.server->putLoan(loanJson(id, 7 + (id % 3)));
  const auto before = static_cast<std::uint32_t>(std::time(nullptr));
  h.startSync(h.options());
  ASSERT_TRUE(h.windowsDone(1)) << h.status().lastError;

  EXPECT_EQ(h.localClientCount(), 3u);
  EXPECT_EQ(h.localLoanCount(), 25u);
  // 25 loans in pages of 10, with the schedule: each page after the first asks for the
  // last loan applied again (offset - 1), to see whether the list moved under the sweep.
  EXPECT_EQ(loanTargets(*h.server),
            (std::vector<std::string>{"/v1/loans?offset=0&limit=10&orderBy=id&sortOrder=ASC"
                                      "&associations=repaymentSchedule",
                                      "/v1/loans?offset=9&limit=11&orderBy=id&sortOrder=ASC"
                                      "&associations=repaymentSchedule",
                                      "/v1/loans?offset=19&limit=11&orderBy=id&sortOrder=ASC"
                                      "&associations=repaymentSchedule"}));
  const auto loan = h.localLoan("113");  // client 7 + (113 % 3) = 9: no valid phone
  ASSERT_TRUE(loan.has_value());
  EXPECT_EQ(loan->totalOutstanding, 111300);
  EXPECT_EQ(loan->msisdn, "");
  const auto withPhone = h.localLoan("114");  // client 7
  ASSERT_TRUE(withPhone.has_value());
  EXPECT_EQ(withPhone->msisdn, "254712345678");  // from the client's mobileNo
  EXPECT_EQ(withPhone->totalOutstanding, 111400);
  ASSERT_EQ(withPhone->installments.size(), 3u);
  EXPECT_EQ(withPhone->installments[0].dueDay, store::toDayNumber(2024, 9, 15));
  EXPECT_EQ(withPhone->installments[0].amountDue, 200000);
  EXPECT_GE(withPhone->asOf, before);
  // A sweep stamps at most a second or two ahead (see sweepStart in fineract_sync.cpp).
  EXPECT_LE(withPhone->asOf, static_cast<std::uint32_t>(std::time(nullptr)) + 2);
  // The sweep is complete: its cursor is gone, the feed's says "from the start".
  EXPECT_FALSE(h.localCursor(std::string(gateway::kFineractLoansCursor)).has_value());
  const auto feed = h.localCursor("loans");
  ASSERT_TRUE(feed.has_value());
  EXPECT_EQ(feed->ver, 0u);
  EXPECT_GT(feed->lastSuccessUnix, 0);
  const gateway::UpstreamStatus s = h.status();
  EXPECT_EQ(s.recordsUpserted, 28u);
  EXPECT_EQ(s.recordsInvalid, 1u);  // client 9's phone, reported (the client is kept)
  EXPECT_EQ(s.lastFailureKind, "");
}

TEST(FineractSync, ACutSweepResumesWithOneRecordOfOverlapAndRestartsWhenTheListMoved) {
  FineractHarness h;
  seedClients(*h.server);
  for (std::int64_t id = 101; id <= 125; ++id)
    h.server->putLoan(loanJson(id, 7));
  gateway::UpstreamOptions o = h.options();
  o.maxPagesPerFeed = 2;  // the window ends after 20 loans, as a cut window would
  h.startSync(o);
  ASSERT_TRUE(h.windowsDone(1)) << h.status().lastError;
  EXPECT_EQ(h.localLoanCount(), 20u);
  const auto sweep = h.localCursor(std::string(gateway::kFineractLoansCursor));
  ASSERT_TRUE(sweep.has_value());
  EXPECT_EQ(sweep->ver, 20u);
  EXPECT_EQ(sweep->id, "120");

  // The next window asks from offset 19: loan 120 must come first.
  h.restartSync(h.options());
  ASSERT_TRUE(h.windowsDone(1)) << h.status().lastError;
  EXPECT_EQ(loanTargets(*h.server).back(),
            "/v1/loans?offset=19&limit=11&orderBy=id&sortOrder=ASC&associations=repaymentSchedule");
  EXPECT_EQ(h.localLoanCount(), 25u);

  // Now the list moves under a cut sweep: loan 105 is deleted upstream mid-sweep. Resuming
  // at offset 19 would start at 121 and skip nothing visible, but the check sees it and the
  // sweep starts over; at its end 105 is gone locally too, nothing else is.
  h.restartSync(o);
  ASSERT_TRUE(h.windowsDone(1)) << h.status().lastError;
  h.server->removeLoan(105);
  const std::size_t asked = loanTargets(*h.server).size();
  h.restartSync(h.options());
  ASSERT_TRUE(h.windowsDone(1)) << h.status().lastError;
  const auto targets = loanTargets(*h.server);
  ASSERT_GE(targets.size(), asked + 2);
  EXPECT_EQ(targets[asked],
            "/v1/loans?offset=19&limit=11&orderBy=id&sortOrder=ASC"
            "&associations=repaymentSchedule");
  EXPECT_EQ(targets[asked + 1],
            "/v1/loans?offset=0&limit=10&orderBy=id&sortOrder=ASC"
            "&associations=repaymentSchedule");
  EXPECT_EQ(h.localLoanCount(), 24u);
  EXPECT_FALSE(h.localLoan("105").has_value());
  EXPECT_TRUE(h.localLoan("125").has_value());
  EXPECT_EQ(h.status().recordsSwept, 1u);
}

TEST(FineractSync, AWrongTenantFailsTheWindowClearlyAndCommitsNothing) {
  FineractHarness h;
  seedClients(*h.server);
  h.server->putLoan(loanJson(42, 7));
  gateway::UpstreamConfig c = h.config();
  c.fineractTenant = "kenya-mfi";
  h.startSync(h.options(c));
  ASSERT_TRUE(h.failuresDone(1));
  const gateway::UpstreamStatus s = h.status();
  EXPECT_EQ(s.windowsOk, 0u);
  EXPECT_EQ(s.lastFailureKind, "http");
  EXPECT_NE(s.lastError.find("GET /v1/clients: HTTP 400"), std::string::npos) << s.lastError;
  EXPECT_NE(s.lastError.find("The tenant identifier `kenya-mfi` is invalid."), std::string::npos)
      << s.lastError;
  EXPECT_EQ(h.localClientCount(), 0u);
  EXPECT_EQ(h.localLoanCount(), 0u);
  EXPECT_FALSE(h.localCursor("clients").has_value());
  EXPECT_FALSE(h.localCursor(std::string(gateway::kFineractClientsCursor)).has_value());
}

TEST(FineractSync, AWrongPasswordIsAnAuthFailureAndTheSecretIsNotInTheError) {
  FineractHarness h;
  seedClients(*h.server);
  gateway::UpstreamConfig c = h.config();
  c.password = gateway::Secret("s3cret-wrong");
  h.startSync(h.options(c));
  ASSERT_TRUE(h.failuresDone(1));
  const gateway::UpstreamStatus s = h.status();
  EXPECT_EQ(s.lastFailureKind, "auth");
  EXPECT_EQ(s.lastError.find("s3cret"), std::string::npos);
  EXPECT_EQ(h.localClientCount(), 0u);
}

TEST(FineractSync, AMalformedBodyIsAClearErrorAndItsPageCommitsNothing) {
  FineractHarness h;
  seedClients(*h.server);
  h.server->putLoan(loanJson(42, 7));
  json bad = loanJson(43, 7);
  bad["summary"]["totalOutstanding"] = "1043.00";
  h.server->malformedNext(
      1,
      json{{"totalFilteredRecords", 2}, {"pageItems", json::array({loanJson(42, 7), bad})}}.dump(),
      "/v1/loans");
  h.startSync(h.options());
  ASSERT_TRUE(h.failuresDone(1));
  gateway::UpstreamStatus s = h.status();
  EXPECT_EQ(s.lastFailureKind, "protocol");
  EXPECT_EQ(s.lastError, "GET /v1/loans pageItems[1].summary.totalOutstanding: expected a number");
  EXPECT_EQ(h.localLoanCount(), 0u);  // loan 42 of the same page is not applied either
  EXPECT_FALSE(h.localCursor(std::string(gateway::kFineractLoansCursor)).has_value());

  // Not JSON at all (a proxy's error page).
  h.server->malformedNext(1, "<html><body>502 Bad Gateway</body></html>", "/v1/loans");
  ASSERT_TRUE(h.sync->syncNow());
  ASSERT_TRUE(h.failuresDone(2));
  EXPECT_EQ(h.status().lastError, "GET /v1/loans: answer is not JSON");
  EXPECT_EQ(h.localLoanCount(), 0u);

  // The server is well again: the next window pulls.
  ASSERT_TRUE(h.sync->syncNow());
  ASSERT_TRUE(h.windowsDone(1));
  EXPECT_EQ(h.localLoanCount(), 1u);
}

TEST(FineractSync, ADeferralReplayedAfterARestartExistsOnceAtFineract) {
  FineractHarness h;
  seedClients(*h.server);
  h.server->putLoan(loanJson(42, 7));
  h.startSync(h.options());
  ASSERT_TRUE(h.windowsDone(1));
  ASSERT_TRUE(h.localLoan("42").has_value());

  // The borrower asked (USSD) to delay their next payment by 14 days.
  h.appendEvent(kDeferralKey, store::UpstreamEventType::DeferralRequest,
                {{"msisdn", "254712345678"},
                 {"screen", "delay_send"},
                 {"lang", "en"},
                 {"installment", "1"},
                 {"days", 14}});
  // Fineract takes it, then the link drops before its answer arrives; the client's one
  // retry on a fresh connection loses its answer too.
  h.server->dropAnswersNext(2, "/v1/rescheduleloans");
  ASSERT_TRUE(h.sync->syncNow());
  ASSERT_TRUE(h.failuresDone(1));
  EXPECT_EQ(h.localEventCounts().pending, 1u);
  ASSERT_EQ(h.server->rescheduleRequests().size(), 1u);

  // The daemon restarts; the event goes again with the same key.
  h.restartSync(h.options());
  ASSERT_TRUE(h.windowsDone(1)) << h.status().lastError;
  EXPECT_EQ(h.localEventCounts().pending, 0u);
  EXPECT_EQ(h.localEventCounts().rejected, 0u);
  EXPECT_EQ(h.status().eventsDuplicate, 1u);  // Fineract answered from its cache

  const auto requests = h.server->rescheduleRequests();
  ASSERT_EQ(requests.size(), 1u);  // exactly once at Fineract
  EXPECT_EQ(requests[0]["loanId"], 42);
  EXPECT_EQ(requests[0]["rescheduleFromDate"], "2024-09-15");
  EXPECT_EQ(requests[0]["adjustedDueDate"], "2024-09-29");
  EXPECT_EQ(requests[0]["submittedOnDate"], "2024-08-20");
  std::vector<std::string> keys;
  for (const auto& r : h.server->requests())
    if (r.target == "/v1/rescheduleloans") keys.push_back(r.idempotencyKey);
  EXPECT_EQ(keys, std::vector<std::string>(3, store::toString(kDeferralKey)));
}

TEST(FineractSync, ALoanApplicationReplayedWithoutTheIdempotencyCacheIsOneLoan) {
  FakeFineractOptions server;
  server.idempotency = false;  // a Fineract before 1.9: only the externalId stops a second loan
  FineractHarness h(server);
  seedClients(*h.server);
  h.server->putLoan(loanJson(42, 7));
  gateway::UpstreamConfig c = h.config();
  c.fineractCreditRequest = "loan_application";
  c.fineractLoanProductId = 4;
  h.startSync(h.options(c));
  ASSERT_TRUE(h.windowsDone(1));

  h.appendEvent(kCreditKey, store::UpstreamEventType::CreditRequest,
                {{"msisdn", "254712345678"}, {"amount", 1500000}, {"currency", "KES"}});
  h.server->dropAnswersNext(2, "/v1/loans");
  ASSERT_TRUE(h.sync->syncNow());
  ASSERT_TRUE(h.failuresDone(1));
  h.restartSync(h.options(c));
  ASSERT_TRUE(h.windowsDone(1)) << h.status().lastError;
  EXPECT_EQ(h.localEventCounts().pending, 0u);
  EXPECT_EQ(h.localEventCounts().rejected, 0u);
  EXPECT_EQ(h.status().eventsDuplicate, 1u);  // 403 error.msg.loan.duplicate.externalId
  const auto applications = h.server->loanApplications();
  ASSERT_EQ(applications.size(), 1u);
  EXPECT_EQ(applications[0]["externalId"], store::toString(kCreditKey));
  EXPECT_EQ(applications[0]["clientId"], 7);
  EXPECT_DOUBLE_EQ(applications[0]["principal"].get<double>(), 15000.0);
}

TEST(FineractSync, EventsFineractHasNoHomeForAreKeptAsRejectedWithTheReason) {
  FineractHarness h;
  seedClients(*h.server);
  h.server->putLoan(loanJson(42, 7));
  h.appendEvent(kCreditKey, store::UpstreamEventType::CreditRequest,
                {{"msisdn", "254712345678"}, {"amount", 1500000}});
  const store::EventKey referral{0x2e, 0xf0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 3};
  h.appendEvent(referral, store::UpstreamEventType::Referral,
                {{"msisdn", "254712345678"}, {"phone", "254722000000"}});
  h.startSync(h.options());  // credit requests off (the default)
  ASSERT_TRUE(h.windowsDone(1)) << h.status().lastError;
  EXPECT_EQ(h.localEventCounts().pending, 0u);
  const auto rejected = h.localRejected();
  ASSERT_EQ(rejected.size(), 2u);
  EXPECT_EQ(rejected[0].rejectReason,
            "no Fineract endpoint for credit_request (upstream.fineract_credit_request is off)");
  EXPECT_EQ(rejected[1].rejectReason, "no Fineract endpoint for referral");
  EXPECT_EQ(h.server->requestCount("/v1/rescheduleloans") + h.server->loanApplications().size(),
            0u);
}

}  // namespace
}  // namespace mfigw::testing
