#include "smpp/concat_reassembler.hpp"

#include <algorithm>
#include <iterator>
#include <utility>

namespace mfigw::smpp {

std::optional<UserDataHeader> parseUserDataHeader(std::span<const uint8_t> userData) {
  if (userData.empty()) return std::nullopt;
  const size_t udhl = userData[0];
  if (udhl + 1 > userData.size()) return std::nullopt;
  UserDataHeader header;
  header.length = udhl + 1;
  size_t i = 1;
  while (i < header.length) {
    if (i + 2 > header.length) return std::nullopt;
    const uint8_t iei = userData[i];
    const size_t ieLength = userData[i + 1];
    const size_t data = i + 2;
    if (data + ieLength > header.length) return std::nullopt;
    // First concatenation IE wins; TS 23.040 forbids both in one header.
    if (!header.concat && iei == 0x00 && ieLength == 3) {
      header.concat = ConcatInfo{userData[data], userData[data + 1], userData[data + 2]};
    } else if (!header.concat && iei == 0x08 && ieLength == 4) {
      header.concat = ConcatInfo{static_cast<uint16_t>((userData[data] << 8) | userData[data + 1]),
                                 userData[data + 2], userData[data + 3]};
    }
    i = data + ieLength;
  }
  return header;
}

std::string_view toString(DropReason reason) {
  switch (reason) {
    case DropReason::Timeout:
      return "Timeout";
    case DropReason::Evicted:
      return "Evicted";
  }
  return "?";
}

std::string_view toString(AddOutcome outcome) {
  switch (outcome) {
    case AddOutcome::Completed:
      return "Completed";
    case AddOutcome::Pending:
      return "Pending";
    case AddOutcome::Duplicate:
      return "Duplicate";
    case AddOutcome::Invalid:
      return "Invalid";
  }
  return "?";
}

ConcatReassembler::ConcatReassembler(ReassemblyLimits limits) : limits_(limits) {
  if (limits_.maxPending == 0) limits_.maxPending = 1;
}

DroppedMessage ConcatReassembler::dropped(const Key& key, const Pending& pending,
                                          DropReason reason) {
  return DroppedMessage{std::get<0>(key), std::get<1>(key), std::get<2>(key),
                        static_cast<uint8_t>(pending.parts.size()), reason};
}

void ConcatReassembler::erase(std::map<Key, Pending>::iterator it) {
  for (const auto& [sequence, bytes] : it->second.parts)
    pendingOctets_ -= bytes.size();
  pending_.erase(it);
}

void ConcatReassembler::evictOldest(std::vector<DroppedMessage>& out, const Key* keep) {
  auto oldest = pending_.end();
  for (auto it = pending_.begin(); it != pending_.end(); ++it) {
    if (keep != nullptr && it->first == *keep) continue;
    if (oldest == pending_.end() || it->second.order < oldest->second.order) oldest = it;
  }
  if (oldest == pending_.end()) return;
  out.push_back(dropped(oldest->first, oldest->second, DropReason::Evicted));
  erase(oldest);
}

AddResult ConcatReassembler::add(ConcatPart part, TimePoint now) {
  AddResult result;
  const ConcatInfo info = part.info;
  if (info.total == 0 || info.sequence == 0 || info.sequence > info.total ||
      part.payload.size() > limits_.maxPendingOctets) {
    result.outcome = AddOutcome::Invalid;
    return result;
  }
  if (info.total == 1) {
    // Some phones send a one-part "concatenated" message; nothing to wait for.
    result.outcome = AddOutcome::Completed;
    result.message = ReassembledMessage{std::move(part.source), info.reference, 1, part.dataCoding,
                                        std::move(part.payload)};
    return result;
  }
  Key key{part.source, info.reference, info.total};
  auto it = pending_.find(key);
  if (it == pending_.end()) {
    while (pending_.size() >= limits_.maxPending)
      evictOldest(result.evicted, nullptr);
    Pending fresh;
    fresh.firstSeen = now;
    fresh.order = nextOrder_++;
    fresh.dataCoding = part.dataCoding;
    it = pending_.emplace(std::move(key), std::move(fresh)).first;
  }
  Pending& entry = it->second;
  const size_t octets = part.payload.size();
  if (!entry.parts.emplace(info.sequence, std::move(part.payload)).second) {
    result.outcome = AddOutcome::Duplicate;
    return result;
  }
  pendingOctets_ += octets;
  // Over the octet budget: evict other messages, oldest first (this one was just fed).
  while (pendingOctets_ > limits_.maxPendingOctets && pending_.size() > 1) {
    evictOldest(result.evicted, &it->first);
  }
  if (entry.parts.size() < info.total) {
    result.outcome = AddOutcome::Pending;
    return result;
  }
  ReassembledMessage message;
  message.source = std::get<0>(it->first);
  message.reference = info.reference;
  message.total = info.total;
  message.dataCoding = entry.dataCoding;
  for (auto& [sequence, bytes] : entry.parts) {
    message.payload.insert(message.payload.end(), bytes.begin(), bytes.end());
  }
  erase(it);
  result.outcome = AddOutcome::Completed;
  result.message = std::move(message);
  return result;
}

std::vector<DroppedMessage> ConcatReassembler::expire(TimePoint now) {
  std::vector<DroppedMessage> out;
  for (auto it = pending_.begin(); it != pending_.end();) {
    if (now - it->second.firstSeen >= limits_.timeout) {
      out.push_back(dropped(it->first, it->second, DropReason::Timeout));
      auto next = std::next(it);
      erase(it);
      it = next;
    } else {
      ++it;
    }
  }
  return out;
}

}  // namespace mfigw::smpp
