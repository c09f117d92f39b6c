#include "store/counters.hpp"

#include "store/encoding.hpp"
#include "store/error.hpp"

#include <limits>

namespace mfigw::store {

// v1: version u8, value u64.
std::string CounterCodec::encodeValue(const uint64_t& value) {
  return Encoder(9).version(kVersion).u64(value).take();
}

uint64_t CounterCodec::decodeValue(std::string_view bytes) {
  Decoder in(bytes);
  in.version(kVersion);
  const uint64_t value = in.u64();
  in.expectEnd();
  return value;
}

uint64_t readCounter(const Txn& txn, const CounterTable& table, const std::string& name) {
  return table.get(txn, name).value_or(0);
}

uint64_t bumpCounter(WriteTxn& txn, const CounterTable& table, const std::string& name) {
  const uint64_t current = readCounter(txn, table, name);
  if (current == std::numeric_limits<uint64_t>::max()) {
    // 2^64 bumps never happen in practice; wrapping would break "never goes back".
    throw StoreError(0, "counter '" + name + "' is exhausted");
  }
  table.put(txn, name, current + 1);
  return current + 1;
}

}  // namespace mfigw::store
