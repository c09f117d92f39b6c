// codec.hpp: SMPP 3.4 PDU bytes <-> our value types (smpp/pdu.hpp).
//
// Purpose:   encode() a Pdu to wire bytes; decode() one whole PDU (as cut by Framer) into a
//            Pdu, or into a DecodeError that says which generic_nack / response status to
//            answer with. Implemented in codec_libsmpp34.cpp, the only file that sees
//            libsmpp34; its header block says which parts are done by hand and why.
// Threading: libsmpp34 reports errors through process globals, so call encode()/decode()
//            from one thread (the SMPP strand) only.
// Errors:    malformed input is a DecodeError value, never an exception, and decode never
//            reads outside the given bytes. encode() throws EncodeError when a field breaks
//            an SMPP limit (a programming error of the caller, e.g. a 21-character address).
// Ownership: results own their bytes.
#pragma once

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <variant>

#include "smpp/command_status.hpp"
#include "smpp/pdu.hpp"

namespace mfigw::smpp {

struct EncodeError : std::invalid_argument {
  using std::invalid_argument::invalid_argument;
};

struct DecodeError {
  std::optional<std::uint32_t> commandId;        // raw, when the header was readable
  std::optional<std::uint32_t> sequenceNumber;   // when the header was readable
  CommandStatus status = CommandStatus::SysErr;  // what to answer with
  std::string reason;                            // for the log; contains no field values
  bool operator==(const DecodeError&) const = default;
};

class DecodeResult {
 public:
  DecodeResult(Pdu pdu) : value_(std::move(pdu)) {}              // NOLINT: implicit on purpose
  DecodeResult(DecodeError error) : value_(std::move(error)) {}  // NOLINT
  bool ok() const { return std::holds_alternative<Pdu>(value_); }
  explicit operator bool() const { return ok(); }
  const Pdu& pdu() const { return std::get<Pdu>(value_); }
  Pdu& pdu() { return std::get<Pdu>(value_); }
  const DecodeError& error() const { return std::get<DecodeError>(value_); }

 private:
  std::variant<Pdu, DecodeError> value_;
};

// Wire bytes of one PDU with command_length filled in. Throws EncodeError (see above).
std::string encode(const Pdu& pdu);

// Decodes exactly one PDU; `wholePdu` must be the full PDU, command_length included.
DecodeResult decode(std::string_view wholePdu);

// The generic_nack answering an undecodable PDU (sequence 0 when the header was unreadable).
GenericNack makeGenericNack(const DecodeError& error);

// For tests: encode() is the hand writer; libsmpp34's smpp34_pack is the reference it is
// checked against. encodeWithLibsmpp34 packs the mandatory part through libsmpp34 (nullopt
// where libsmpp34 cannot pack the PDU faithfully); both must give the same bytes.
namespace detail {
std::string encodeByHand(const Pdu& pdu);
std::optional<std::string> encodeWithLibsmpp34(const Pdu& pdu);
bool packableByLibsmpp34(const Pdu& pdu);
}  // namespace detail

}  // namespace mfigw::smpp
