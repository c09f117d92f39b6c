// store/cell_tower.hpp: where a mobile network's cell is, for "points near me".
//
// Purpose:   When a USSD request names the caller's serving cell, the locator can measure
//            from that cell instead of asking for an area code (reference/upstream.md
//            section 6: an offline table in the OpenCellID / Mozilla Ichnaea CSV layout).
//            One record per cell, keyed by (mcc, net, area, cell) as OpenCellID writes them:
//            mobile country code, network code (MNC), area (LAC for GSM/UMTS, TAC for
//            LTE/NR) and cell id (CID, UTRAN cell id, ECI or NCI). The record keeps the
//            radio, the estimated position in microdegrees and the estimated range.
//            Layout: `cell_towers` keyed u16 mcc, u16 net, u32 area, u64 cell (big-endian,
//            so one network's cells are one key range) -> v1 (u8 radio, u32 lat, u32 lon
//            (two's complement), u32 range metres). About 40 bytes a cell before LMDB's
//            overhead: a country's ~100k cells fit in a few MB.
// Threading: Table rules (see table.hpp).
// Errors:    CellTowerCodec::encodeValue throws InvalidRecord when a field is out of bounds
//            (see cellTowerProblems()); DecodeError for an undecodable record.
// Ownership: Plain values.
#pragma once

#include "store/record_check.hpp"
#include "store/table.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mfigw::store {

// OpenCellID's bounds: MCC and MNC are 3 digits; an LTE TAC or NR TAC fits 24 bits; an NR
// cell id (NCI) is 36 bits.
inline constexpr uint16_t kMaxMcc = 999;
inline constexpr uint16_t kMaxMnc = 999;
inline constexpr uint32_t kMaxCellArea = 0xFF'FFFF;
inline constexpr uint64_t kMaxCellId = (uint64_t{1} << 36) - 1;

enum class CellRadio : uint8_t { Gsm = 1, Umts = 2, Cdma = 3, Lte = 4, Nr = 5 };
std::string_view toString(CellRadio radio) noexcept;
// "GSM", "UMTS", "CDMA", "LTE", "NR" (OpenCellID's spelling, case-insensitive).
std::optional<CellRadio> cellRadioFromString(std::string_view text) noexcept;

struct CellId {
  uint16_t mcc = 0;
  uint16_t net = 0;
  uint32_t area = 0;
  uint64_t cell = 0;

  bool operator==(const CellId&) const = default;
};

struct CellTower {
  CellId id;
  CellRadio radio = CellRadio::Gsm;
  int32_t latitudeE6 = 0;
  int32_t longitudeE6 = 0;
  uint32_t rangeMeters = 0;  // OpenCellID's estimate of the cell's reach; 0: unknown

  bool operator==(const CellTower&) const = default;
};

std::vector<FieldProblem> cellTowerProblems(const CellTower& tower);

struct CellTowerCodec {
  static constexpr uint8_t kVersion = 1;
  static std::string encodeKey(const CellId& id);
  static std::string encodeValue(const CellTower& tower);  // checks bounds first
  // The id is in the key, not the value: Table::get's caller knows it; a scan decodes it
  // from the key (decodeKey).
  static CellTower decodeValue(std::string_view bytes);
  static CellId decodeKey(std::string_view key);
};

using CellTowerTable = Table<CellId, CellTower, CellTowerCodec>;

}  // namespace mfigw::store
