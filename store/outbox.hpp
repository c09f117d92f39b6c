// store/outbox.hpp: the durable queue of mobile-terminated SMS, with every message's state.
//
// Purpose:   A message goes queued -> sending -> submitted (SMSC ids per part) -> delivered /
//            failed / expired (from receipts), or cancelled. Indexes keep the sender's work
//            cheap: `ready` orders queued messages by (priority, next attempt, id); `state`
//            lists messages per state (crash recovery, counts); `smsc` maps an SMSC message
//            id to its part (receipts); `to` lists the live messages of a number (STOP);
//            `idem` maps an Idempotency-Key to its message. Every operation keeps all of
//            them consistent inside the caller's WriteTxn, so a message's state and its
//            indexes commit together or not at all.
// Retention: purgeFinal() removes final messages (delivered, failed, expired, cancelled)
//            whose updatedAt is before a cutoff, with every index entry they own, at most
//            `limit` per call (one call per write txn, so a backlog never makes a giant txn).
//            updatedAt is the final time: nothing but a late receipt or retry() touches a
//            final row, and both move it forward. Queued / sending / submitted messages are
//            never purged. An Idempotency-Key answers with its message while the row lives;
//            after the purge the key is unknown, so a client retrying then gets a NEW message.
//            The daemon keeps final rows for sms.keep_final (days by default), far longer than
//            any client retries a request, so that retry is a new request in all but name.
// Threading: Table rules (table.hpp): an Outbox is an immutable set of handles after open().
// Errors:    OutboxError for a caller mistake (unknown id, a field over its bound); DecodeError
//            / StoreError / MapFull from the tables.
// Ownership: Plain handles; the Env must outlive them.
#pragma once

#include "store/counters.hpp"
#include "store/table.hpp"

#include <array>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace mfigw::store {

class OutboxError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

enum class OutboxState : uint8_t {
  Queued = 1,
  Sending = 2,    // claimed by the sender; back to Queued after a crash (at-least-once)
  Submitted = 3,  // every part has an SMSC message id
  Delivered = 4,
  Failed = 5,
  Expired = 6,  // its latest send time passed, or the SMSC reported it expired
  Cancelled = 7,
};
inline constexpr std::array<OutboxState, 7> kOutboxStates = {
    OutboxState::Queued, OutboxState::Sending, OutboxState::Submitted, OutboxState::Delivered,
    OutboxState::Failed, OutboxState::Expired, OutboxState::Cancelled};
std::string_view toString(OutboxState state) noexcept;
std::optional<OutboxState> outboxStateFromString(std::string_view text) noexcept;
bool isFinal(OutboxState state) noexcept;

// Lower goes first: a dialog's confirmation must not wait behind a night's reminders.
enum class OutboxPriority : uint8_t { Dialog = 0, Normal = 1, Bulk = 2 };
inline constexpr uint8_t kOutboxPriorities = 3;

enum class OutboxKind : uint8_t { Api = 1, Reminder = 2, Reply = 3, Notice = 4 };
std::string_view toString(OutboxKind kind) noexcept;

enum class PartState : uint8_t {
  Pending = 0,
  Submitted = 1,
  Delivered = 2,
  Failed = 3,
  Expired = 4
};

struct OutboxPart {
  std::string smscId;  // normalised (see smpp::normalizeMessageId); empty until submitted
  PartState state = PartState::Pending;

  bool operator==(const OutboxPart&) const = default;
};

struct OutboxMessage {
  static constexpr size_t kMaxText = 8 * 1024;  // bytes of UTF-8
  static constexpr size_t kMaxKey = 128;        // Idempotency-Key
  static constexpr size_t kMaxParts = 255;

  uint64_t id = 0;     // assigned by enqueue()
  std::string to;      // E.164 digits, normalised by the caller
  std::string source;  // sender id / short code; empty: the link's default
  std::string text;    // UTF-8
  std::string lang;
  OutboxKind kind = OutboxKind::Api;
  OutboxPriority priority = OutboxPriority::Normal;
  OutboxState state = OutboxState::Queued;
  int64_t createdAt = 0;      // unix seconds
  int64_t notBefore = 0;      // not sent before this
  int64_t notAfter = 0;       // never sent after this (0: no limit): never stale
  int64_t nextAttemptAt = 0;  // notBefore, then the retry back-off
  int64_t updatedAt = 0;
  uint32_t attempts = 0;  // submits that failed transiently
  std::string idempotencyKey;
  std::vector<OutboxPart> parts;  // sized by the first part the SMSC accepts
  uint32_t lastStatus = 0;        // SMPP command_status of the last failure
  std::string lastError;

