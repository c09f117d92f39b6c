// store/upstream_events.hpp: facts the appliance owes upstream (issue 4, item 2).
//
// Purpose:   The durable outbox towards the MFI's loan system: credit and deferral
//            requests, referrals, opt-outs, survey answers, delivery summaries and dialog
//            outcome aggregates. Each event carries the caller's 16-byte idempotency key
//            (a UUID the caller generates, sent upstream as Idempotency-Key / externalId),
//            a seq the table assigns (monotonic, never reused, survives restarts: it comes
//            from a persistent counter, not from the last row), a creation time, a type and
//            an opaque payload (its typed encoding is the caller's). An event stays until
//            upstream answers `accepted` or `duplicate` for its key; `rejected` ones are
//            kept, with the reason, for the operator.
//            Layout: pending and rejected events live in two tables keyed by seq (so the
//            pending batch is a prefix walk in seq order and both counts are O(1)), plus
//            key -> seq.
//            Idempotency covers events still held: appending a key that is pending or
//            rejected returns the existing event and writes nothing. Once accepted or
//            duplicate the key is forgotten here; upstream's own idempotency (same key)
//            then stops a second effect.
// Threading: Immutable handles after open(); each call runs in the txn it is given.
// Errors:    append() throws InvalidRecord for a payload over kMaxEventPayloadBytes, an
//            all-zero key or an unknown type.
//            Unknown keys are `false` / nullopt. StoreError / MapFull from LMDB; DecodeError
//            for a corrupt record.
// Ownership: Holds table handles only; the Env must outlive it.
#pragma once

#include "store/counters.hpp"
#include "store/table.hpp"
#include "store/txn.hpp"

#include <array>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mfigw::store {

using EventKey = std::array<uint8_t, 16>;
// 32 lower-case hex digits (for logs and the operator console).
std::string toString(const EventKey& key);

// One pushed batch is about 8 KB (reference/upstream.md 4.2): an event must leave room.
inline constexpr size_t kMaxEventPayloadBytes = 4096;
// Upstream's rejection text is kept up to this many bytes (cut at a UTF-8 boundary, with
// "..." appended): an over-long reason must not make the acknowledgement txn fail.
inline constexpr size_t kMaxRejectReasonBytes = 256;

enum class UpstreamEventType : uint8_t {
  CreditRequest = 1,
  DeferralRequest = 2,
  Referral = 3,
  OptOut = 4,
  SurveyAnswer = 5,
  DeliverySummary = 6,
  DialogOutcomes = 7,
};
std::string_view toString(UpstreamEventType type) noexcept;
std::optional<UpstreamEventType> upstreamEventTypeFromString(std::string_view text) noexcept;

enum class UpstreamEventState : uint8_t {
  Pending = 1,   // to be pushed (again)
  Rejected = 2,  // upstream refused it; kept for the operator with the reason
};
std::string_view toString(UpstreamEventState state) noexcept;

struct UpstreamEvent {
  EventKey key{};
  uint64_t seq = 0;
  int64_t createdAt = 0;  // epoch seconds
  UpstreamEventType type = UpstreamEventType::CreditRequest;
  std::string payload;  // opaque bytes, 0..kMaxEventPayloadBytes
  UpstreamEventState state = UpstreamEventState::Pending;
  std::string rejectReason;  // set when Rejected
  uint32_t attempts = 0;     // pushes tried (recordAttempt)

  bool operator==(const UpstreamEvent&) const = default;
};

struct UpstreamEventCodec {
  static constexpr uint8_t kVersion = 1;
  static std::string encodeKey(const uint64_t& seq);
  static std::string encodeValue(const UpstreamEvent& event);
  static UpstreamEvent decodeValue(std::string_view bytes);
};

struct UpstreamEventCounts {
  uint64_t pending = 0;
  uint64_t rejected = 0;
  bool operator==(const UpstreamEventCounts&) const = default;
};

class UpstreamEvents {
 public:
  struct TableNames {
    static constexpr const char* kPending = "upstream_events_pending";
    static constexpr const char* kRejected = "upstream_events_rejected";
    static constexpr const char* kByKey = "upstream_events_by_key";
  };
  static constexpr const char* kSeqCounter = "upstream_events.seq";

  UpstreamEvents() = default;  // unopened
  static UpstreamEvents open(WriteTxn& txn);

  struct Appended {
    uint64_t seq = 0;
    bool inserted = false;  // false: the key was already held (nothing written)
  };
  Appended append(WriteTxn& txn, const EventKey& key, int64_t createdAt, UpstreamEventType type,
                  std::string_view payload) const;

  // Up to `limit` pending events, lowest seq first.
  std::vector<UpstreamEvent> pendingBatch(const Txn& txn, size_t limit) const;
  // Up to `limit` rejected events, lowest seq first (operator console).
  std::vector<UpstreamEvent> rejected(const Txn& txn,
                                      size_t limit = std::numeric_limits<size_t>::max()) const;
  std::optional<UpstreamEvent> find(const Txn& txn, const EventKey& key) const;

  // Upstream's answers. Each returns false when the key is not held.
  bool markAccepted(WriteTxn& txn, const EventKey& key) const { return forget(txn, key); }
  bool markDuplicate(WriteTxn& txn, const EventKey& key) const { return forget(txn, key); }
  // Moves a pending event to rejected (or updates a rejected one's reason).
  bool markRejected(WriteTxn& txn, const EventKey& key, std::string_view reason) const;
  // Counts one more push attempt of a held event.
  bool recordAttempt(WriteTxn& txn, const EventKey& key) const;
  // Operator actions on a rejected event: push it again, or drop it.
  bool requeue(WriteTxn& txn, const EventKey& key) const;
  bool discard(WriteTxn& txn, const EventKey& key) const { return forget(txn, key); }

  UpstreamEventCounts counts(const Txn& txn) const;
  // The highest seq ever assigned (0 before the first append).
  uint64_t lastSeq(const Txn& txn) const;

 private:
  using EventTable = Table<uint64_t, UpstreamEvent, UpstreamEventCodec>;
  struct Held;
  std::optional<Held> locate(const Txn& txn, const EventKey& key) const;
  bool forget(WriteTxn& txn, const EventKey& key) const;

  EventTable pending_;
  EventTable rejected_;
  Dbi byKey_ = 0;
  CounterTable counters_;
};

}  // namespace mfigw::store
