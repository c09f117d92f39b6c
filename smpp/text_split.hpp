// smpp/text_split.hpp: SMS lengths and splitting into concatenated parts (3GPP TS 23.040).
//
// Purpose:   How many parts a text costs, and the parts themselves with their
//            concatenation data, for the submit path to put into PDUs. Limits (TS 23.040
//            §9.2.3.24.1 / .8): one part carries 140 octets = 160 septets / 140 Latin-1
//            octets / 70 UCS-2 units; the 8-bit-reference UDH (6 octets) leaves
//            153 / 134 / 67, the 16-bit one (7 octets) 152 / 133 / 66. A part never ends
//            inside a GSM escape pair or a UTF-16 surrogate pair.
// Threading: Pure functions; safe from any thread.
// Errors:    Values (TextResult): InvalidUtf8, NotRepresentable (text not in the encoding),
//            TooManyParts (> 255), TooLong (message_payload > 65535 octets).
// Ownership: Parts own their bytes.
#pragma once

#include "smpp/text_encoding.hpp"
#include "smpp/text_utf8.hpp"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

namespace mfigw::smpp {

inline constexpr size_t kSingleGsm7Septets = 160;
inline constexpr size_t kSingleOctets = 140;
inline constexpr size_t kSingleUcs2Units = 70;
inline constexpr size_t kUdh8Gsm7Septets = 153;
inline constexpr size_t kUdh8Octets = 134;
inline constexpr size_t kUdh8Ucs2Units = 67;
inline constexpr size_t kUdh16Gsm7Septets = 152;
inline constexpr size_t kUdh16Octets = 133;
inline constexpr size_t kUdh16Ucs2Units = 66;
inline constexpr size_t kMaxParts = 255;             // the part count is one octet
inline constexpr size_t kMaxMessagePayload = 65535;  // message_payload TLV length is u16
// USSD: one screen is 160 octets = 182 packed GSM-7 characters, or 80 UCS-2 units.
inline constexpr size_t kUssdGsm7Chars = 182;
inline constexpr size_t kUssdUcs2Units = 80;

enum class SplitMode {
  Udh8,     // UDH IEI 0x00, 8-bit reference (6 octets)
  Udh16,    // UDH IEI 0x08, 16-bit reference (7 octets)
  Sar,      // sar_* TLVs; parts sized as Udh16 because the SMSC turns them into a UDH and
            // may pick the 16-bit form for a 16-bit sar_msg_ref_num
  Payload,  // one message_payload TLV, never split
};
std::string_view toString(SplitMode mode);

struct SplitOptions {
  SplitMode mode = SplitMode::Udh8;
  uint16_t reference = 0;  // Udh8 uses the low octet
};

struct SarValues {
  uint16_t msgRefNum = 0;
  uint8_t totalSegments = 0;
  uint8_t segmentSeqnum = 0;  // 1-based
};

struct MessagePart {
  std::vector<uint8_t> udh;      // UDHL included; empty for a single part, Sar, Payload
  std::optional<SarValues> sar;  // set in Sar mode when there is more than one part
  std::vector<uint8_t> payload;  // encoded text: unpacked septets / Latin-1 / UCS-2 BE
};

// Units (septets, octets or UTF-16 units) the text needs in the encoding.
TextResult<size_t> encodedLength(std::string_view utf8, TextEncoding encoding);

// Parts the text costs in the encoding (1 for an empty text). Payload mode: always 1.
TextResult<size_t> segmentCount(std::string_view utf8, TextEncoding encoding,
                                SplitMode mode = SplitMode::Udh8);

TextResult<std::vector<MessagePart>> split(std::string_view utf8, TextEncoding encoding,
                                           const SplitOptions& options);

// True if the text fits one USSD page: <= 182 septets when it is GSM-7, else <= 80 UCS-2
// units. Invalid UTF-8 does not fit.
bool fitsUssdPage(std::string_view utf8);

}  // namespace mfigw::smpp
