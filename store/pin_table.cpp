#include "store/pin_table.hpp"

#include "store/encoding.hpp"
#include "store/record_check.hpp"

#include <sodium.h>

#include <mutex>
#include <stdexcept>
#include <string>

namespace mfigw::store {
namespace {

void ensureSodium() {
  static std::once_flag once;
  std::call_once(once, [] {
    if (sodium_init() < 0) throw std::runtime_error("libsodium failed to initialise");
  });
}

void checkMsisdn(std::string_view msisdn) {
  FieldChecks check;
  check.msisdn("msisdn", msisdn, false);
  throwIfInvalid("pin", "-", check.take());  // the number is not quoted (PII)
}

}  // namespace

std::string hashPin(std::string_view pin) {
  ensureSodium();
  char out[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str_alg(out, pin.data(), pin.size(), kPinOpsLimit, kPinMemLimit,
                            crypto_pwhash_ALG_ARGON2ID13) != 0) {
    throw std::runtime_error("argon2id: out of memory while hashing a PIN");
  }
  return std::string(out);
}

bool verifyPin(std::string_view hash, std::string_view pin) {
  ensureSodium();
  if (hash.empty() || hash.size() >= crypto_pwhash_STRBYTES) return false;
  char stored[crypto_pwhash_STRBYTES] = {};
  hash.copy(stored, hash.size());  // crypto_pwhash_str_verify wants a NUL-terminated string
  return crypto_pwhash_str_verify(stored, pin.data(), pin.size()) == 0;
}

std::string PinRecordCodec::encodeKey(const std::string& msisdn) {
  return Key().raw(msisdn).take();
}

// v1: version u8, hash str, failures varint, locked-until i64, updated-at i64.
std::string PinRecordCodec::encodeValue(const PinRecord& record) {
  return Encoder(32 + record.hash.size())
      .version(kVersion)
      .str(record.hash)
      .varint(record.failures)
      .i64(record.lockedUntilMs)
      .i64(record.updatedAtMs)
      .take();
}

PinRecord PinRecordCodec::decodeValue(std::string_view bytes) {
  Decoder in(bytes);
  in.version(kVersion);
  PinRecord record;
  record.hash = in.str();
  const uint64_t failures = in.varint();
  if (failures > UINT32_MAX) throw DecodeError("pin record: failure count out of range");
  record.failures = static_cast<uint32_t>(failures);
  record.lockedUntilMs = in.i64();
  record.updatedAtMs = in.i64();
  in.expectEnd();
  return record;
}

PinTable PinTable::open(WriteTxn& txn) {
  PinTable pins;
  pins.table_ = decltype(pins.table_)::open(txn, kTableName);
  return pins;
}

std::optional<PinRecord> PinTable::get(const Txn& txn, std::string_view msisdn) const {
  return table_.get(txn, std::string(msisdn));
}

void PinTable::set(WriteTxn& txn, std::string_view msisdn, std::string hash, int64_t nowMs) const {
  checkMsisdn(msisdn);
  if (hash.empty()) throw std::invalid_argument("pin: an empty hash cannot be stored");
  PinRecord record;
  record.hash = std::move(hash);
  record.updatedAtMs = nowMs;
  table_.put(txn, std::string(msisdn), record);
}

PinFailure PinTable::recordFailure(WriteTxn& txn, std::string_view msisdn, int64_t nowMs,
                                   uint32_t maxTries, int64_t lockoutMs) const {
  const std::string key(msisdn);
  std::optional<PinRecord> record = table_.get(txn, key);
  if (!record) return {};
  PinFailure result;
  record->failures += 1;
  if (record->failures >= maxTries) {
    record->lockedUntilMs = nowMs + lockoutMs;
    record->failures = 0;  // after the lock, the next round of tries starts afresh
    result.locked = true;
  }
  result.failures = record->failures;
  table_.put(txn, key, *record);
  return result;
}

void PinTable::recordSuccess(WriteTxn& txn, std::string_view msisdn, int64_t /*nowMs*/) const {
  const std::string key(msisdn);
  std::optional<PinRecord> record = table_.get(txn, key);
  if (!record || (record->failures == 0 && record->lockedUntilMs == 0)) return;
  record->failures = 0;
  record->lockedUntilMs = 0;
  table_.put(txn, key, *record);
}

bool PinTable::erase(WriteTxn& txn, std::string_view msisdn) const {
  return table_.erase(txn, std::string(msisdn));
}

}  // namespace mfigw::store
