// smpp/submit_builder.hpp: one text message to the submit_sm PDUs that carry it.
//
// Purpose:   The sender's one call from "text for this number" to wire-ready PDUs: picks the
//            cheapest encoding (text_encoding.hpp), splits as the SMSC wants (UDH, SAR or
//            message_payload; text_split.hpp), and fills addresses, data_coding, esm_class
//            and registered_delivery. Part i of n goes out as PDU i; receipts come per part.
// Threading: Pure; safe from any thread.
// Errors:    TextResult failures (invalid UTF-8, more than 255 parts, payload over 64 KiB).
// Ownership: Returns owned PDUs.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "smpp/pdu.hpp"
#include "smpp/text_encoding.hpp"
#include "smpp/text_split.hpp"

namespace mfigw::smpp {

struct SubmitTemplate {
  Address source;
  std::uint8_t destinationTon = 1;  // international
  std::uint8_t destinationNpi = 1;  // E.164
  std::string serviceType;
  bool registeredDelivery = true;  // ask for a final receipt
  EncodingOptions encoding;
  SplitMode split = SplitMode::Udh8;
};

struct BuiltSubmits {
  TextEncoding encoding = TextEncoding::Gsm7;
  bool transliterated = false;
  std::vector<SubmitSm> parts;
};

// `reference` tells the parts of one message apart on the phone (UDH/SAR reference); use
// something that changes per message, e.g. its outbox id.
TextResult<BuiltSubmits> buildSubmits(const SubmitTemplate& base, std::string_view destination,
                                      std::string_view utf8, std::uint16_t reference);

}  // namespace mfigw::smpp
