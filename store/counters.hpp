// store/counters.hpp: named persistent u64 counters (sequence numbers, generations).
//
// Purpose:   One small table, "counters", for numbers that must survive restarts and
//            never go back: the next upstream-event seq, the payment points' generation
//            (bumped on every change so an in-memory index knows when to rebuild). A
//            counter bumped inside a WriteTxn moves only if that txn commits.
// Threading: Table rules (see table.hpp).
// Errors:    DecodeError for an undecodable record; StoreError / MapFull from LMDB.
// Ownership: Plain handles; the Env must outlive them.
#pragma once

#include "store/table.hpp"

#include <cstdint>
#include <string>
#include <string_view>

namespace mfigw::store {

inline constexpr const char* kCountersTable = "counters";

struct CounterCodec {
  static constexpr uint8_t kVersion = 1;
  static std::string encodeKey(const std::string& name) { return name; }
  static std::string encodeValue(const uint64_t& value);
  static uint64_t decodeValue(std::string_view bytes);
};

using CounterTable = Table<std::string, uint64_t, CounterCodec>;

// The counter's value; 0 when it was never bumped.
uint64_t readCounter(const Txn& txn, const CounterTable& table, const std::string& name);
// Adds 1 and returns the new value (1 the first time).
uint64_t bumpCounter(WriteTxn& txn, const CounterTable& table, const std::string& name);

}  // namespace mfigw::store
