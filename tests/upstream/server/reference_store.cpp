#include "tests/upstream/server/reference_store.hpp"

#include <nlohmann/json.hpp>

#include "store/reconcile_digest.hpp"

namespace mfigw::testing {
namespace {

using gateway::UpstreamFeed;

constexpr char kUpsert = 'U';
constexpr char kTombstone = 'D';
constexpr std::uint64_t kFirstVer = 1000;

std::string bigEndian(std::uint64_t v) {
  std::string out(8, '\0');
  for (int i = 7; i >= 0; --i) {
    out[static_cast<std::size_t>(i)] = static_cast<char>(v & 0xFF);
    v >>= 8;
  }
  return out;
}

std::uint64_t fromBigEndian(std::string_view bytes) {
  std::uint64_t v = 0;
  for (std::size_t i = 0; i < 8 && i < bytes.size(); ++i) {
    v = (v << 8) | static_cast<unsigned char>(bytes[i]);
  }
  return v;
}

char feedByte(UpstreamFeed feed) {
  return static_cast<char>('0' + static_cast<int>(feed));
}

std::string changeKey(UpstreamFeed feed, std::uint64_t ver, std::string_view id) {
  return std::string(1, feedByte(feed)) + bigEndian(ver) + std::string(id);
}

std::string latestKey(UpstreamFeed feed, std::string_view id) {
  return std::string(1, feedByte(feed)) + std::string(id);
}

}  // namespace

ReferenceStore::ReferenceStore(const std::string& dir) {
  store::EnvOptions options;
  options.path = dir;
  options.mapSize = 64ull << 20;
  options.maxMapSize = 1ull << 30;
  options.maxDbs = 64;
  options.durability = store::Durability::Relaxed;
  env_ = std::make_unique<store::Env>(options);
  tables_ = store::openBusinessTables(*env_);
  env_->write([this](store::WriteTxn& txn) {
    changes_ = txn.openDbi("ref_changes");
    latest_ = txn.openDbi("ref_latest");
    events_ = txn.openDbi("ref_events");
    meta_ = txn.openDbi("ref_meta");
  });
}

std::uint64_t ReferenceStore::nextVer(store::WriteTxn& txn) const {
  const auto held = txn.get(meta_, "ver");
  const std::uint64_t ver = held ? fromBigEndian(*held) + 1 : kFirstVer;
  txn.put(meta_, "ver", bigEndian(ver));
  return ver;
}

void ReferenceStore::logChange(store::WriteTxn& txn, UpstreamFeed feed, const std::string& id,
                               std::uint64_t ver, bool deleted) const {
  // One entry per id: its latest change replaces the previous one in the log.
  const std::string latest = latestKey(feed, id);
  if (const auto previous = txn.get(latest_, latest)) {
    txn.erase(changes_, changeKey(feed, fromBigEndian(*previous), id));
  }
  txn.put(latest_, latest, bigEndian(ver));
  txn.put(changes_, changeKey(feed, ver, id), std::string(1, deleted ? kTombstone : kUpsert));
}

std::uint64_t ReferenceStore::putLoans(std::vector<store::LoanSnapshot> loans,
                                       std::size_t loansPerVer) {
  std::uint64_t ver = 0;
  env_->write([&](store::WriteTxn& txn) {
    const store::LoanBook& book = tables_.loanBook;
    for (std::size_t i = 0; i < loans.size(); ++i) {
      if (loansPerVer <= 1 || i % loansPerVer == 0) ver = nextVer(txn);
      loans[i].ver = ver;
      loans[i].asOf = 0;  // the appliance's field
      book.upsertLoan(txn, loans[i]);
      logChange(txn, UpstreamFeed::Loans, loans[i].loanId, ver, false);
    }
  });
  return ver;
}

std::uint64_t ReferenceStore::putClients(std::vector<store::Client> clients) {
  std::uint64_t ver = 0;
  env_->write([&](store::WriteTxn& txn) {
    for (store::Client& c : clients) {
      c.ver = ver = nextVer(txn);
      tables_.loanBook.upsertClient(txn, c);
      logChange(txn, UpstreamFeed::Clients, c.cid, ver, false);
    }
  });
  return ver;
}

std::uint64_t ReferenceStore::putGroups(std::vector<store::Group> groups) {
  std::uint64_t ver = 0;
  env_->write([&](store::WriteTxn& txn) {
    for (store::Group& g : groups) {
      g.ver = ver = nextVer(txn);
      tables_.loanBook.upsertGroup(txn, g);
      logChange(txn, UpstreamFeed::Groups, g.id, ver, false);
    }
  });
  return ver;
}

std::uint64_t ReferenceStore::putPaymentPoints(std::vector<store::PaymentPoint> points) {
  std::uint64_t ver = 0;
  env_->write([&](store::WriteTxn& txn) {
    for (store::PaymentPoint& p : points) {
      p.ver = ver = nextVer(txn);
      tables_.loanBook.upsertPaymentPoint(txn, p);
      logChange(txn, UpstreamFeed::PaymentPoints, p.id, ver, false);
    }
  });
  return ver;
}

void ReferenceStore::deleteLoan(const std::string& lid, bool tombstone) {
  env_->write([&](store::WriteTxn& txn) {
    tables_.loanBook.removeLoan(txn, lid);
    if (tombstone) {
      logChange(txn, UpstreamFeed::Loans, lid, nextVer(txn), true);
      return;
    }
    // Gone without a trace: no tombstone, and its last change leaves the log too.
    const std::string latest = latestKey(UpstreamFeed::Loans, lid);
    if (const auto previous = txn.get(latest_, latest)) {
      txn.erase(changes_, changeKey(UpstreamFeed::Loans, fromBigEndian(*previous), lid));
      txn.erase(latest_, latest);
    }
  });
}

void ReferenceStore::deleteClient(const std::string& cid) {
  env_->write([&](store::WriteTxn& txn) {
    tables_.loanBook.removeClient(txn, cid);
    logChange(txn, UpstreamFeed::Clients, cid, nextVer(txn), true);
  });
}

gateway::ChangePage ReferenceStore::page(UpstreamFeed feed, const gateway::ChangeCursor& after,
                                         std::size_t limit,
                                         std::optional<std::uint16_t> branch) const {
  gateway::ChangePage out;
  out.feed = feed;
  out.next = after;
  store::ReadTxn txn = env_->beginRead();
  const store::LoanBook& book = tables_.loanBook;
  store::Cursor cursor(txn, changes_);
  const std::string start = changeKey(feed, after.ver, after.id);
  std::size_t taken = 0;
  for (auto entry = cursor.seek(start); entry; entry = cursor.next()) {
    const auto [key, value] = *entry;
    if (key.empty() || key[0] != feedByte(feed)) break;
    if (key == start) continue;  // strictly after the cursor
    const std::uint64_t ver = fromBigEndian(key.substr(1, 8));
    const std::string id(key.substr(9));
    const bool deleted = !value.empty() && value[0] == kTombstone;
    std::optional<store::LoanSnapshot> loan;
    if (feed == UpstreamFeed::Loans && !deleted) loan = book.loan(txn, id);
    // A branch re-pull carries that branch's live loans only; its deletes are the sweep's.
    const bool wanted = !branch || (loan && loan->branch == *branch);
    if (!wanted) {
      if (taken < limit) out.next = {ver, id};
      continue;
    }
    if (taken == limit) {
      out.hasMore = true;
      break;
    }
    ++taken;
    out.next = {ver, id};
    if (deleted) {
      out.deletions.push_back({id, ver});
      continue;
    }
    switch (feed) {
      case UpstreamFeed::Loans:
        if (loan) out.loans.push_back(*loan);
        break;
      case UpstreamFeed::Clients:
        if (auto c = book.client(txn, id)) out.clients.push_back(*c);
        break;
      case UpstreamFeed::Groups:
        if (auto g = book.group(txn, id)) out.groups.push_back(*g);
        break;
      case UpstreamFeed::PaymentPoints:
        if (auto p = book.paymentPoint(txn, id)) out.paymentPoints.push_back(*p);
        break;
    }
  }
  for (store::LoanSnapshot& l : out.loans)
    l.asOf = 0;
  return out;
}

std::vector<store::BranchDigest> ReferenceStore::digests(
    std::optional<std::uint16_t> branch) const {
  store::ReadTxn txn = env_->beginRead();
  if (branch) return {store::reconcileDigest(txn, tables_.loanBook.loanTable(), *branch)};
  return store::reconcileDigests(txn, tables_.loanBook.loanTable());
}

std::uint64_t ReferenceStore::loanCount() const {
  store::ReadTxn txn = env_->beginRead();
  return txn.count(tables_.loanBook.loanTable().dbi());
}

std::optional<store::LoanSnapshot> ReferenceStore::loan(const std::string& lid) const {
  store::ReadTxn txn = env_->beginRead();
  return tables_.loanBook.loan(txn, lid);
}

std::vector<bool> ReferenceStore::storeEvents(const std::vector<gateway::WireEvent>& events) {
  std::vector<bool> fresh(events.size(), false);
  env_->write([&](store::WriteTxn& txn) {
    for (std::size_t i = 0; i < events.size(); ++i) {
      const auto& e = events[i];
      const std::string key(e.key.begin(), e.key.end());
      const nlohmann::json value = {
          {"seq", e.seq}, {"t", e.type}, {"at", e.createdAt}, {"p", e.payload}};
      fresh[i] = txn.put(events_, key, value.dump(), MDB_NOOVERWRITE);
    }
  });
  return fresh;
}

std::size_t ReferenceStore::eventCount() const {
  store::ReadTxn txn = env_->beginRead();
  return txn.count(events_);
}

std::optional<gateway::WireEvent> ReferenceStore::event(const store::EventKey& key) const {
  store::ReadTxn txn = env_->beginRead();
  const auto raw = txn.get(events_, std::string(key.begin(), key.end()));
  if (!raw) return std::nullopt;
  const auto value = nlohmann::json::parse(*raw);
  gateway::WireEvent e;
  e.key = key;
  e.seq = value.at("seq").get<std::uint64_t>();
  e.type = value.at("t").get<std::string>();
  e.createdAt = value.at("at").get<std::int64_t>();
  e.payload = value.at("p").get<std::string>();
  return e;
}

}  // namespace mfigw::testing
