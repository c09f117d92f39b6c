#include "gateway/upstream_apply.hpp"

#include <algorithm>
#include <charconv>
#include <map>
#include <utility>

namespace mfigw::gateway {
namespace {

store::SyncCursor cursorRecord(std::string feed, const ChangeCursor& at, std::int64_t unix) {
  store::SyncCursor cursor;
  cursor.feed = std::move(feed);
  cursor.ver = at.ver;
  cursor.id = at.id;
  cursor.lastSuccessUnix = unix;
  return cursor;
}

// Upserts and deletions of one page; the caller saves the cursor.
PageOutcome applyRecords(store::WriteTxn& txn, const store::LoanBook& book, const ChangePage& page,
                         std::uint32_t asOf) {
  PageOutcome out;
  for (const store::Client& r : page.clients)
    book.upsertClient(txn, r);
  for (const store::Group& r : page.groups)
    book.upsertGroup(txn, r);
  for (const store::PaymentPoint& r : page.paymentPoints)
    book.upsertPaymentPoint(txn, r);
  for (store::LoanSnapshot loan : page.loans) {
    loan.asOf = asOf;
    book.upsertLoan(txn, loan);
  }
  out.upserted = page.upserts();
  for (const Deletion& d : page.deletions) {
    bool removed = false;
    switch (page.feed) {
      case UpstreamFeed::Clients:
        removed = book.removeClient(txn, d.id);
        break;
      case UpstreamFeed::Groups:
        removed = book.removeGroup(txn, d.id);
        break;
      case UpstreamFeed::PaymentPoints:
        removed = book.removePaymentPoint(txn, d.id);
        break;
      case UpstreamFeed::Loans:
        removed = book.removeLoan(txn, d.id);
        break;
    }
    // A deletion of a record we never had is normal (created and deleted between pulls).
    if (removed) ++out.deleted;
  }
  return out;
}

}  // namespace

std::string resyncFeedName(std::uint16_t branch) {
  return std::string(kResyncFeedPrefix) + std::to_string(branch);
}

std::optional<std::uint16_t> resyncBranch(std::string_view feedName) {
  if (!feedName.starts_with(kResyncFeedPrefix)) return std::nullopt;
  const std::string_view digits = feedName.substr(kResyncFeedPrefix.size());
  std::uint16_t branch = 0;
  const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), branch);
  if (digits.empty() || ec != std::errc() || end != digits.data() + digits.size()) {
    return std::nullopt;
  }
  return branch;
}

std::vector<Resync> pendingResyncs(const store::Txn& txn, const store::LoanBook& book) {
  std::vector<Resync> out;
  book.syncCursorTable().forEach(
      txn,
      [&out](std::string_view, const store::SyncCursor& cursor) {
        if (const auto branch = resyncBranch(cursor.feed)) {
          out.push_back(Resync{*branch, ChangeCursor{cursor.ver, cursor.id},
                               static_cast<std::uint32_t>(cursor.lastSuccessUnix)});
        }
      },
      kResyncFeedPrefix);
  return out;
}

ChangeCursor feedCursor(const store::Txn& txn, const store::LoanBook& book, UpstreamFeed feed) {
  const auto cursor = book.cursor(txn, toString(feed));
  return cursor ? ChangeCursor{cursor->ver, cursor->id} : ChangeCursor{};
}

std::int64_t lastCompletePull(const store::Txn& txn, const store::LoanBook& book) {
  std::int64_t last = 0;
  for (const UpstreamFeed feed : kUpstreamFeeds) {
    if (const auto cursor = book.cursor(txn, toString(feed))) {
      last = std::max(last, cursor->lastSuccessUnix);
    }
  }
  return last;
}

