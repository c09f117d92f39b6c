#include "store/upstream_events.hpp"

#include "store/encoding.hpp"
#include "store/error.hpp"
#include "store/record_check.hpp"

#include <utility>

namespace mfigw::store {
namespace {

constexpr std::array<std::pair<UpstreamEventType, std::string_view>, 7> kTypeNames = {{
    {UpstreamEventType::CreditRequest, "credit_request"},
    {UpstreamEventType::DeferralRequest, "deferral_request"},
    {UpstreamEventType::Referral, "referral"},
    {UpstreamEventType::OptOut, "optout"},
    {UpstreamEventType::SurveyAnswer, "survey_answer"},
    {UpstreamEventType::DeliverySummary, "delivery_summary"},
    {UpstreamEventType::DialogOutcomes, "dialog_outcomes"},
}};

constexpr uint8_t kByKeyVersion = 1;

std::string_view keyBytes(const EventKey& key) {
  return {reinterpret_cast<const char*>(key.data()), key.size()};
}

std::string encodeSeq(uint64_t seq) {
  return Encoder(9).version(kByKeyVersion).u64(seq).take();
}

uint64_t decodeSeq(std::string_view bytes) {
  Decoder in(bytes);
  in.version(kByKeyVersion);
  const uint64_t seq = in.u64();
  in.expectEnd();
  return seq;
}

// Cuts `text` to at most `maxBytes`, never inside a UTF-8 sequence, marking the cut.
std::string boundedReason(std::string_view text, size_t maxBytes) {
  if (text.size() <= maxBytes) {
    return std::string(text);
  }
  constexpr std::string_view kMark = "...";
  size_t cut = maxBytes - kMark.size();
  // Back up over continuation bytes (10xxxxxx) to the start of a character.
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) {
    --cut;
  }
  return std::string(text.substr(0, cut)) + std::string(kMark);
}

}  // namespace

std::string toString(const EventKey& key) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(key.size() * 2);
  for (uint8_t b : key) {
    out.push_back(kHex[b >> 4]);
    out.push_back(kHex[b & 0x0F]);
  }
  return out;
}

std::string_view toString(UpstreamEventType type) noexcept {
  for (const auto& [value, name] : kTypeNames) {
    if (value == type) {
      return name;
    }
  }
  return "unknown";
}

std::optional<UpstreamEventType> upstreamEventTypeFromString(std::string_view text) noexcept {
  for (const auto& [value, name] : kTypeNames) {
    if (name == text) {
      return value;
    }
  }
  return std::nullopt;
}

std::string_view toString(UpstreamEventState state) noexcept {
  switch (state) {
    case UpstreamEventState::Pending:
      return "pending";
    case UpstreamEventState::Rejected:
      return "rejected";
  }
  return "unknown";
}

// ---- codec ----

std::string UpstreamEventCodec::encodeKey(const uint64_t& seq) {
  return Key().u64(seq).take();
}

// v1: version u8, key 16 bytes, seq u64, created i64, type u8, state u8, attempts u32,
//     reason str, payload str.
std::string UpstreamEventCodec::encodeValue(const UpstreamEvent& event) {
  return Encoder(48 + event.payload.size() + event.rejectReason.size())
      .version(kVersion)
      .raw(keyBytes(event.key))
      .u64(event.seq)
      .i64(event.createdAt)
      .u8(static_cast<uint8_t>(event.type))
      .u8(static_cast<uint8_t>(event.state))
      .u32(event.attempts)
      .str(event.rejectReason)
      .str(event.payload)
      .take();
}

UpstreamEvent UpstreamEventCodec::decodeValue(std::string_view bytes) {
  Decoder in(bytes);
  in.version(kVersion);
  UpstreamEvent event;
  for (uint8_t& b : event.key) {
    b = in.u8();
  }
  event.seq = in.u64();
  event.createdAt = in.i64();
  const uint8_t type = in.u8();
  if (type < 1 || type > kTypeNames.size()) {
    throw DecodeError("upstream event: unknown type " + std::to_string(type));
  }
  event.type = static_cast<UpstreamEventType>(type);
  const uint8_t state = in.u8();
  if (state < 1 || state > 2) {
    throw DecodeError("upstream event: unknown state " + std::to_string(state));
  }
  event.state = static_cast<UpstreamEventState>(state);
  event.attempts = in.u32();
  event.rejectReason = in.str();
  event.payload = in.str();
  in.expectEnd();
  return event;
}

// ---- table ----

struct UpstreamEvents::Held {
  const EventTable* table = nullptr;  // pending_ or rejected_
  UpstreamEvent event;
};

UpstreamEvents UpstreamEvents::open(WriteTxn& txn) {
  UpstreamEvents events;
  events.pending_ = EventTable::open(txn, TableNames::kPending);
  events.rejected_ = EventTable::open(txn, TableNames::kRejected);
  events.byKey_ = txn.openDbi(TableNames::kByKey, MDB_CREATE);
  events.counters_ = CounterTable::open(txn, kCountersTable);
  return events;
}

