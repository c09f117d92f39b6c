// Our upstream events -> Apache Fineract (Mifos X) write requests, and what Fineract's
// answer means for the event; without I/O.
//
// Purpose: the write half of the Fineract adapter:
//   - deferral_request -> POST /v1/rescheduleloans {loanId, rescheduleFromDate (the unpaid
//     installment's due date), adjustedDueDate (due + days), submittedOnDate (the event's
//     UTC day), rescheduleReasonId, rescheduleReasonComment, dateFormat, locale}. The loan
//     and installment come from the event ("lid" + "due" when the producer wrote them,
//     else "installment" 1 or 2 of the borrower's open loan due soonest, as the USSD screen
//     showed it, from the local book).
//     No externalId here: Fineract's reschedule validator refuses any parameter it does not
//     list, and externalId is not one, so sending it would fail every deferral with 400.
//     The key goes in the Idempotency-Key header (Fineract >= 1.9 answers a replay with the
//     first result and x-served-from-cache: true) and in the comment ("mfigw:<key>"), so an
//     officer or a reconcile script can still find it.
//   - credit_request -> POST /v1/loans as a loan application (submitted, pending approval)
//     with externalId = our key (Fineract keeps loan external ids unique) and the same
//     key in the Idempotency-Key header; or nothing when upstream.fineract_credit_request
//     is off.
//   - classifyFineractAnswer: 2xx is accepted (a cached replay is a duplicate: delivered
//     once); 400/403 whose platform error says the externalId exists is a duplicate;
//     other 400/403/404 platform errors reject the event with Fineract's message; 401 is an
//     auth failure, 409 (the same key still running), 429 and 5xx end the window and the
//     event is pushed again later.
// Threading: pure functions; any thread.
// Errors: bodies are built from checked values; a payload that cannot be turned into a
//   request gives a reason string (the event is then rejected with it, for the operator).
// Ownership: values in, values out.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>

#include <nlohmann/json.hpp>

#include "gateway/fineract_options.hpp"
#include "store/day_number.hpp"
#include "store/loan_snapshot.hpp"
#include "store/upstream_events.hpp"

namespace mfigw::gateway {

// 32 hex digits of the key, as externalId, comment tag and Idempotency-Key value.
[[nodiscard]] std::string fineractKey(const store::EventKey& key);

struct DeferralTarget {
  std::string loanId;
  store::DayNumber dueDay = store::kNoDay;  // the installment moved
  std::int64_t days = 0;
  bool operator==(const DeferralTarget&) const = default;
};

// `payload` is the event's JSON; `loansOfClient` the borrower's loans from the local book
// (empty when the payload names its loan). A string: why there is no target.
[[nodiscard]] std::variant<DeferralTarget, std::string> deferralTarget(
    const nlohmann::json& payload, std::span<const store::LoanSnapshot> loansOfClient);

[[nodiscard]] std::string rescheduleRequestBody(const DeferralTarget& target,
                                                const FineractOptions& options,
                                                store::DayNumber submittedOn,
                                                const store::EventKey& key);

struct CreditApplication {
  std::string clientId;
  std::int64_t principalMinor = 0;
  std::uint8_t decimals = 0;
  std::int64_t termDays = 30;
  bool operator==(const CreditApplication&) const = default;
};

// From the event payload ({"amount": minor units, "term_days"}); `decimals` is the currency's
// (from the borrower's loans; 0 when none).
[[nodiscard]] std::variant<CreditApplication, std::string> creditApplication(
    const nlohmann::json& payload, std::string clientId, std::uint8_t decimals);

[[nodiscard]] std::string loanApplicationBody(const CreditApplication& application,
                                              const FineractOptions& options,
                                              store::DayNumber submittedOn,
                                              const store::EventKey& key);

enum class FineractAnswer : std::uint8_t {
  Accepted,   // the request took effect now
  Duplicate,  // it had taken effect before (a replay): delivered, exactly once
  Rejected,   // Fineract refuses it for good: kept with the reason for the operator
  Retry,      // not now (409, 429, 5xx): the event stays pending, the window ends
  Auth,       // 401: the window ends
};

struct FineractAnswerClass {
  FineractAnswer answer = FineractAnswer::Accepted;
  std::string reason;  // Rejected / Retry / Auth: Fineract's message, printable ASCII
};

[[nodiscard]] FineractAnswerClass classifyFineractAnswer(unsigned status, bool servedFromCache,
                                                         std::string_view body);

}  // namespace mfigw::gateway