  bool operator==(const OutboxMessage&) const = default;
};

struct OutboxMessageCodec {
  static constexpr uint8_t kVersion = 1;
  static std::string encodeKey(const uint64_t& id);
  static std::string encodeValue(const OutboxMessage& message);
  static OutboxMessage decodeValue(std::string_view bytes);
};

// Index entries carry no value of their own; the key is the record.
struct OutboxIndexCodec {
  static constexpr uint8_t kVersion = 1;
  static std::string encodeKey(const std::string& key) { return key; }
  static std::string encodeValue(const uint64_t& id);
  static uint64_t decodeValue(std::string_view bytes);
};

struct EnqueueResult {
  uint64_t id = 0;
  bool created = false;  // false: the Idempotency-Key was seen; `id` is the first message
};

struct ReceiptOutcome {
  uint64_t id = 0;
  OutboxState state = OutboxState::Submitted;  // the message's state after the receipt
  bool changed = false;
};

class Outbox {
 public:
  static Outbox open(WriteTxn& txn);

  // Validates, assigns an id, stores as Queued. Idempotent on message.idempotencyKey.
  EnqueueResult enqueue(WriteTxn& txn, OutboxMessage message, int64_t now) const;

  // Queued messages whose time has come, highest priority first, marked Sending. Messages
  // past their notAfter become Expired instead and are not returned.
  std::vector<OutboxMessage> claim(WriteTxn& txn, int64_t now, size_t limit) const;

  // The SMSC accepted part `part` of `partCount`; all parts accepted -> Submitted.
  void markPartSubmitted(WriteTxn& txn, uint64_t id, uint8_t part, uint8_t partCount,
                         std::string smscId, int64_t now) const;
  // A submit failed. permanent -> Failed; transient -> Queued again at retryAt (unless that is
  // past notAfter: Expired). Already submitted parts keep their ids.
  void markFailed(WriteTxn& txn, uint64_t id, uint32_t status, std::string error, bool permanent,
                  int64_t retryAt, int64_t now) const;
  // Sending -> Queued without counting an attempt (the link gave it back unsent).
  void requeue(WriteTxn& txn, uint64_t id, int64_t now) const;
  // A delivery receipt for one part; nullopt when the id is not ours (or is long purged).
  std::optional<ReceiptOutcome> applyReceipt(WriteTxn& txn, std::string_view smscId,
                                             PartState partState, int64_t now) const;
  // Cancels what has not gone out to `to` yet (STOP); returns how many.
  size_t cancelTo(WriteTxn& txn, std::string_view to, int64_t now) const;
  // Cancels one message unless it is already final or submitted; returns whether it did.
  bool cancel(WriteTxn& txn, uint64_t id, int64_t now) const;
  // Failed / expired / cancelled -> Queued now, with a fresh attempt count.
  bool retry(WriteTxn& txn, uint64_t id, int64_t now) const;
  // Start-up: every Sending message goes back to Queued (the crash may have lost it).
  size_t recover(WriteTxn& txn, int64_t now) const;
  // Removes up to `limit` final messages with updatedAt < cutoff and every index entry they
  // own; returns how many. A result equal to `limit` means more may be left: call again in
  // a new txn. Walks the final states' index from the oldest id, so kept (young) final rows
  // are read, not removed, on each call.
  size_t purgeFinal(WriteTxn& txn, int64_t cutoff, size_t limit) const;

  std::optional<OutboxMessage> get(const Txn& txn, uint64_t id) const;
  std::optional<uint64_t> findByKey(const Txn& txn, std::string_view idempotencyKey) const;
  uint64_t count(const Txn& txn, OutboxState state) const;
  // The earliest nextAttemptAt among queued messages (the sender sleeps until then).
  std::optional<int64_t> nextDue(const Txn& txn) const;

 private:
  using Index = Table<std::string, uint64_t, OutboxIndexCodec>;

  void save(WriteTxn& txn, const OutboxMessage& before, const OutboxMessage& after) const;
  OutboxMessage load(const Txn& txn, uint64_t id) const;
  void remove(WriteTxn& txn, const OutboxMessage& m) const;

  Table<uint64_t, OutboxMessage, OutboxMessageCodec> messages_;
  Index ready_;  // (priority u8, nextAttemptAt i64, id u64) for Queued
  Index state_;  // (state u8, id u64)
  Index smsc_;   // smsc id str -> value: id; key holds the part too
  Index to_;     // (to str, id u64) while queued or sending
  Index idem_;   // idempotency key -> id
  CounterTable counters_;
};

}  // namespace mfigw::store
