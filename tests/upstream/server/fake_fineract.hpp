// A fake Apache Fineract (Mifos X) for the Fineract adapter's tests: the few REST resources
// the adapter uses, served by a small Beast server on 127.0.0.1, shaped like Fineract's
// documented JSON (reference/upstream.md section 1; LoansApiResourceSwagger).
//
// Purpose: behaves as Fineract does where the adapter depends on it:
//   - every request needs HTTP Basic and the Fineract-Platform-TenantId header: no or wrong
//     credentials give 401, an unknown tenant 400 with Fineract's "invalid tenant" error;
//   - GET /fineract-provider/api/v1/clients and /v1/loans page with offset/limit (ordered by
//     id) into {totalFilteredRecords, pageItems}; a loan's repaymentSchedule is only sent
//     with associations=repaymentSchedule;
//   - POST /v1/rescheduleloans refuses parameters its validator does not list (externalId
//     among them) with 400 validation.msg.unsupported.parameter, as Fineract does;
//   - POST /v1/loans keeps loan externalIds unique: a second one gives 403
//     error.msg.loan.duplicate.externalId;
//   - Idempotency-Key (unless turned off, as on Fineract < 1.9): a key already completed is
//     answered with the first answer and x-served-from-cache: true;
//   - answers of 2 KB or more are gzipped when the client accepts it (Spring Boot's default
//     server.compression.min-response-size).
//   Knobs: fail the next requests with a status, answer a malformed body, store a write and
//   then drop the connection before answering. It records every request.
// Threading: the server runs its own io_context on its own thread; every public member is
//   thread-safe.
// Errors: start() throws std::runtime_error when it cannot listen.
// Ownership: owns its thread; stop() (or the destructor) joins it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace mfigw::testing {

struct FakeFineractOptions {
  std::string user = "mifos";
  std::string password = "password";
  std::string tenant = "default";
  bool idempotency = true;  // false: a Fineract without the Idempotency-Key cache
  std::size_t gzipMin = 2048;
};

struct FineractRequestSeen {
  std::string method;
  std::string target;  // below /fineract-provider/api, with the query
  std::string idempotencyKey;
  std::string body;
  unsigned status = 0;
};

class FakeFineract {
 public:
  explicit FakeFineract(FakeFineractOptions options = {});
  ~FakeFineract();
  FakeFineract(const FakeFineract&) = delete;
  FakeFineract& operator=(const FakeFineract&) = delete;

  void start();
  void stop();
  [[nodiscard]] std::string url() const;  // "http://127.0.0.1:PORT/fineract-provider/api"

  // ---- data (Fineract JSON objects with an integer "id") ----
  void putClient(nlohmann::json client);
  void putLoan(nlohmann::json loan);
  void removeLoan(std::int64_t id);

  // ---- writes received and kept ----
  [[nodiscard]] std::vector<nlohmann::json> rescheduleRequests() const;
  [[nodiscard]] std::vector<nlohmann::json> loanApplications() const;

  // ---- knobs: each applies to the next `count` requests whose path starts with `path` ----
  void failNext(unsigned count, unsigned status, const std::string& path = "");
  void malformedNext(unsigned count, std::string body, const std::string& path = "");
  // The write is applied, then the connection closes with no answer.
  void dropAnswersNext(unsigned count, const std::string& path = "");

  // ---- observation ----
  [[nodiscard]] std::vector<FineractRequestSeen> requests() const;
  [[nodiscard]] std::size_t requestCount(const std::string& pathPrefix = "") const;

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace mfigw::testing
