// The reference upstream's data: the loan book in the gateway's own tables, plus a change
// log ordered by (ver, id) per feed, each id's latest change, and the events received.
//
// Purpose: answers the protocol's three questions from LMDB: the page of a feed after a
//   compound cursor (optionally only one branch's live loans), the digest per branch
//   (store/reconcile_digest.hpp, the very function the gateway uses) and whether an event
//   key was seen before.
//   Change log key: feed (1 byte) | ver (8 bytes, big-endian) | id, so a cursor seek walks
//   (ver, id) order. Value: 'U' (upsert: the record is in the loan book) or 'D' (tombstone).
// Threading: thread-safe (LMDB; one writer at a time, readers in parallel).
// Errors: StoreError from LMDB.
// Ownership: owns the Env.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "gateway/upstream_codec.hpp"
#include "store/business_tables.hpp"
#include "store/env.hpp"

namespace mfigw::testing {

class ReferenceStore {
 public:
  // Relaxed sync: a test server need not survive power loss, and seeding 10,000 loans
  // should not cost 10,000 fsyncs.
  explicit ReferenceStore(const std::string& dir);

  std::uint64_t putLoans(std::vector<store::LoanSnapshot> loans, std::size_t loansPerVer);
  std::uint64_t putClients(std::vector<store::Client> clients);
  std::uint64_t putGroups(std::vector<store::Group> groups);
  std::uint64_t putPaymentPoints(std::vector<store::PaymentPoint> points);
  void deleteLoan(const std::string& lid, bool tombstone);
  void deleteClient(const std::string& cid);

  [[nodiscard]] gateway::ChangePage page(gateway::UpstreamFeed feed,
                                         const gateway::ChangeCursor& after, std::size_t limit,
                                         std::optional<std::uint16_t> branch) const;
  [[nodiscard]] std::vector<store::BranchDigest> digests(std::optional<std::uint16_t> branch) const;
  [[nodiscard]] std::uint64_t loanCount() const;
  [[nodiscard]] std::optional<store::LoanSnapshot> loan(const std::string& lid) const;

  // Stores the events not seen before; returns, per event, whether it was new.
  std::vector<bool> storeEvents(const std::vector<gateway::WireEvent>& events);
  [[nodiscard]] std::size_t eventCount() const;
  [[nodiscard]] std::optional<gateway::WireEvent> event(const store::EventKey& key) const;

 private:
  std::uint64_t nextVer(store::WriteTxn& txn) const;
  void logChange(store::WriteTxn& txn, gateway::UpstreamFeed feed, const std::string& id,
                 std::uint64_t ver, bool deleted) const;

  std::unique_ptr<store::Env> env_;
  store::BusinessTables tables_;
  store::Dbi changes_ = 0;
  store::Dbi latest_ = 0;
  store::Dbi events_ = 0;
  store::Dbi meta_ = 0;
};

}  // namespace mfigw::testing
