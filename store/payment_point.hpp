// store/payment_point.hpp: a place where a borrower can pay (agent, branch, ...).
//
// Purpose:   One record per point id (the key), as in reference/upstream.md section 6:
//            kind, name, landmark and opening hours (shown three to a USSD screen),
//            position as fixed-point microdegrees (no floating point in the store),
//            branch, area code (area.hpp; 0: none) and the services offered there ("repay;
//            cash-out;register": free text the gateway shows or sends, bounded). The locator
//            (payment_point_index.hpp) builds its in-memory index from this table. Record versions:
//            v1 (before area code and services) is still read, with area code 0 and no services;
//            every write is v2, so no migration step rewrites old records: they become v2 when next
//            written.
// Threading: Table rules (see table.hpp).
// Errors:    PaymentPointCodec::encodeValue throws InvalidRecord when a field is out of
//            bounds (see paymentPointProblems()); DecodeError for an undecodable record.
// Ownership: Plain values.
#pragma once

#include "store/record_check.hpp"
#include "store/table.hpp"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mfigw::store {

// The reference asks for names of at most 20 characters and landmarks of 30; bounds are
// in bytes, with room for a few multi-byte letters.
inline constexpr size_t kMaxPointNameBytes = 30;
inline constexpr size_t kMaxLandmarkBytes = 40;
inline constexpr size_t kMaxOpeningHoursBytes = 40;
inline constexpr size_t kMaxServicesBytes = 40;
inline constexpr int32_t kMicrodegrees = 1'000'000;

enum class PaymentPointKind : uint8_t {
  Agent = 1,
  Branch = 2,
  MobileMoney = 3,
  Bank = 4,
};
std::string_view toString(PaymentPointKind kind) noexcept;
std::optional<PaymentPointKind> paymentPointKindFromString(std::string_view text) noexcept;

struct PaymentPoint {
  std::string id;    // 1..36 bytes, the key
  std::string name;  // 1..30 bytes
  PaymentPointKind kind = PaymentPointKind::Agent;
  int32_t latitudeE6 = 0;   // microdegrees, -90e6..90e6 (north positive)
  int32_t longitudeE6 = 0;  // microdegrees, -180e6..180e6 (east positive)
  uint16_t branch = 0;
  std::string landmark;      // 0..40 bytes ("opposite the market")
  std::string openingHours;  // 0..40 bytes, free text ("Mon-Sat 8-18")
  uint64_t ver = 0;          // upstream modification stamp
  uint32_t areaCode = 0;     // the area the point is in (area.hpp), 0: not given
  // Initialised so an aggregate listing only the v1 fields (id .. ver) still compiles
  // under -Wextra's missing-field-initializers.
  std::string services{};  // 0..40 bytes, e.g. "repay;cash-out;register"

  bool operator==(const PaymentPoint&) const = default;
};

std::vector<FieldProblem> paymentPointProblems(const PaymentPoint& point);

struct PaymentPointCodec {
  static constexpr uint8_t kVersion = 2;
  static std::string encodeKey(const std::string& id) { return id; }
  static std::string encodeValue(const PaymentPoint& point);  // checks bounds first
  static PaymentPoint decodeValue(std::string_view bytes);    // v1 or v2
};

using PaymentPointTable = Table<std::string, PaymentPoint, PaymentPointCodec>;

}  // namespace mfigw::store
