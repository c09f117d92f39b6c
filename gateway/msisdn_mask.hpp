// Masking of phone numbers (MSISDNs) for log lines.
//
// Borrowers' numbers are personal data; logs leave the box (journald forwarding, support
// tickets), so by default every MSISDN in a log line goes through maskMsisdn(). Masking
// keeps the country code and the last two digits, enough to tell two dialogs apart.
#pragma once

#include <string>
#include <string_view>

namespace mfigw::gateway {

// "+254712345678" -> "+254*******78"; short or odd inputs keep at most two trailing digits.
[[nodiscard]] std::string maskMsisdn(std::string_view msisdn);

// The log helper: masks unless the operator turned masking off (log.mask_msisdn: false).
class MsisdnMasker {
 public:
  explicit MsisdnMasker(bool enabled) : enabled_(enabled) {}
  [[nodiscard]] std::string operator()(std::string_view msisdn) const {
    return enabled_ ? maskMsisdn(msisdn) : std::string(msisdn);
  }

 private:
  bool enabled_;
};

}  // namespace mfigw::gateway
