// menus/data_source.hpp: what the engine may ask the gateway while stepping a dialog.
//
// Purpose:   The engine is pure: everything it knows about the caller comes through this
//            read-only interface, which the gateway implements over the loan book and the
//            payment-point index: variable values (client_name, balance, next_due,
//            eligibility flags, bounds), the payment points nearest a place, and the
//            real phone-number check (libphonenumber lives in the gateway), and the
//            caller's PIN: whether one is set or locked, and whether a typed PIN is right.
//            The engine never writes: what a PIN try did comes back as effects
//            (PinAttempt, PinSet) that the gateway commits.
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

// What the gateway knows about the caller's PIN.
enum class PinOutcome : uint8_t {
  Ok,      // pinState: set and usable; checkPin: the PIN is right
  Wrong,   // checkPin only: wrong; triesLeft before the lock (0: this try locked it)
  Locked,  // too many wrong tries in a row; no try is made
  NotSet,  // the caller has no PIN yet
};
std::string_view toString(PinOutcome outcome);

struct PinCheck {
  PinOutcome outcome = PinOutcome::NotSet;
  uint32_t triesLeft = 0;  // Wrong only

  friend bool operator==(const PinCheck&, const PinCheck&) = default;
};

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

  // Whether the caller has a PIN and can try it (Ok, Locked or NotSet; never Wrong). Asked
  // when a verifying PIN screen is entered, so a caller without a PIN goes to the tree's
  // PIN creation screen and a locked one is told at once. Must be cheap (no hashing).
  [[nodiscard]] virtual PinCheck pinState() const { return {}; }

  // Verifies a typed PIN (shape already checked). The gateway computes the answer before
  // the step (argon2 costs milliseconds); the engine only asks.
  [[nodiscard]] virtual PinCheck checkPin(std::string_view /*pin*/) const { return {}; }
};

}  // namespace mfigw::menus
