// store/loan_book.hpp: the local copy of the MFI's loan book, with its indexes.
//
// Purpose:   One facade over the loan-book tables: clients, MSISDN -> client, loan
//            snapshots, client -> loans, groups, group -> members, payment points, areas
//            (area code -> centre) and cell towers (cell id -> position) for the locator,
//            and the sync cursors. Every write helper keeps the secondary indexes consistent with
//            the records inside the ONE WriteTxn the caller passes, so the sync can apply a
//            page of records and its cursor in a single commit (the commit is the
//            checkpoint). Reads serve the menus, reminders and SMS replies from the local
//            copy while the link to upstream is down.
//            Index rules:
//              - one MSISDN names one client: upserting a client whose MSISDN maps to
//                another client re-points the mapping and clears that other client's
//                `msisdn` (same txn), so no two client records claim one phone;
//              - loans of a client follow each loan's `clientId`;
//              - group members follow each client's `groupId` (the group record need not
//                exist yet: pages of different feeds arrive in any order);
//              - removing a client does not remove its loans (each feed has its own
//                tombstones); it drops the client's MSISDN mapping and membership.
//            Upserts are unconditional (upstream is authoritative and the sync applies
//            pages in cursor order); they do not compare `ver`.
// Threading: An immutable set of handles after open(): share it. Each call runs in the
//            txn it is given (see txn.hpp: a WriteTxn stays on its thread).
// Errors:    Upserts check the record's bounds before touching anything and throw
//            InvalidRecord (the txn is then unchanged by that call). StoreError / MapFull
//            from LMDB (after MapFull the txn is unusable). DecodeError for a corrupt
//            record. Lookups of an empty or over-long id return nothing.
// Ownership: Holds table handles only; the Env must outlive it. open() in a write txn and
//            commit before using the handles in other txns.
#pragma once

#include "store/area.hpp"
#include "store/cell_tower.hpp"
#include "store/client.hpp"
#include "store/counters.hpp"
#include "store/group.hpp"
#include "store/loan_snapshot.hpp"
#include "store/pair_index.hpp"
#include "store/payment_point.hpp"
#include "store/sync_cursor.hpp"
#include "store/txn.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mfigw::store {

// The loan book's table names (all in the durable env).
struct LoanBookTableNames {
  static constexpr const char* kClients = "clients";
  static constexpr const char* kClientsByMsisdn = "clients_by_msisdn";
  static constexpr const char* kLoans = "loans";
  static constexpr const char* kLoansByClient = "loans_by_client";
  static constexpr const char* kGroups = "groups";
  static constexpr const char* kGroupMembers = "group_members";
  static constexpr const char* kPaymentPoints = "payment_points";
  static constexpr const char* kSyncCursors = "sync_cursors";
  static constexpr const char* kAreas = "areas";             // business schema 6
  static constexpr const char* kCellTowers = "cell_towers";  // business schema 6
};

// Counter bumped (in the writing txn) on every payment-point or area change: the locator's
// index holds both.
inline constexpr const char* kPaymentPointsGenerationCounter = "payment_points.generation";

class LoanBook {
 public:
  LoanBook() = default;  // unopened

  // Opens (creating if needed) every loan-book table.
  static LoanBook open(WriteTxn& txn);

  // ---- writes: each keeps the indexes consistent within `txn` ----
  // Returns true when the record is new, false when it replaced one.
  bool upsertClient(WriteTxn& txn, const Client& client) const;
  bool removeClient(WriteTxn& txn, std::string_view cid) const;
  bool upsertLoan(WriteTxn& txn, const LoanSnapshot& loan) const;
  bool removeLoan(WriteTxn& txn, std::string_view lid) const;
  bool upsertGroup(WriteTxn& txn, const Group& group) const;
  bool removeGroup(WriteTxn& txn, std::string_view id) const;
  bool upsertPaymentPoint(WriteTxn& txn, const PaymentPoint& point) const;
  bool removePaymentPoint(WriteTxn& txn, std::string_view id) const;
  bool upsertArea(WriteTxn& txn, const Area& area) const;
  bool removeArea(WriteTxn& txn, uint32_t code) const;
  // Cell towers are looked up by key, never indexed in memory: no generation bump.
  bool upsertCellTower(WriteTxn& txn, const CellTower& tower) const;
  void saveCursor(WriteTxn& txn, const SyncCursor& cursor) const;

  // ---- lookups ----
  std::optional<Client> client(const Txn& txn, std::string_view cid) const;
  std::optional<Client> clientByMsisdn(const Txn& txn, std::string_view msisdn) const;
  std::optional<LoanSnapshot> loan(const Txn& txn, std::string_view lid) const;
  // The client's loans in loan-id order (closed ones too: filter by status).
  std::vector<LoanSnapshot> loansOfClient(const Txn& txn, std::string_view cid) const;
  std::vector<std::string> loanIdsOfClient(const Txn& txn, std::string_view cid) const;
  std::optional<Group> group(const Txn& txn, std::string_view id) const;
  // Client ids whose groupId is `id`, in byte order.
  std::vector<std::string> membersOfGroup(const Txn& txn, std::string_view id) const;
  std::optional<PaymentPoint> paymentPoint(const Txn& txn, std::string_view id) const;
  std::optional<Area> area(const Txn& txn, uint32_t code) const;
  std::optional<CellTower> cellTower(const Txn& txn, const CellId& id) const;
  std::optional<SyncCursor> cursor(const Txn& txn, std::string_view feed) const;
  // Changes whenever a payment point or an area is upserted or removed (and only then):
  // the locator's index compares it to the generation it was built from.
  uint64_t paymentPointsGeneration(const Txn& txn) const;

  // ---- the tables, for scans (reconcile digest, locator index, metrics) ----
  // Write through the helpers above, never through these, or the indexes drift.
  const ClientTable& clientTable() const noexcept { return clients_; }
  const MsisdnIndex& msisdnIndex() const noexcept { return clientsByMsisdn_; }
  const LoanTable& loanTable() const noexcept { return loans_; }
  const PairIndex& loansByClientIndex() const noexcept { return loansByClient_; }
  const GroupTable& groupTable() const noexcept { return groups_; }
  const PairIndex& groupMembersIndex() const noexcept { return groupMembers_; }
  const PaymentPointTable& paymentPointTable() const noexcept { return paymentPoints_; }
  const SyncCursorTable& syncCursorTable() const noexcept { return syncCursors_; }
  const AreaTable& areaTable() const noexcept { return areas_; }
  const CellTowerTable& cellTowerTable() const noexcept { return cellTowers_; }

 private:
  ClientTable clients_;
  MsisdnIndex clientsByMsisdn_;
  LoanTable loans_;
  PairIndex loansByClient_;
  GroupTable groups_;
  PairIndex groupMembers_;
  PaymentPointTable paymentPoints_;
  SyncCursorTable syncCursors_;
  CounterTable counters_;
  AreaTable areas_;
  CellTowerTable cellTowers_;
};

}  // namespace mfigw::store
