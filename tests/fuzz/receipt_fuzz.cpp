// Fuzz target for delivery receipts: any bytes as a receipt short_message (and as TLV
// values) must parse to a receipt or nullopt, never crash; ids of parsed receipts must
// match themselves and survive the hex/decimal conversions.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "smpp/delivery_receipt.hpp"

namespace {

using namespace mfigw::smpp;

void check(bool condition) {
  if (!condition) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const auto receipt = parseReceiptText(text);
  if (receipt) {
    check(!receipt->messageId.empty());
    check(messageIdsMatch(receipt->messageId, receipt->messageId, IdFormat::AsIs));
    const std::string decimal = normalizeMessageId(receipt->messageId, IdFormat::HexToDecimal);
    if (decimal != receipt->messageId) {
      // It was a hex number that fits 64 bits: converting back gives the canonical id.
      check(normalizeMessageId(decimal, IdFormat::DecimalToHex) ==
            canonicalMessageId(receipt->messageId));
    }
    check(stateFromStat(statString(receipt->state)) == receipt->state);
  }

  ReceiptTlvs tlvs;
  if (size > 0) tlvs.messageState = data[0];
  if (size >= 4) tlvs.networkErrorCode = std::vector<uint8_t>(data + 1, data + 4);
  if (size > 4) tlvs.receiptedMessageId = std::string(text.substr(4, 20));
  const auto merged = parseReceipt(text, tlvs);
  check(merged.has_value() ==
        (receipt.has_value() || (tlvs.receiptedMessageId && !tlvs.receiptedMessageId->empty())));

  MessageDeliveryTracker tracker(size % 4 + 1);
  for (size_t i = 0; i < size && i < 64; ++i) {
    if (const auto state = stateFromCode(data[i] % 9)) tracker.record(data[i] % 5, *state);
  }
  (void)tracker.aggregate();
  return 0;
}
