// Phone numbers (MSISDNs) as E.164, through libphonenumber.
//
// Purpose: one normal form for every number the gateway stores or compares ("+254712345678"),
//   whatever the operator or the MFI's spreadsheet wrote ("0712 345 678", "254712345678").
// Threading: libphonenumber's PhoneNumberUtil is a thread-safe singleton.
// Errors: a number that cannot be parsed or is not valid for its region is a return value.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace mfigw::gateway {

struct MsisdnParse {
  std::optional<std::string> e164;  // set when the number is valid
  std::string error;                // why not, for the user or operator
};

// Parses input written as E.164 ("+254..."), international without '+' (SMPP addresses
// with TON international), or national ("0712...") in defaultRegion (ISO 3166-1 alpha-2).
[[nodiscard]] MsisdnParse normalizeMsisdn(std::string_view input, std::string_view defaultRegion);

// True when the region code is one libphonenumber knows ("KE", "SN", "PE", ...).
[[nodiscard]] bool isKnownRegion(std::string_view region);

}  // namespace mfigw::gateway
