// store/optouts.hpp: borrowers who said STOP (or were opted out by the MFI).
//
// Purpose:   One record per MSISDN (E.164, the key). The SMS sender checks this table
//            before every submit, so a STOP takes effect locally at once.
// Threading: Table rules (see table.hpp).
// Errors:    DecodeError for an undecodable record.
// Ownership: Plain values.
#pragma once

#include "store/table.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace mfigw::store {

enum class OptOutSource : uint8_t {
  Sms = 1,       // the borrower sent STOP
  Operator = 2,  // added by the MFI's operator (mfi-gatewayctl, admin API)
  Upstream = 3,  // arrived from the loan system
};
std::string_view toString(OptOutSource source) noexcept;
std::optional<OptOutSource> optOutSourceFromString(std::string_view text) noexcept;

struct OptOut {
  std::string msisdn;  // E.164
  int64_t atUnixSeconds = 0;
  OptOutSource source = OptOutSource::Operator;

  bool operator==(const OptOut&) const = default;
};

struct OptOutCodec {
  static constexpr uint8_t kVersion = 1;
  static std::string encodeKey(const std::string& msisdn);
  static std::string encodeValue(const OptOut& record);
  static OptOut decodeValue(std::string_view bytes);
};

using OptOutTable = Table<std::string, OptOut, OptOutCodec>;

}  // namespace mfigw::store
