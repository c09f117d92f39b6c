// store/sync_cursor.hpp: where each upstream feed's pull stopped.
//
// Purpose:   One record per named feed ("loans", "clients", "groups", "payment_points"):
//            the compound cursor (ver, id) of the last record applied, and when the feed
//            last synced successfully. The sync writes a page of records and this cursor in
//            ONE WriteTxn, so the LMDB commit is the checkpoint: after a crash the next
//            pull starts after the last committed page, never in the middle of one.
//            Records are ordered by (ver, id); the next page asks for (ver, id) > cursor.
// Threading: Table rules (see table.hpp).
// Errors:    SyncCursorCodec::encodeValue throws InvalidRecord when a field is out of
//            bounds; DecodeError for an undecodable record.
// Ownership: Plain values.
#pragma once

#include "store/record_check.hpp"
#include "store/table.hpp"

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace mfigw::store {

inline constexpr size_t kMaxFeedNameBytes = 32;

struct SyncCursor {
  std::string feed;             // 1..32 bytes, the key
  uint64_t ver = 0;             // ver of the last record applied (0: from the start)
  std::string id;               // id of that record; empty at the start
  int64_t lastSuccessUnix = 0;  // epoch seconds of the last complete pull; 0: never

  bool operator==(const SyncCursor&) const = default;
  // Compound order: (ver, id) byte-wise, the order the upstream pages in.
  bool isAfter(uint64_t otherVer, std::string_view otherId) const noexcept {
    return ver != otherVer ? ver > otherVer : std::string_view(id) > otherId;
  }
};

std::vector<FieldProblem> syncCursorProblems(const SyncCursor& cursor);

struct SyncCursorCodec {
  static constexpr uint8_t kVersion = 1;
  static std::string encodeKey(const std::string& feed) { return feed; }
  static std::string encodeValue(const SyncCursor& cursor);  // checks bounds first
  static SyncCursor decodeValue(std::string_view bytes);
};

using SyncCursorTable = Table<std::string, SyncCursor, SyncCursorCodec>;

}  // namespace mfigw::store
