#include "store/loan_book.hpp"

#include "store/sync_cursor.hpp"

#include <string>

namespace mfigw::store {
namespace {

// A key LMDB can hold and a record can have: ids are 1..kMaxIdBytes bytes. Looking up
// anything else would fail in LMDB (empty key) or can never match.
bool isLookupKey(std::string_view key, size_t maxBytes) {
  return !key.empty() && key.size() <= maxBytes;
}

constexpr size_t kMaxMsisdnDigits = 15;

}  // namespace

LoanBook LoanBook::open(WriteTxn& txn) {
  using Names = LoanBookTableNames;
  LoanBook book;
  book.clients_ = ClientTable::open(txn, Names::kClients);
  book.clientsByMsisdn_ = MsisdnIndex::open(txn, Names::kClientsByMsisdn);
  book.loans_ = LoanTable::open(txn, Names::kLoans);
  book.loansByClient_ = PairIndex::open(txn, Names::kLoansByClient);
  book.groups_ = GroupTable::open(txn, Names::kGroups);
  book.groupMembers_ = PairIndex::open(txn, Names::kGroupMembers);
  book.paymentPoints_ = PaymentPointTable::open(txn, Names::kPaymentPoints);
  book.syncCursors_ = SyncCursorTable::open(txn, Names::kSyncCursors);
  book.counters_ = CounterTable::open(txn, kCountersTable);
  book.areas_ = AreaTable::open(txn, Names::kAreas);
  book.cellTowers_ = CellTowerTable::open(txn, Names::kCellTowers);
  return book;
}

// ---- clients ----

bool LoanBook::upsertClient(WriteTxn& txn, const Client& client) const {
  // Check first: a refused record must leave the caller's txn as it was.
  throwIfInvalid("client", client.cid, clientProblems(client));
  const std::optional<Client> old = clients_.get(txn, client.cid);

  if (old && old->msisdn != client.msisdn && !old->msisdn.empty()) {
    // The client's old phone stops pointing at it, unless it was re-pointed already.
    if (clientsByMsisdn_.get(txn, old->msisdn) == client.cid) {
      clientsByMsisdn_.erase(txn, old->msisdn);
    }
  }
  if (!client.msisdn.empty()) {
    const std::optional<std::string> holder = clientsByMsisdn_.get(txn, client.msisdn);
    if (holder && *holder != client.cid) {
      // One phone, one client: the previous holder loses the number (upstream will send
      // its new one, if any, with its next change).
      if (std::optional<Client> other = clients_.get(txn, *holder);
          other && other->msisdn == client.msisdn) {
        other->msisdn.clear();
        clients_.put(txn, other->cid, *other);
      }
    }
    if (holder != client.cid) {
      clientsByMsisdn_.put(txn, client.msisdn, client.cid);
    }
  }

  if (old && old->groupId != client.groupId && !old->groupId.empty()) {
    groupMembers_.remove(txn, old->groupId, client.cid);
  }
  if (!client.groupId.empty()) {
    groupMembers_.add(txn, client.groupId, client.cid);
  }
  clients_.put(txn, client.cid, client);
  return !old.has_value();
}

bool LoanBook::removeClient(WriteTxn& txn, std::string_view cid) const {
  if (!isLookupKey(cid, kMaxIdBytes)) {
    return false;
  }
  const std::string key(cid);
  const std::optional<Client> old = clients_.get(txn, key);
  if (!old) {
    return false;
  }
  if (!old->msisdn.empty() && clientsByMsisdn_.get(txn, old->msisdn) == key) {
    clientsByMsisdn_.erase(txn, old->msisdn);
  }
  if (!old->groupId.empty()) {
    groupMembers_.remove(txn, old->groupId, key);
  }
  clients_.erase(txn, key);
  return true;
}

std::optional<Client> LoanBook::client(const Txn& txn, std::string_view cid) const {
  if (!isLookupKey(cid, kMaxIdBytes)) {
    return std::nullopt;
  }
  return clients_.get(txn, std::string(cid));
}

std::optional<Client> LoanBook::clientByMsisdn(const Txn& txn, std::string_view msisdn) const {
  if (!isLookupKey(msisdn, kMaxMsisdnDigits)) {
    return std::nullopt;
  }
  const std::optional<std::string> cid = clientsByMsisdn_.get(txn, std::string(msisdn));
  if (!cid) {
    return std::nullopt;
  }
  return clients_.get(txn, *cid);
}

// ---- loans ----

bool LoanBook::upsertLoan(WriteTxn& txn, const LoanSnapshot& loan) const {
  throwIfInvalid("loan snapshot", loan.loanId, loanSnapshotProblems(loan));
  const std::optional<LoanSnapshot> old = loans_.get(txn, loan.loanId);
  if (old && old->clientId != loan.clientId) {
    loansByClient_.remove(txn, old->clientId, loan.loanId);
  }
  loansByClient_.add(txn, loan.clientId, loan.loanId);
  loans_.put(txn, loan.loanId, loan);
  return !old.has_value();
}

bool LoanBook::removeLoan(WriteTxn& txn, std::string_view lid) const {
  if (!isLookupKey(lid, kMaxIdBytes)) {
    return false;
  }
  const std::string key(lid);
  const std::optional<LoanSnapshot> old = loans_.get(txn, key);
  if (!old) {
    return false;
  }
  loansByClient_.remove(txn, old->clientId, key);
  loans_.erase(txn, key);
  return true;
}

std::optional<LoanSnapshot> LoanBook::loan(const Txn& txn, std::string_view lid) const {
  if (!isLookupKey(lid, kMaxIdBytes)) {
    return std::nullopt;
  }
  return loans_.get(txn, std::string(lid));
}

std::vector<std::string> LoanBook::loanIdsOfClient(const Txn& txn, std::string_view cid) const {
  return loansByClient_.members(txn, cid);
}

std::vector<LoanSnapshot> LoanBook::loansOfClient(const Txn& txn, std::string_view cid) const {
  std::vector<LoanSnapshot> out;
  for (const std::string& lid : loansByClient_.members(txn, cid)) {
    if (std::optional<LoanSnapshot> found = loans_.get(txn, lid)) {
      out.push_back(std::move(*found));
    }
  }
  return out;
}

// ---- groups ----

bool LoanBook::upsertGroup(WriteTxn& txn, const Group& group) const {
  throwIfInvalid("group", group.id, groupProblems(group));
  const bool existed = groups_.contains(txn, group.id);
  groups_.put(txn, group.id, group);
  return !existed;
}

bool LoanBook::removeGroup(WriteTxn& txn, std::string_view id) const {
  // Members stay indexed: membership belongs to the client records.
  return isLookupKey(id, kMaxIdBytes) && groups_.erase(txn, std::string(id));
}

std::optional<Group> LoanBook::group(const Txn& txn, std::string_view id) const {
  if (!isLookupKey(id, kMaxIdBytes)) {
    return std::nullopt;
  }
  return groups_.get(txn, std::string(id));
}

std::vector<std::string> LoanBook::membersOfGroup(const Txn& txn, std::string_view id) const {
  return groupMembers_.members(txn, id);
}

// ---- payment points ----

bool LoanBook::upsertPaymentPoint(WriteTxn& txn, const PaymentPoint& point) const {
  throwIfInvalid("payment point", point.id, paymentPointProblems(point));
  const bool existed = paymentPoints_.contains(txn, point.id);
  paymentPoints_.put(txn, point.id, point);
  bumpCounter(txn, counters_, kPaymentPointsGenerationCounter);
  return !existed;
}

bool LoanBook::removePaymentPoint(WriteTxn& txn, std::string_view id) const {
  if (!isLookupKey(id, kMaxIdBytes) || !paymentPoints_.erase(txn, std::string(id))) {
    return false;
  }
  bumpCounter(txn, counters_, kPaymentPointsGenerationCounter);
  return true;
}

std::optional<PaymentPoint> LoanBook::paymentPoint(const Txn& txn, std::string_view id) const {
  if (!isLookupKey(id, kMaxIdBytes)) {
    return std::nullopt;
  }
  return paymentPoints_.get(txn, std::string(id));
}

uint64_t LoanBook::paymentPointsGeneration(const Txn& txn) const {
  return readCounter(txn, counters_, kPaymentPointsGenerationCounter);
}

// ---- areas ----

bool LoanBook::upsertArea(WriteTxn& txn, const Area& area) const {
  throwIfInvalid("area", std::to_string(area.code), areaProblems(area));
  const bool existed = areas_.contains(txn, area.code);
  areas_.put(txn, area.code, area);
  bumpCounter(txn, counters_, kPaymentPointsGenerationCounter);
  return !existed;
}

bool LoanBook::removeArea(WriteTxn& txn, uint32_t code) const {
  if (!areas_.erase(txn, code)) {
    return false;
  }
  bumpCounter(txn, counters_, kPaymentPointsGenerationCounter);
  return true;
}

std::optional<Area> LoanBook::area(const Txn& txn, uint32_t code) const {
  return areas_.get(txn, code);
}

// ---- cell towers ----

bool LoanBook::upsertCellTower(WriteTxn& txn, const CellTower& tower) const {
  const bool existed = cellTowers_.contains(txn, tower.id);
  cellTowers_.put(txn, tower.id, tower);  // the codec checks the bounds
  return !existed;
}

std::optional<CellTower> LoanBook::cellTower(const Txn& txn, const CellId& id) const {
  std::optional<CellTower> tower = cellTowers_.get(txn, id);
  if (tower) tower->id = id;  // the key holds the id
  return tower;
}

// ---- sync cursors ----

void LoanBook::saveCursor(WriteTxn& txn, const SyncCursor& cursor) const {
  syncCursors_.put(txn, cursor.feed, cursor);
}

std::optional<SyncCursor> LoanBook::cursor(const Txn& txn, std::string_view feed) const {
  if (!isLookupKey(feed, kMaxFeedNameBytes)) {
    return std::nullopt;
  }
  return syncCursors_.get(txn, std::string(feed));
}

}  // namespace mfigw::store
