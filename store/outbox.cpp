#include "store/outbox.hpp"

#include "store/encoding.hpp"

#include <algorithm>
#include <utility>

namespace mfigw::store {
namespace {

constexpr std::array<std::pair<OutboxState, std::string_view>, 7> kStateNames = {{
    {OutboxState::Queued, "queued"},
    {OutboxState::Sending, "sending"},
    {OutboxState::Submitted, "submitted"},
    {OutboxState::Delivered, "delivered"},
    {OutboxState::Failed, "failed"},
    {OutboxState::Expired, "expired"},
    {OutboxState::Cancelled, "cancelled"},
}};

constexpr const char* kIdCounter = "outbox_id";

std::string readyKey(const OutboxMessage& m) {
  return Key().u8(static_cast<uint8_t>(m.priority)).i64(m.nextAttemptAt).u64(m.id).take();
}
std::string stateKey(OutboxState state, uint64_t id) {
  return Key().u8(static_cast<uint8_t>(state)).u64(id).take();
}
std::string toKey(std::string_view to, uint64_t id) {
  return Key().str(to).u64(id).take();
}
std::string smscKey(std::string_view smscId) {
  return Key().raw(smscId).take();
}
// The smsc index's value packs the part into the low byte (at most 255 parts).
uint64_t packPart(uint64_t id, uint8_t part) {
  return (id << 8) | part;
}

bool isLive(OutboxState s) {
  return s == OutboxState::Queued || s == OutboxState::Sending;
}

void checkField(bool ok, const char* what) {
  if (!ok) throw OutboxError(std::string("outbox message: ") + what);
}

}  // namespace

std::string_view toString(OutboxState state) noexcept {
  for (const auto& [value, name] : kStateNames)
    if (value == state) return name;
  return "unknown";
}

std::optional<OutboxState> outboxStateFromString(std::string_view text) noexcept {
  for (const auto& [value, name] : kStateNames)
    if (name == text) return value;
  return std::nullopt;
}

bool isFinal(OutboxState state) noexcept {
  return state == OutboxState::Delivered || state == OutboxState::Failed ||
         state == OutboxState::Expired || state == OutboxState::Cancelled;
}

std::string_view toString(OutboxKind kind) noexcept {
  switch (kind) {
    case OutboxKind::Api:
      return "api";
    case OutboxKind::Reminder:
      return "reminder";
    case OutboxKind::Reply:
      return "reply";
    case OutboxKind::Notice:
      return "notice";
  }
  return "unknown";
}

std::string OutboxMessageCodec::encodeKey(const uint64_t& id) {
  return Key().u64(id).take();
}

// v1: version, id u64, to, source, text, lang (str), kind, priority, state (u8), createdAt,
// notBefore, notAfter, nextAttemptAt, updatedAt (i64), attempts u32, idempotencyKey str,
// parts (varint n, then smscId str + state u8 each), lastStatus u32, lastError str.
std::string OutboxMessageCodec::encodeValue(const OutboxMessage& m) {
  Encoder out(96 + m.to.size() + m.source.size() + m.text.size() + m.idempotencyKey.size() +
              m.lastError.size() + m.parts.size() * 24);
  out.version(kVersion)
      .u64(m.id)
      .str(m.to)
      .str(m.source)
      .str(m.text)
      .str(m.lang)
      .u8(static_cast<uint8_t>(m.kind))
      .u8(static_cast<uint8_t>(m.priority))
      .u8(static_cast<uint8_t>(m.state))
      .i64(m.createdAt)
      .i64(m.notBefore)
      .i64(m.notAfter)
      .i64(m.nextAttemptAt)
      .i64(m.updatedAt)
      .u32(m.attempts)
      .str(m.idempotencyKey)
      .varint(m.parts.size());
  for (const OutboxPart& p : m.parts)
    out.str(p.smscId).u8(static_cast<uint8_t>(p.state));
  out.u32(m.lastStatus).str(m.lastError);
  return out.take();
}

OutboxMessage OutboxMessageCodec::decodeValue(std::string_view bytes) {
  Decoder in(bytes);
  in.version(kVersion);
  OutboxMessage m;
  m.id = in.u64();
  m.to = in.str();
  m.source = in.str();
  m.text = in.str();
  m.lang = in.str();
  const uint8_t kind = in.u8();
  const uint8_t priority = in.u8();
  const uint8_t state = in.u8();
  if (kind < 1 || kind > 4) throw DecodeError("outbox: unknown kind " + std::to_string(kind));
  if (priority >= kOutboxPriorities)
    throw DecodeError("outbox: unknown priority " + std::to_string(priority));
  if (state < 1 || state > 7) throw DecodeError("outbox: unknown state " + std::to_string(state));
  m.kind = static_cast<OutboxKind>(kind);
  m.priority = static_cast<OutboxPriority>(priority);
  m.state = static_cast<OutboxState>(state);
  m.createdAt = in.i64();
  m.notBefore = in.i64();
  m.notAfter = in.i64();
  m.nextAttemptAt = in.i64();
  m.updatedAt = in.i64();
  m.attempts = in.u32();
  m.idempotencyKey = in.str();
  const uint64_t parts = in.varint();
  if (parts > OutboxMessage::kMaxParts) throw DecodeError("outbox: too many parts");
  m.parts.resize(parts);
  for (OutboxPart& p : m.parts) {
    p.smscId = in.str();
    const uint8_t ps = in.u8();
    if (ps > 4) throw DecodeError("outbox: unknown part state " + std::to_string(ps));
    p.state = static_cast<PartState>(ps);
  }
  m.lastStatus = in.u32();
  m.lastError = in.str();
  in.expectEnd();
  return m;
}

std::string OutboxIndexCodec::encodeValue(const uint64_t& id) {
  return Encoder(9).version(kVersion).u64(id).take();
}

uint64_t OutboxIndexCodec::decodeValue(std::string_view bytes) {
  Decoder in(bytes);
  in.version(kVersion);
  const uint64_t id = in.u64();
  in.expectEnd();
  return id;
}

Outbox Outbox::open(WriteTxn& txn) {
  Outbox o;
  o.messages_ = decltype(o.messages_)::open(txn, "outbox");
  o.ready_ = Index::open(txn, "outbox_ready");
  o.state_ = Index::open(txn, "outbox_state");
  o.smsc_ = Index::open(txn, "outbox_smsc");
  o.to_ = Index::open(txn, "outbox_to");
  o.idem_ = Index::open(txn, "outbox_idem");
  o.counters_ = CounterTable::open(txn, kCountersTable);
  return o;
}

EnqueueResult Outbox::enqueue(WriteTxn& txn, OutboxMessage m, int64_t now) const {
  checkField(!m.to.empty() && m.to.size() <= 20, "'to' must be 1-20 digits");
  checkField(!m.text.empty(), "'text' is empty");
  checkField(m.text.size() <= OutboxMessage::kMaxText, "'text' is over 8 KiB");
  checkField(m.idempotencyKey.size() <= OutboxMessage::kMaxKey, "idempotency key over 128 bytes");
  checkField(m.source.size() <= 20, "'source' over 20 characters");
  checkField(m.notAfter == 0 || m.notAfter >= m.notBefore, "not_after is before not_before");
  if (!m.idempotencyKey.empty()) {
    if (auto existing = idem_.get(txn, Key().raw(m.idempotencyKey).take())) {
      return {*existing, false};
    }
  }
  m.id = bumpCounter(txn, counters_, kIdCounter);
  m.state = OutboxState::Queued;
  m.createdAt = now;
  m.updatedAt = now;
  m.nextAttemptAt = std::max(m.notBefore, now);
  m.attempts = 0;
  m.parts.clear();
  m.lastStatus = 0;
  m.lastError.clear();
  messages_.put(txn, m.id, m);
  ready_.put(txn, readyKey(m), m.id);
  state_.put(txn, stateKey(m.state, m.id), m.id);
  to_.put(txn, toKey(m.to, m.id), m.id);
  if (!m.idempotencyKey.empty()) idem_.put(txn, Key().raw(m.idempotencyKey).take(), m.id);
  return {m.id, true};
}

// Moves `after` into place and fixes every index that depends on what changed.
void Outbox::save(WriteTxn& txn, const OutboxMessage& before, const OutboxMessage& after) const {
  const bool wasReady = before.state == OutboxState::Queued;
  const bool isReady = after.state == OutboxState::Queued;
  if (wasReady && (!isReady || readyKey(before) != readyKey(after)))
    ready_.erase(txn, readyKey(before));
  if (isReady) ready_.put(txn, readyKey(after), after.id);
  if (before.state != after.state) {
    state_.erase(txn, stateKey(before.state, before.id));
    state_.put(txn, stateKey(after.state, after.id), after.id);
    if (isLive(before.state) && !isLive(after.state)) to_.erase(txn, toKey(after.to, after.id));
    if (!isLive(before.state) && isLive(after.state))
      to_.put(txn, toKey(after.to, after.id), after.id);
  }
  messages_.put(txn, after.id, after);
}

OutboxMessage Outbox::load(const Txn& txn, uint64_t id) const {
  auto m = messages_.get(txn, id);
  if (!m) throw OutboxError("outbox: no message " + std::to_string(id));
  return std::move(*m);
}

std::vector<OutboxMessage> Outbox::claim(WriteTxn& txn, int64_t now, size_t limit) const {
  std::vector<OutboxMessage> claimed;
  for (uint8_t p = 0; p < kOutboxPriorities && claimed.size() < limit; ++p) {
    // Collect the due ids first: save() rewrites the index we would be walking.
    std::vector<uint64_t> due;
    ready_.forEach(
        txn,
        [&](std::string_view key, uint64_t id) {
          Decoder k(key);
          k.u8();
          if (k.i64() > now) return false;
          due.push_back(id);
          return claimed.size() + due.size() < limit;
        },
        Key().u8(p).take());
    for (uint64_t id : due) {
      OutboxMessage before = load(txn, id);
      OutboxMessage after = before;
      after.updatedAt = now;
      if (after.notAfter != 0 && after.notAfter < now) {
        after.state = OutboxState::Expired;
        after.lastError = "latest send time passed";
        save(txn, before, after);
        continue;
      }
      after.state = OutboxState::Sending;
      save(txn, before, after);
      claimed.push_back(std::move(after));
    }
  }
  return claimed;
}

void Outbox::markPartSubmitted(WriteTxn& txn, uint64_t id, uint8_t part, uint8_t partCount,
                               std::string smscId, int64_t now) const {
  checkField(partCount >= 1 && part < partCount, "part out of range");
  OutboxMessage before = load(txn, id);
  if (isFinal(before.state)) return;  // cancelled meanwhile: the SMSC has it anyway
  OutboxMessage after = before;
  if (after.parts.size() != partCount) after.parts.resize(partCount);
  OutboxPart& slot = after.parts[part];
  if (!slot.smscId.empty() && slot.smscId != smscId) smsc_.erase(txn, smscKey(slot.smscId));
  slot.smscId = std::move(smscId);
  if (slot.state == PartState::Pending) slot.state = PartState::Submitted;
  if (!slot.smscId.empty()) smsc_.put(txn, smscKey(slot.smscId), packPart(id, part));
  const bool all = std::all_of(after.parts.begin(), after.parts.end(),
                               [](const OutboxPart& p) { return p.state != PartState::Pending; });
  if (all && (after.state == OutboxState::Sending || after.state == OutboxState::Queued))
    after.state = OutboxState::Submitted;
  after.updatedAt = now;
  save(txn, before, after);
}

void Outbox::markFailed(WriteTxn& txn, uint64_t id, uint32_t status, std::string error,
                        bool permanent, int64_t retryAt, int64_t now) const {
  OutboxMessage before = load(txn, id);
  if (isFinal(before.state)) return;
  OutboxMessage after = before;
  after.lastStatus = status;
  after.lastError = std::move(error);
  after.updatedAt = now;
  if (permanent) {
    after.state = OutboxState::Failed;
  } else if (after.notAfter != 0 && retryAt > after.notAfter) {
    after.state = OutboxState::Expired;
  } else {
    after.state = OutboxState::Queued;
    after.attempts += 1;
    after.nextAttemptAt = retryAt;
  }
  save(txn, before, after);
}

void Outbox::requeue(WriteTxn& txn, uint64_t id, int64_t now) const {
  OutboxMessage before = load(txn, id);
  if (before.state != OutboxState::Sending) return;
  OutboxMessage after = before;
  after.state = OutboxState::Queued;
  after.nextAttemptAt = std::max(after.nextAttemptAt, now);
  after.updatedAt = now;
  save(txn, before, after);
}

std::optional<ReceiptOutcome> Outbox::applyReceipt(WriteTxn& txn, std::string_view smscId,
                                                   PartState partState, int64_t now) const {
  const auto packed = smsc_.get(txn, smscKey(smscId));
  if (!packed) return std::nullopt;
  const uint64_t id = *packed >> 8;
  const auto part = static_cast<size_t>(*packed & 0xff);
  OutboxMessage before = load(txn, id);
  if (part >= before.parts.size()) return std::nullopt;
  OutboxMessage after = before;
  after.parts[part].state = partState;
  // The message is as far as its least-advanced part: delivered when all are, failed or
  // expired as soon as one is (the phone cannot show half a message).
  bool allDelivered = true;
  for (const OutboxPart& p : after.parts) {
    if (p.state == PartState::Failed) {
      after.state = OutboxState::Failed;
      allDelivered = false;
      break;
    }
    if (p.state == PartState::Expired) {
      after.state = OutboxState::Expired;
      allDelivered = false;
      break;
    }
    if (p.state != PartState::Delivered) allDelivered = false;
  }
  if (allDelivered) after.state = OutboxState::Delivered;
  after.updatedAt = now;
  const bool changed = after != before;
  if (changed) save(txn, before, after);
  return ReceiptOutcome{id, after.state, changed};
}

size_t Outbox::cancelTo(WriteTxn& txn, std::string_view to, int64_t now) const {
  std::vector<uint64_t> ids;
  to_.forEach(
      txn, [&](std::string_view, uint64_t id) { ids.push_back(id); }, Key().str(to).take());
  size_t cancelled = 0;
  for (uint64_t id : ids)
    if (cancel(txn, id, now)) ++cancelled;
  return cancelled;
}

bool Outbox::cancel(WriteTxn& txn, uint64_t id, int64_t now) const {
  const auto found = messages_.get(txn, id);
  if (!found) return false;
  const OutboxMessage& before = *found;
  if (before.state != OutboxState::Queued && before.state != OutboxState::Sending) return false;
  OutboxMessage after = before;
  after.state = OutboxState::Cancelled;
  after.updatedAt = now;
  save(txn, before, after);
  return true;
}

bool Outbox::retry(WriteTxn& txn, uint64_t id, int64_t now) const {
  const auto found = messages_.get(txn, id);
  if (!found) return false;
  const OutboxMessage& before = *found;
  if (before.state != OutboxState::Failed && before.state != OutboxState::Expired &&
      before.state != OutboxState::Cancelled)
    return false;
  OutboxMessage after = before;
  after.state = OutboxState::Queued;
  after.attempts = 0;
  after.nextAttemptAt = now;
  if (after.notAfter != 0 && after.notAfter < now) after.notAfter = 0;  // the operator decided
  for (OutboxPart& p : after.parts) {
    if (!p.smscId.empty()) smsc_.erase(txn, smscKey(p.smscId));
  }
  after.parts.clear();
  after.updatedAt = now;
  save(txn, before, after);
  return true;
}

size_t Outbox::recover(WriteTxn& txn, int64_t now) const {
  std::vector<uint64_t> ids;
  state_.forEach(
      txn, [&](std::string_view, uint64_t id) { ids.push_back(id); },
      Key().u8(static_cast<uint8_t>(OutboxState::Sending)).take());
  for (uint64_t id : ids)
    requeue(txn, id, now);
  return ids.size();
}

size_t Outbox::purgeFinal(WriteTxn& txn, int64_t cutoff, size_t limit) const {
  std::vector<OutboxMessage> old;
  for (OutboxState s : kOutboxStates) {
    if (!isFinal(s) || old.size() >= limit) continue;
    // Collect first: remove() rewrites the index we would be walking.
    state_.forEach(
        txn,
        [&](std::string_view, uint64_t id) {
          auto m = messages_.get(txn, id);
          if (m && m->updatedAt < cutoff) old.push_back(std::move(*m));
          return old.size() < limit;
        },
        Key().u8(static_cast<uint8_t>(s)).take());
  }
  for (const OutboxMessage& m : old)
    remove(txn, m);
  return old.size();
}

// Deletes the row and each index entry pointing at it. The smsc and idem entries are
// erased only while they still name this message: an SMSC may reuse an id, and a key's
// entry must never be taken from another message.
void Outbox::remove(WriteTxn& txn, const OutboxMessage& m) const {
  if (m.state == OutboxState::Queued) ready_.erase(txn, readyKey(m));
  if (isLive(m.state)) to_.erase(txn, toKey(m.to, m.id));
  state_.erase(txn, stateKey(m.state, m.id));
  for (size_t part = 0; part < m.parts.size(); ++part) {
    const std::string& smscId = m.parts[part].smscId;
    if (smscId.empty()) continue;
    if (smsc_.get(txn, smscKey(smscId)) == packPart(m.id, static_cast<uint8_t>(part)))
      smsc_.erase(txn, smscKey(smscId));
  }
  if (!m.idempotencyKey.empty()) {
    const std::string key = Key().raw(m.idempotencyKey).take();
    if (idem_.get(txn, key) == m.id) idem_.erase(txn, key);
  }
  messages_.erase(txn, m.id);
}

std::optional<OutboxMessage> Outbox::get(const Txn& txn, uint64_t id) const {
  return messages_.get(txn, id);
}

std::optional<uint64_t> Outbox::findByKey(const Txn& txn, std::string_view idempotencyKey) const {
  return idem_.get(txn, Key().raw(idempotencyKey).take());
}

uint64_t Outbox::count(const Txn& txn, OutboxState state) const {
  return state_.countPrefix(txn, Key().u8(static_cast<uint8_t>(state)).take());
}

std::optional<int64_t> Outbox::nextDue(const Txn& txn) const {
  std::optional<int64_t> earliest;
  for (uint8_t p = 0; p < kOutboxPriorities; ++p) {
    ready_.forEach(
        txn,
        [&](std::string_view key, uint64_t) {
          Decoder k(key);
          k.u8();
          const int64_t at = k.i64();
          if (!earliest || at < *earliest) earliest = at;
          return false;  // the first of each priority is its earliest
        },
        Key().u8(p).take());
  }
  return earliest;
}

}  // namespace mfigw::store
