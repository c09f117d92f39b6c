#include "gateway/cell_global_id.hpp"

#include <cstdint>

namespace mfigw::gateway {

std::optional<store::CellId> decodeCellGlobalId(std::string_view octets) {
  if (octets.size() != 7) return std::nullopt;
  const auto octet = [&](std::size_t i) { return static_cast<std::uint8_t>(octets[i]); };
  const auto low = [&](std::size_t i) { return octet(i) & 0x0f; };
  const auto high = [&](std::size_t i) { return octet(i) >> 4; };
  const unsigned mcc1 = low(0), mcc2 = high(0), mcc3 = low(1), mnc3 = high(1);
  const unsigned mnc1 = low(2), mnc2 = high(2);
  if (mcc1 > 9 || mcc2 > 9 || mcc3 > 9 || mnc1 > 9 || mnc2 > 9 || (mnc3 > 9 && mnc3 != 0xf))
    return std::nullopt;
  store::CellId id;
  id.mcc = static_cast<std::uint16_t>(mcc1 * 100 + mcc2 * 10 + mcc3);
  if (id.mcc == 0) return std::nullopt;
  // OpenCellID keeps the MNC as a number, so "02" and "2" are the same network there too.
  id.net =
      static_cast<std::uint16_t>(mnc3 == 0xf ? mnc1 * 10 + mnc2 : mnc1 * 100 + mnc2 * 10 + mnc3);
  id.area = static_cast<std::uint32_t>(octet(3) << 8 | octet(4));
  id.cell = static_cast<std::uint64_t>(octet(5) << 8 | octet(6));
  return id;
}

}  // namespace mfigw::gateway
