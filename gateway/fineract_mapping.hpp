// Apache Fineract (Mifos X) JSON -> our loan book records, without I/O.
//
// Purpose: the read half of the Fineract adapter (reference/upstream.md sections 1.4 and 3):
//   - parseFineractPage: a list answer {totalFilteredRecords, pageItems[]};
//   - mapFineractLoan: one loan of GET /v1/loans (with associations=repaymentSchedule) to a
//     LoanSnapshot: money (JSON numbers) to integer minor units with currency.decimalPlaces,
//     dates ([yyyy, m, d]) to day numbers, status.code to st, summary to disb/pout/tout/tod,
//     the first 3 incomplete schedule periods to inst[], lastPayment* to lpd/lpa, pause
//     periods / isNPA / chargedOff to flags, loanProductName / loanOfficerName cut at a
//     UTF-8 boundary to prod / lo, clientOfficeId to br;
//   - mapFineractClient: one client of GET /v1/clients: mobileNo normalised as the rest of
//     the gateway does (libphonenumber, E.164 digits without '+'), displayName cut to 40 B.
//   Days past due: we store `odsince` and derive DPD locally each day (store/loan_status).
//   It comes from summary.overdueSinceDate; when that is absent, from the `delinquent`
//   block (today - pastDueDays, Fineract >= 1.8); when that block is absent too (older
//   Fineract: feature-detected per loan, no request needed), from the schedule: the due
//   date of the oldest incomplete period that is already due.
//   Fineract has no modification stamp on a loan: `ver` is the fetch time (epoch seconds).
//   Fineract records no language: every record gets the context's; msisdn is the client's,
//   filled in by the sync from the local client record.
// Threading: pure functions; any thread.
// Errors: FineractFormatError for a body or field of the wrong shape (not JSON, no
//   pageItems, an id that is not a number, summary that is not an object...), naming the
//   JSON path ("pageItems[3].summary.totalOutstanding: expected a number"). A loan that is
//   well-formed but breaks our store's bounds (a 25-byte account number) is not an error:
//   the mapping returns the problems and the page leaves it out, so one bad row cannot stop
//   the sync forever.
// Ownership: values in, values out.
#pragma once

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "store/client.hpp"
#include "store/day_number.hpp"
#include "store/loan_snapshot.hpp"

namespace mfigw::gateway {

class FineractFormatError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct FineractPage {
  std::uint64_t totalFilteredRecords = 0;
  std::vector<nlohmann::json> pageItems;
};
// `what` names the request in messages ("GET /v1/loans").
[[nodiscard]] FineractPage parseFineractPage(std::string_view body, std::string_view what);

// What the mapping needs besides the record.
struct FineractMappingContext {
  store::DayNumber today = store::kNoDay;  // for DPD fallbacks
  std::uint64_t fetchedAt = 0;             // epoch seconds: becomes `ver`
  std::string language = "en";             // Fineract records none: lang of every record
};

template <typename Record>
struct FineractMapped {
  std::optional<Record> record;       // set when it fits our store
  std::vector<std::string> problems;  // why not ("acct: is 25 bytes, at most 20")
};

// `path` prefixes error messages ("pageItems[3]").
[[nodiscard]] FineractMapped<store::LoanSnapshot> mapFineractLoan(
    const nlohmann::json& loan, const FineractMappingContext& context, std::string_view path);
[[nodiscard]] FineractMapped<store::Client> mapFineractClient(const nlohmann::json& client,
                                                              std::string_view defaultRegion,
                                                              const FineractMappingContext& context,
                                                              std::string_view path);

// ---- pieces, exposed for tests ----
// [2024, 8, 12] or "2024-08-12"; null or absent: kNoDay.
[[nodiscard]] store::DayNumber fineractDate(const nlohmann::json& value, std::string_view path);
// 1234.5 with 2 decimals -> 123450 (rounded half away from zero); null or absent: 0.
[[nodiscard]] std::int64_t fineractMinorUnits(const nlohmann::json& value, std::uint8_t decimals,
                                              std::string_view path);
// status.code ("loanStatusType.active") plus summary.inArrears -> st.
[[nodiscard]] std::optional<store::LoanStatus> fineractLoanStatus(std::string_view code,
                                                                  bool inArrears);
// The longest prefix of `text` of at most `maxBytes` that ends on a UTF-8 boundary.
[[nodiscard]] std::string cutUtf8(std::string_view text, std::size_t maxBytes);
// "yyyy-MM-dd", the dateFormat of our writes.
[[nodiscard]] std::string isoDay(store::DayNumber day);

}  // namespace mfigw::gateway