UpstreamEvents::Appended UpstreamEvents::append(WriteTxn& txn, const EventKey& key,
                                                int64_t createdAt, UpstreamEventType type,
                                                std::string_view payload) const {
  if (payload.size() > kMaxEventPayloadBytes) {
    throw InvalidRecord(
        "upstream event", toString(key),
        {FieldProblem{"payload", "is " + std::to_string(payload.size()) + " bytes, must be 0.." +
                                     std::to_string(kMaxEventPayloadBytes)}});
  }
  if (toString(type) == "unknown") {
    throw InvalidRecord(
        "upstream event", toString(key),
        {FieldProblem{"type", "has unknown value " + std::to_string(static_cast<unsigned>(type))}});
  }
  if (key == EventKey{}) {
    // A nil UUID is what a caller that forgot to generate a key sends.
    throw InvalidRecord("upstream event", toString(key),
                        {FieldProblem{"key", "is all zero (generate a random UUID)"}});
  }
  if (const std::optional<std::string_view> held = txn.get(byKey_, keyBytes(key))) {
    return Appended{decodeSeq(*held), false};
  }
  UpstreamEvent event;
  event.key = key;
  event.seq = bumpCounter(txn, counters_, kSeqCounter);
  event.createdAt = createdAt;
  event.type = type;
  event.payload = std::string(payload);
  pending_.put(txn, event.seq, event);
  txn.put(byKey_, keyBytes(key), encodeSeq(event.seq));
  return Appended{event.seq, true};
}

std::vector<UpstreamEvent> UpstreamEvents::pendingBatch(const Txn& txn, size_t limit) const {
  std::vector<UpstreamEvent> out;
  for (auto& [encodedSeq, event] : pending_.range(txn, {}, limit)) {
    out.push_back(std::move(event));
  }
  return out;
}

std::vector<UpstreamEvent> UpstreamEvents::rejected(const Txn& txn, size_t limit) const {
  std::vector<UpstreamEvent> out;
  for (auto& [encodedSeq, event] : rejected_.range(txn, {}, limit)) {
    out.push_back(std::move(event));
  }
  return out;
}

std::optional<UpstreamEvents::Held> UpstreamEvents::locate(const Txn& txn,
                                                           const EventKey& key) const {
  const std::optional<std::string_view> held = txn.get(byKey_, keyBytes(key));
  if (!held) {
    return std::nullopt;
  }
  const uint64_t seq = decodeSeq(*held);
  for (const EventTable* table : {&pending_, &rejected_}) {
    if (std::optional<UpstreamEvent> event = table->get(txn, seq)) {
      return Held{table, std::move(*event)};
    }
  }
  throw DecodeError("upstream event " + toString(key) + ": key maps to seq " + std::to_string(seq) +
                    ", which neither table holds");
}

std::optional<UpstreamEvent> UpstreamEvents::find(const Txn& txn, const EventKey& key) const {
  std::optional<Held> held = locate(txn, key);
  if (!held) {
    return std::nullopt;
  }
  return std::move(held->event);
}

bool UpstreamEvents::forget(WriteTxn& txn, const EventKey& key) const {
  const std::optional<Held> held = locate(txn, key);
  if (!held) {
    return false;
  }
  held->table->erase(txn, held->event.seq);
  txn.erase(byKey_, keyBytes(key));
  return true;
}

bool UpstreamEvents::markRejected(WriteTxn& txn, const EventKey& key,
                                  std::string_view reason) const {
  std::optional<Held> held = locate(txn, key);
  if (!held) {
    return false;
  }
  UpstreamEvent& event = held->event;
  event.state = UpstreamEventState::Rejected;
  event.rejectReason = boundedReason(reason, kMaxRejectReasonBytes);
  if (held->table != &rejected_) {
    pending_.erase(txn, event.seq);
  }
  rejected_.put(txn, event.seq, event);
  return true;
}

bool UpstreamEvents::recordAttempt(WriteTxn& txn, const EventKey& key) const {
  std::optional<Held> held = locate(txn, key);
  if (!held) {
    return false;
  }
  if (held->event.attempts < std::numeric_limits<uint32_t>::max()) {
    ++held->event.attempts;
  }
  held->table->put(txn, held->event.seq, held->event);
  return true;
}

bool UpstreamEvents::requeue(WriteTxn& txn, const EventKey& key) const {
  std::optional<Held> held = locate(txn, key);
  if (!held || held->table != &rejected_) {
    return false;
  }
  UpstreamEvent& event = held->event;
  // Same seq: a requeued event keeps its place in the order it was created.
  rejected_.erase(txn, event.seq);
  event.state = UpstreamEventState::Pending;
  event.rejectReason.clear();
  pending_.put(txn, event.seq, event);
  return true;
}

UpstreamEventCounts UpstreamEvents::counts(const Txn& txn) const {
  return UpstreamEventCounts{pending_.count(txn), rejected_.count(txn)};
}

uint64_t UpstreamEvents::lastSeq(const Txn& txn) const {
  return readCounter(txn, counters_, kSeqCounter);
}

}  // namespace mfigw::store
