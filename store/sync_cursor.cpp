#include "store/sync_cursor.hpp"

#include "store/encoding.hpp"

namespace mfigw::store {

std::vector<FieldProblem> syncCursorProblems(const SyncCursor& cursor) {
  FieldChecks check;
  check.id("feed", cursor.feed, kMaxFeedNameBytes);
  check.text("id", cursor.id, 0, kMaxIdBytes);
  return check.take();
}

// v1: version u8, feed str, ver u64, id str, last success i64.
std::string SyncCursorCodec::encodeValue(const SyncCursor& cursor) {
  throwIfInvalid("sync cursor", cursor.feed, syncCursorProblems(cursor));
  return Encoder(24 + cursor.feed.size() + cursor.id.size())
      .version(kVersion)
      .str(cursor.feed)
      .u64(cursor.ver)
      .str(cursor.id)
      .i64(cursor.lastSuccessUnix)
      .take();
}

SyncCursor SyncCursorCodec::decodeValue(std::string_view bytes) {
  Decoder in(bytes);
  in.version(kVersion);
  SyncCursor cursor;
  cursor.feed = in.str();
  cursor.ver = in.u64();
  cursor.id = in.str();
  cursor.lastSuccessUnix = in.i64();
  in.expectEnd();
  return cursor;
}

}  // namespace mfigw::store
