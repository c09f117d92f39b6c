// smpp/concat_reassembler.hpp: joins the parts of a concatenated MO SMS.
//
// Purpose:   A borrower's long reply arrives as several deliver_sm, each carrying a UDH
//            (IEI 0x00 8-bit or 0x08 16-bit reference) or sar_* TLVs, in any order and
//            sometimes twice (SMSC retries). The reassembler keys parts by (source address,
//            reference, total), ignores duplicates, hands back the joined payload when the
//            last part arrives, and drops what never completes: after a timeout, or when the
//            pending table is full (oldest first). Dropped messages are reported so the
//            gateway can log and count them.
//            Payloads are joined as raw bytes and decoded by the caller afterwards, so a
//            GSM escape or a surrogate pair that a sender split across parts still decodes.
// Threading: Not thread-safe; one instance per session/strand.
// Errors:    Values: AddOutcome says what happened to a part; nothing throws.
// Ownership: Owns copies of the pending payloads, bounded by maxPending messages and
//            maxPendingOctets payload octets in total (oldest evicted first).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

namespace mfigw::smpp {

struct ConcatInfo {
  uint16_t reference = 0;
  uint8_t total = 0;
  uint8_t sequence = 0;  // 1-based
  bool operator==(const ConcatInfo&) const = default;
};

struct UserDataHeader {
  size_t length = 0;                 // octets the UDH occupies, UDHL included
  std::optional<ConcatInfo> concat;  // from IEI 0x00 or 0x08, if present
};

// Parses the UDH at the start of a short_message sent with esm_class UDHI (0x40). Returns
// nullopt when the header is malformed (length past the end, an IE overrunning it).
std::optional<UserDataHeader> parseUserDataHeader(std::span<const uint8_t> userData);

// SAR TLV values as received (sar_msg_ref_num, sar_total_segments, sar_segment_seqnum).
inline ConcatInfo concatFromSar(uint16_t msgRefNum, uint8_t totalSegments, uint8_t segmentSeqnum) {
  return ConcatInfo{msgRefNum, totalSegments, segmentSeqnum};
}

struct ConcatPart {
  std::string source;  // source address as received (the key, never logged unmasked)
  ConcatInfo info;
  uint8_t dataCoding = 0;        // carried through to the joined message (first part's)
  std::vector<uint8_t> payload;  // user data after the UDH
};

struct ReassembledMessage {
  std::string source;
  uint16_t reference = 0;
  uint8_t total = 0;
  uint8_t dataCoding = 0;
  std::vector<uint8_t> payload;  // parts 1..total joined in order
};

enum class DropReason { Timeout, Evicted };
std::string_view toString(DropReason reason);

struct DroppedMessage {
  std::string source;
  uint16_t reference = 0;
  uint8_t total = 0;
  uint8_t received = 0;  // distinct parts that had arrived
  DropReason reason = DropReason::Timeout;
};

enum class AddOutcome {
  Completed,  // this part completed a message: see AddResult::message
  Pending,    // stored, more parts to come
  Duplicate,  // this sequence number was already stored: ignored
  Invalid,    // total 0, sequence 0, sequence > total, or payload > maxPendingOctets
};
std::string_view toString(AddOutcome outcome);

struct AddResult {
  AddOutcome outcome = AddOutcome::Pending;
  std::optional<ReassembledMessage> message;
  std::vector<DroppedMessage> evicted;  // pending messages pushed out to make room
};

struct ReassemblyLimits {
  size_t maxPending = 1024;
  size_t maxPendingOctets = 4 * 1024 * 1024;  // parts may come in message_payload (64 KB)
  // Measured from a message's first part: a message that trickles in forever still ends.
  std::chrono::seconds timeout{300};
};

class ConcatReassembler {
 public:
  using TimePoint = std::chrono::steady_clock::time_point;

  explicit ConcatReassembler(ReassemblyLimits limits = {});

  AddResult add(ConcatPart part, TimePoint now);
  // Drops and returns every pending message whose first part is at least `timeout` old.
  std::vector<DroppedMessage> expire(TimePoint now);
  size_t pendingCount() const { return pending_.size(); }
  size_t pendingOctets() const { return pendingOctets_; }

 private:
  using Key = std::tuple<std::string, uint16_t, uint8_t>;
  struct Pending {
    TimePoint firstSeen;
    uint64_t order = 0;  // arrival order of the first part, for eviction
    uint8_t dataCoding = 0;
    std::map<uint8_t, std::vector<uint8_t>> parts;  // by sequence
  };
  static DroppedMessage dropped(const Key& key, const Pending& pending, DropReason reason);
  void erase(std::map<Key, Pending>::iterator it);
  void evictOldest(std::vector<DroppedMessage>& out, const Key* keep);

  ReassemblyLimits limits_;
  std::map<Key, Pending> pending_;
  uint64_t nextOrder_ = 0;
  size_t pendingOctets_ = 0;
};

}  // namespace mfigw::smpp
