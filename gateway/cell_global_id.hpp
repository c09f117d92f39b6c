// The caller's serving cell as some USSD centres pass it: a cell global identity.
//
// Purpose:   Decodes the 7-octet fixed-length CGI of 3GPP TS 29.002
//            (CellGlobalIdOrServiceAreaIdFixedLength, laid out as in TS 24.008 10.5.1.3):
//            MCC and MNC in TBCD over 3 octets (digit 3 of a 2-digit MNC is the filler 0xF),
//            then LAC and CI as 16-bit big-endian numbers. The result keys the cell-tower
//            table imported from OpenCellID (mcc, net, area, cell).
// Threading: Pure.
// Errors:    nullopt for a value of another length, a non-decimal digit or an MCC of 000.
// Ownership: Values.
#pragma once

#include <optional>
#include <string_view>

#include "store/cell_tower.hpp"

namespace mfigw::gateway {

[[nodiscard]] std::optional<store::CellId> decodeCellGlobalId(std::string_view octets);

}  // namespace mfigw::gateway
