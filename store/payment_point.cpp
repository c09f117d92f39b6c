#include "store/payment_point.hpp"

#include "store/area.hpp"
#include "store/encoding.hpp"
#include "store/error.hpp"

#include <array>
#include <utility>

namespace mfigw::store {
namespace {

constexpr std::array<std::pair<PaymentPointKind, std::string_view>, 4> kKindNames = {{
    {PaymentPointKind::Agent, "agent"},
    {PaymentPointKind::Branch, "branch"},
    {PaymentPointKind::MobileMoney, "mobile_money"},
    {PaymentPointKind::Bank, "bank"},
}};

}  // namespace

std::string_view toString(PaymentPointKind kind) noexcept {
  for (const auto& [value, name] : kKindNames) {
    if (value == kind) {
      return name;
    }
  }
  return "unknown";
}

std::optional<PaymentPointKind> paymentPointKindFromString(std::string_view text) noexcept {
  for (const auto& [value, name] : kKindNames) {
    if (name == text) {
      return value;
    }
  }
  return std::nullopt;
}

std::vector<FieldProblem> paymentPointProblems(const PaymentPoint& point) {
  FieldChecks check;
  check.id("id", point.id, kMaxIdBytes);
  check.text("name", point.name, 1, kMaxPointNameBytes);
  if (toString(point.kind) == "unknown") {
    check.fail("kind", "has unknown value " + std::to_string(static_cast<unsigned>(point.kind)));
  }
  check.range("lat", point.latitudeE6, -90 * kMicrodegrees, 90 * kMicrodegrees);
  check.range("lon", point.longitudeE6, -180 * kMicrodegrees, 180 * kMicrodegrees);
  check.text("landmark", point.landmark, 0, kMaxLandmarkBytes);
  check.text("hours", point.openingHours, 0, kMaxOpeningHoursBytes);
  check.range("area", point.areaCode, 0, kMaxAreaCode);
  check.text("services", point.services, 0, kMaxServicesBytes);
  return check.take();
}

// v1: version u8, id str, name str, kind u8, lat u32 (two's complement), lon u32,
//     branch u16, landmark str, hours str, ver u64.
// v2: v1's fields, then area code u32 and services str.
std::string PaymentPointCodec::encodeValue(const PaymentPoint& point) {
  throwIfInvalid("payment point", point.id, paymentPointProblems(point));
  return Encoder(48 + point.id.size() + point.name.size() + point.landmark.size() +
                 point.openingHours.size() + point.services.size())
      .version(kVersion)
      .str(point.id)
      .str(point.name)
      .u8(static_cast<uint8_t>(point.kind))
      .u32(static_cast<uint32_t>(point.latitudeE6))
      .u32(static_cast<uint32_t>(point.longitudeE6))
      .u16(point.branch)
      .str(point.landmark)
      .str(point.openingHours)
      .u64(point.ver)
      .u32(point.areaCode)
      .str(point.services)
      .take();
}

PaymentPoint PaymentPointCodec::decodeValue(std::string_view bytes) {
  Decoder in(bytes);
  const uint8_t version = in.version(kVersion);
  PaymentPoint point;
  point.id = in.str();
  point.name = in.str();
  const uint8_t kind = in.u8();
  if (kind < 1 || kind > 4) {
    throw DecodeError("payment point record: unknown kind " + std::to_string(kind));
  }
  point.kind = static_cast<PaymentPointKind>(kind);
  point.latitudeE6 = static_cast<int32_t>(in.u32());
  point.longitudeE6 = static_cast<int32_t>(in.u32());
  point.branch = in.u16();
  point.landmark = in.str();
  point.openingHours = in.str();
  point.ver = in.u64();
  if (version >= 2) {
    point.areaCode = in.u32();
    point.services = in.str();
  }
  in.expectEnd();
  return point;
}

}  // namespace mfigw::store
