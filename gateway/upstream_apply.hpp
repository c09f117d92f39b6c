// What the sync's answers do to the store, inside the caller's write transaction.
//
// Purpose: the store side of the upstream sync, free of sockets and timers so it is tested
//   on its own. The sync service runs each of these as ONE group-commit item, so the LMDB
//   commit is the checkpoint:
//     - applyPage: a pulled page's upserts and deletions AND the feed's new cursor. After a
//       crash or a cut connection the next pull starts after the last committed page: a
//       page is never applied twice nor skipped.
//     - applyAnswers: upstream's per-event answers for one pushed batch (accepted and
//       duplicate leave the outbox, rejected keep the reason, unanswered stay pending).
//     - reconcile: on a count/hash mismatch for a branch, startResync() records a re-pull
//       of that branch as a cursor "loans@<branch>" (its lastSuccessUnix holds the re-pull's
//       start, the sweep threshold). Every loan the re-pull delivers is stamped with an
//       `asof` at or after that threshold; when its last page commits, the branch's loans
//       still stamped before it (the server no longer has them: missed deletes) are removed
//       and the re-pull cursor with them, in that same transaction.
//   Applied loans get `asof` = the caller's stamp: the moment the appliance confirmed them.
// Threading: each function runs in the txn it is given (on the group-commit writer thread).
// Errors: StoreError / MapFull from LMDB propagate (the group commit then fails the item and
//   nothing of it is written); InvalidRecord cannot happen for pages from decodeChangePage,
//   which leaves out-of-bounds records out.
// Ownership: borrows the tables; values out.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "gateway/upstream_codec.hpp"
#include "store/loan_book.hpp"
#include "store/reconcile_digest.hpp"
#include "store/txn.hpp"
#include "store/upstream_events.hpp"

namespace mfigw::gateway {

// Cursor records the sync keeps beside the feeds' own.
inline constexpr std::string_view kResyncFeedPrefix = "loans@";
inline constexpr std::string_view kReconcileCursorName = "reconcile";

[[nodiscard]] std::string resyncFeedName(std::uint16_t branch);
[[nodiscard]] std::optional<std::uint16_t> resyncBranch(std::string_view feedName);

struct Resync {
  std::uint16_t branch = 0;
  ChangeCursor cursor;
  std::uint32_t sweepBefore = 0;  // loans of the branch with asof below this go at the end
  bool operator==(const Resync&) const = default;
};

[[nodiscard]] std::vector<Resync> pendingResyncs(const store::Txn& txn,
                                                 const store::LoanBook& book);
// Where a feed's pull stands (the start when it never ran).
[[nodiscard]] ChangeCursor feedCursor(const store::Txn& txn, const store::LoanBook& book,
                                      UpstreamFeed feed);
// The last complete pull of any feed, epoch seconds; 0 when none.
[[nodiscard]] std::int64_t lastCompletePull(const store::Txn& txn, const store::LoanBook& book);

struct PageOutcome {
  std::uint64_t upserted = 0;
  std::uint64_t deleted = 0;
  std::uint64_t swept = 0;  // re-pulls only
};

// A page of a feed and the feed's cursor, which moves to page.next. `nowUnix` becomes the
// cursor's lastSuccessUnix when the page is the feed's last (has_more false).
PageOutcome applyPage(store::WriteTxn& txn, const store::LoanBook& book, const ChangePage& page,
                      std::uint32_t asOf, std::int64_t nowUnix);
// A page of a branch re-pull (loans only). `asOf` must be >= resync.sweepBefore.
PageOutcome applyResyncPage(store::WriteTxn& txn, const store::LoanBook& book,
                            const ChangePage& page, const Resync& resync, std::uint32_t asOf);

// Records a re-pull of `branch` unless one is running already. Returns whether it started.
bool startResync(store::WriteTxn& txn, const store::LoanBook& book, std::uint16_t branch,
                 std::uint32_t sweepBefore);

// Branches whose count or hash differ, in branch order (a branch missing on one side
// counts as count 0, hash 0 there).
[[nodiscard]] std::vector<std::uint16_t> mismatchedBranches(
    std::span<const store::BranchDigest> local, std::span<const store::BranchDigest> remote);

void saveReconcileTime(store::WriteTxn& txn, const store::LoanBook& book, std::int64_t nowUnix);
[[nodiscard]] std::optional<std::int64_t> lastReconcileTime(const store::Txn& txn,
                                                            const store::LoanBook& book);

struct PushOutcome {
  std::uint64_t accepted = 0;
  std::uint64_t duplicate = 0;
  std::uint64_t rejected = 0;
  std::uint64_t unanswered = 0;
};

// `sent` is the batch as pushed; answers for other keys are ignored.
PushOutcome applyAnswers(store::WriteTxn& txn, const store::UpstreamEvents& events,
                         std::span<const store::UpstreamEvent> sent,
                         std::span<const EventAnswer> answers);

}  // namespace mfigw::gateway
