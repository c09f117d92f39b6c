// Fuzz target: bytes -> Framer (in chunks chosen by the input) -> decode every frame; a
// decoded PDU must re-encode and decode to the same value.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "smpp/codec.hpp"
#include "smpp/framer.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace mfigw::smpp;
  const std::string_view all(reinterpret_cast<const char*>(data), size);
  if (all.empty()) return 0;
  // The first octet picks the chunk size, so one input also tests the framer's chunking.
  const std::size_t chunk = static_cast<unsigned char>(all[0]) % 64 + 1;
  const std::string_view bytes = all.substr(1);
  Framer framer(4096);
  for (std::size_t pos = 0; pos < bytes.size(); pos += chunk) {
    auto out = framer.feed(bytes.substr(pos, chunk));
    for (const auto& frame : out.pdus) {
      const auto first = decode(frame);
      if (!first.ok()) continue;
      const auto second = decode(encode(first.pdu()));
      if (!second.ok() || !(second.pdu() == first.pdu())) std::abort();
    }
    if (out.error) break;
  }
  return 0;
}