PageOutcome applyPage(store::WriteTxn& txn, const store::LoanBook& book, const ChangePage& page,
                      std::uint32_t asOf, std::int64_t nowUnix) {
  const PageOutcome out = applyRecords(txn, book, page, asOf);
  const std::string feed(toString(page.feed));
  std::int64_t lastSuccess = nowUnix;
  if (page.hasMore) {
    // Mid-pull: the feed is not complete yet, so its last complete pull stays what it was.
    const auto previous = book.cursor(txn, feed);
    lastSuccess = previous ? previous->lastSuccessUnix : 0;
  }
  book.saveCursor(txn, cursorRecord(feed, page.next, lastSuccess));
  return out;
}

PageOutcome applyResyncPage(store::WriteTxn& txn, const store::LoanBook& book,
                            const ChangePage& page, const Resync& resync, std::uint32_t asOf) {
  PageOutcome out = applyRecords(txn, book, page, std::max(asOf, resync.sweepBefore));
  const std::string name = resyncFeedName(resync.branch);
  if (page.hasMore) {
    book.saveCursor(txn, cursorRecord(name, page.next, resync.sweepBefore));
    return out;
  }
  // The whole branch has been delivered again: what it did not deliver is gone upstream.
  std::vector<std::string> stale;
  book.loanTable().forEach(txn, [&](std::string_view, const store::LoanSnapshot& loan) {
    if (loan.branch == resync.branch && loan.asOf < resync.sweepBefore) {
      stale.push_back(loan.loanId);
    }
  });
  for (const std::string& lid : stale) {
    if (book.removeLoan(txn, lid)) ++out.swept;
  }
  book.syncCursorTable().erase(txn, name);
  return out;
}

bool startResync(store::WriteTxn& txn, const store::LoanBook& book, std::uint16_t branch,
                 std::uint32_t sweepBefore) {
  const std::string name = resyncFeedName(branch);
  if (book.cursor(txn, name)) return false;
  book.saveCursor(txn, cursorRecord(name, ChangeCursor{}, sweepBefore));
  return true;
}

std::vector<std::uint16_t> mismatchedBranches(std::span<const store::BranchDigest> local,
                                              std::span<const store::BranchDigest> remote) {
  std::map<std::uint16_t, std::pair<store::BranchDigest, store::BranchDigest>> both;
  for (const store::BranchDigest& d : local)
    both[d.branch].first = d;
  for (const store::BranchDigest& d : remote)
    both[d.branch].second = d;
  std::vector<std::uint16_t> out;
  for (const auto& [branch, pair] : both) {
    const auto& [mine, theirs] = pair;
    if (mine.count != theirs.count || mine.hash != theirs.hash) out.push_back(branch);
  }
  return out;
}

void saveReconcileTime(store::WriteTxn& txn, const store::LoanBook& book, std::int64_t nowUnix) {
  book.saveCursor(txn, cursorRecord(std::string(kReconcileCursorName), ChangeCursor{}, nowUnix));
}

std::optional<std::int64_t> lastReconcileTime(const store::Txn& txn, const store::LoanBook& book) {
  const auto cursor = book.cursor(txn, kReconcileCursorName);
  if (!cursor) return std::nullopt;
  return cursor->lastSuccessUnix;
}

PushOutcome applyAnswers(store::WriteTxn& txn, const store::UpstreamEvents& events,
                         std::span<const store::UpstreamEvent> sent,
                         std::span<const EventAnswer> answers) {
  std::map<store::EventKey, const EventAnswer*> byKey;
  for (const EventAnswer& a : answers)
    byKey.emplace(a.key, &a);
  PushOutcome out;
  for (const store::UpstreamEvent& event : sent) {
    const auto it = byKey.find(event.key);
    if (it == byKey.end()) {
      events.recordAttempt(txn, event.key);
      ++out.unanswered;
      continue;
    }
    switch (it->second->result) {
      case EventResult::Accepted:
        events.markAccepted(txn, event.key);
        ++out.accepted;
        break;
      case EventResult::Duplicate:
        events.markDuplicate(txn, event.key);
        ++out.duplicate;
        break;
      case EventResult::Rejected:
        events.markRejected(txn, event.key, it->second->reason);
        ++out.rejected;
        break;
    }
  }
  return out;
}

}  // namespace mfigw::gateway
