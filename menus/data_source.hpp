// menus/data_source.hpp: what the engine may ask the gateway while stepping a dialog.
//
// Purpose:   The engine is pure: everything it knows about the caller comes through this
//            read-only interface, which the gateway implements over the loan book and the
//            payment-point index: variable values (client_name, balance, next_due,
//            eligibility flags, bounds), the payment points nearest a place, and the
//            real phone-number check (libphonenumber lives in the gateway).
// Threading: Called only from the thread running the step; implementations must not
//            block long (the whole step has an app deadline of a few seconds).
// Errors:    Unknown values are nullopt; the engine shows them as empty or "-".
// Ownership: The engine borrows the source for one call.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mfigw::menus {

struct PaymentPoint {
  std::string name;
  uint32_t distanceMeters = 0;
  std::string hours;     // "Mon-Sat 8-18"
  std::string landmark;  // "opp. the market"
};

class DataSource {
 public:
  virtual ~DataSource() = default;

  // The raw value of a variable the tree declares and does not write itself: text as is,
  // numbers and money as decimal integers (money in minor units), dates as YYYY-MM-DD,
  // distances in metres, flags as "1"/"0".
  [[nodiscard]] virtual std::optional<std::string> value(std::string_view name) const = 0;

  // At most `limit` payment points nearest `place` (an area code, a branch id: whatever
  // the tree's locator stores), nearest first.
  [[nodiscard]] virtual std::vector<PaymentPoint> paymentPointsNear(std::string_view place,
                                                                    std::size_t limit) const = 0;

  // The phone validator's hook: digits already passed the tree's length bounds; the
  // gateway checks them as a real number of its country (libphonenumber).
  [[nodiscard]] virtual bool phoneAcceptable(std::string_view digits) const {
    return !digits.empty();
  }
};

}  // namespace mfigw::menus
