// store/area.hpp: an area a borrower names by its code, and where it is.
//
// Purpose:   The locator's "Enter an area code" (reference/upstream.md section 6: a short
//            numeric code printed on loan cards and branch posters) needs a position for
//            each code: one record per area code (the key) with its name, its centre
//            (centroid) in fixed-point microdegrees like the payment points, the branch
//            that serves it (0: none given) and the upstream modification stamp.
//            Area codes are numbers, not digit strings: "007" and "7" name one area, because
//            a spreadsheet that stores the column as numbers drops the leading zeros and the
//            borrower cannot know whether it did. 0 is no area (kNoArea), so codes run
//            1..kMaxAreaCode (8 digits, more than any poster needs).
//            Layout: `areas` keyed u32 big-endian (numeric order) -> v1 (u32 code, str name,
//            u32 lat, u32 lon (two's complement), u16 branch, u64 ver).
// Threading: Table rules (see table.hpp).
// Errors:    AreaCodec::encodeValue throws InvalidRecord when a field is out of bounds
//            (see areaProblems()); DecodeError for an undecodable record.
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

inline constexpr uint32_t kNoArea = 0;
inline constexpr uint32_t kMaxAreaCode = 99'999'999;
inline constexpr size_t kMaxAreaNameBytes = 30;

// The area code written in `text`: 1..8 ASCII digits (leading zeros allowed) whose value
// is 1..kMaxAreaCode; nullopt for anything else (empty, a sign, a space, 0, 9+ digits).
std::optional<uint32_t> parseAreaCode(std::string_view text) noexcept;

struct Area {
  uint32_t code = kNoArea;  // the key, 1..kMaxAreaCode
  std::string name;         // 1..30 bytes ("Kibera")
  int32_t latitudeE6 = 0;   // centre, microdegrees, -90e6..90e6
  int32_t longitudeE6 = 0;  // centre, microdegrees, -180e6..180e6
  uint16_t branch = 0;      // the branch serving the area; 0: not given
  uint64_t ver = 0;         // upstream (or import) modification stamp

  bool operator==(const Area&) const = default;
};

std::vector<FieldProblem> areaProblems(const Area& area);

struct AreaCodec {
  static constexpr uint8_t kVersion = 1;
  static std::string encodeKey(uint32_t code);
  static std::string encodeValue(const Area& area);  // checks bounds first
  static Area decodeValue(std::string_view bytes);
};

using AreaTable = Table<uint32_t, Area, AreaCodec>;

}  // namespace mfigw::store
