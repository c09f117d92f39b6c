// store/pin_table.hpp: the borrowers' USSD PINs (issue 5, item 6): hashes, failures, lockout.
//
// Purpose:   One record per client, keyed by the MSISDN in the loan book's form (E.164 digits
//            without '+', as LoanBook::clientByMsisdn takes it): the PIN's argon2id hash
//            string (libsodium crypto_pwhash_str, which embeds its salt and parameters),
//            the wrong tries in a row, until when the PIN is locked, and when it last changed.
//            hashPin()/verifyPin() do the slow part and touch no table, so the gateway runs
//            them on a worker thread; the table calls are quick and run in the caller's txn,
//            the same durable txn that commits the dialog's other effects.
//            Layout: `pins` keyed (raw MSISDN digits) -> v1 (str hash, varint failures,
//            i64 lockedUntilMs, i64 updatedAtMs).
//
//            Argon2id parameters: opslimit 2, memlimit 8 MiB (kPinOpsLimit, kPinMemLimit).
//            WHY: a PIN has 4 to 6 digits, at most 10^6 values, so no hash parameters make
//            an offline guess expensive for someone who copies the file: at any cost per
//            hash the whole space is hours on one core. What protects a PIN is the lockout
//            (pinMaxTries wrong tries in a row lock it for pinLockout, kept here so a restart
//            does not reset it). The hash is there so the file never holds PINs in clear and
//            so a copied file costs real work per client. The parameters are therefore sized
//            for the box, not for the attacker: libsodium's "interactive" preset (2, 64 MiB)
//            needs 64 MiB per concurrent hash, too much for a small gateway (1 GB, shared with
//            LMDB's page cache); 8 MiB keeps the memory-hardness and measured 28 to 42 ms per hash
//            (or verify) on the 2-core build box while it was busy compiling
//            (tests/store/pin_table_test.cpp prints it): fine for one USSD step, too slow
//            for the event loop, so the gateway runs it on a worker.
//            The parameters are stored inside each hash string, so changing them later only
//            affects new PINs; old hashes still verify.
// Threading: hashPin/verifyPin are thread-safe (sodium_init runs once, guarded by
//            std::call_once). PinTable is an immutable handle after open(); each call runs
//            in the txn it is given.
// Errors:    hashPin throws std::runtime_error when libsodium cannot allocate memory (the
//            only way it fails). Table calls: InvalidRecord for a bad MSISDN, StoreError /
//            MapFull from LMDB, DecodeError for a corrupt record. The PIN itself never
//            appears in any message.
// Ownership: Holds a table handle only; the Env must outlive it.
#pragma once

#include "store/table.hpp"
#include "store/txn.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace mfigw::store {

inline constexpr unsigned long long kPinOpsLimit = 2;
inline constexpr std::size_t kPinMemLimit = 8u << 20;

// An argon2id hash string of `pin` (random salt; parameters above).
std::string hashPin(std::string_view pin);
// True when `pin` matches `hash` (a string hashPin made, with whatever parameters it holds).
bool verifyPin(std::string_view hash, std::string_view pin);

struct PinRecord {
  std::string hash;  // crypto_pwhash_str output; empty never stored
  uint32_t failures = 0;
  int64_t lockedUntilMs = 0;  // ms since the epoch; 0 or past: not locked
  int64_t updatedAtMs = 0;

  [[nodiscard]] bool lockedAt(int64_t nowMs) const { return lockedUntilMs > nowMs; }
  bool operator==(const PinRecord&) const = default;
};

struct PinRecordCodec {
  static constexpr uint8_t kVersion = 1;
  static std::string encodeKey(const std::string& msisdn);
  static std::string encodeValue(const PinRecord& record);
  static PinRecord decodeValue(std::string_view bytes);
};

// What a wrong try did.
struct PinFailure {
  uint32_t failures = 0;  // wrong tries in a row after this one (0 once it locked)
  bool locked = false;    // this try locked the PIN

  bool operator==(const PinFailure&) const = default;
};

class PinTable {
 public:
  static constexpr const char* kTableName = "pins";

  PinTable() = default;  // unopened
  static PinTable open(WriteTxn& txn);

  std::optional<PinRecord> get(const Txn& txn, std::string_view msisdn) const;
  // Stores a new hash (set or change): failures and lock are cleared.
  void set(WriteTxn& txn, std::string_view msisdn, std::string hash, int64_t nowMs) const;
  // A wrong try: counts it; the maxTries-th in a row locks the PIN until now + lockoutMs and
  // starts the count again. A missing record is left alone (nothing to lock).
  PinFailure recordFailure(WriteTxn& txn, std::string_view msisdn, int64_t nowMs, uint32_t maxTries,
                           int64_t lockoutMs) const;
  // A right try: the count goes back to 0.
  void recordSuccess(WriteTxn& txn, std::string_view msisdn, int64_t nowMs) const;
  bool erase(WriteTxn& txn, std::string_view msisdn) const;
  uint64_t size(const Txn& txn) const { return table_.count(txn); }

 private:
  Table<std::string, PinRecord, PinRecordCodec> table_;
};

}  // namespace mfigw::store
