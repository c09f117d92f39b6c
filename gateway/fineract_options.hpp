// What the Apache Fineract (Mifos X) adapter of the upstream sync needs to know about the
// MFI's Fineract, beyond the URL and credentials every adapter has.
//
// Purpose: plain options, filled from the upstream.fineract_* settings by the daemon; the
//   sync service and the pure mapping take them. See gateway/fineract_sync.hpp for what the
//   adapter does with them.
// Threading: value type.
// Errors: none; the config loader bounds every value.
// Ownership: values.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace mfigw::gateway {

// Which sync protocol upstream speaks.
enum class UpstreamAdapter : std::uint8_t {
  Mfigw,     // docs/upstream-protocol.md
  Fineract,  // Apache Fineract / Mifos X REST (gateway/fineract_sync.hpp)
};
[[nodiscard]] std::string_view toString(UpstreamAdapter adapter) noexcept;
[[nodiscard]] std::optional<UpstreamAdapter> upstreamAdapterFromString(
    std::string_view text) noexcept;

// What a credit request from a phone becomes in Fineract.
enum class FineractCreditRequest : std::uint8_t {
  Off,              // not pushed: kept as rejected, with the reason, for the operator
  LoanApplication,  // POST /v1/loans, submitted (pending approval) for a loan officer
};
[[nodiscard]] std::string_view toString(FineractCreditRequest mode) noexcept;
[[nodiscard]] std::optional<FineractCreditRequest> fineractCreditRequestFromString(
    std::string_view text) noexcept;

struct FineractOptions {
  std::string tenant = "default";  // Fineract-Platform-TenantId
  FineractCreditRequest creditRequest = FineractCreditRequest::Off;
  std::uint32_t loanProductId = 0;       // loan applications; 0: none configured
  std::uint32_t rescheduleReasonId = 0;  // code value of LoanRescheduleReason; 0: none
  std::string defaultRegion = "KE";      // for mobileNo written without +country
  std::string locale = "en";             // sent with every date in a write
};

}  // namespace mfigw::gateway
