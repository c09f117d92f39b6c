#include "gateway/fineract_options.hpp"

namespace mfigw::gateway {

std::string_view toString(UpstreamAdapter adapter) noexcept {
  switch (adapter) {
    case UpstreamAdapter::Mfigw:
      return "mfigw";
    case UpstreamAdapter::Fineract:
      return "fineract";
  }
  return "unknown";
}

std::optional<UpstreamAdapter> upstreamAdapterFromString(std::string_view text) noexcept {
  if (text == "mfigw") return UpstreamAdapter::Mfigw;
  if (text == "fineract") return UpstreamAdapter::Fineract;
  return std::nullopt;
}

std::string_view toString(FineractCreditRequest mode) noexcept {
  switch (mode) {
    case FineractCreditRequest::Off:
      return "off";
    case FineractCreditRequest::LoanApplication:
      return "loan_application";
  }
  return "unknown";
}

std::optional<FineractCreditRequest> fineractCreditRequestFromString(
    std::string_view text) noexcept {
  if (text == "off") return FineractCreditRequest::Off;
  if (text == "loan_application") return FineractCreditRequest::LoanApplication;
  return std::nullopt;
}

}  // namespace mfigw::gateway
