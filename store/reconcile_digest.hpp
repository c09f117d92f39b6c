// store/reconcile_digest.hpp: per-branch count and hash of the loan book, for reconcile.
//
// Purpose:   The periodic reconcile compares, per branch, what the appliance holds with
//            what upstream holds; on a mismatch the sync re-pulls that branch (it catches
//            missed deletes and changes the cursor never saw). Both sides compute the same
//            digest from the same (lid, ver) pairs, so the function is specified exactly
//            here for the upstream side to reproduce:
//
//              fnv1a64(bytes) = FNV-1a, 64-bit: h = 0xcbf29ce484222325; for each byte b:
//                               h = (h XOR b) * 0x100000001b3            (mod 2^64)
//              mix64(x)       = the splitmix64 finaliser:
//                               x ^= x >> 30; x *= 0xbf58476d1ce4e5b9;
//                               x ^= x >> 27; x *= 0x94d049bb133111eb; x ^= x >> 31
//              term(lid, ver) = mix64(fnv1a64(lid bytes) XOR mix64(ver))
//              digest(branch) = count: the number of loans whose `br` is branch;
//                               hash:  the sum of term(lid, ver) over them (mod 2^64)
//
//            A sum is order-independent like XOR, but two equal terms do not cancel.
//            Test vectors: fnv1a64("") = 0xcbf29ce484222325, fnv1a64("a") =
//            0xaf63dc4c8601ec8c, term("L-1", 1) = 0xcec904e5b8bd5e7e,
//            term("L-2", 1700000000) = 0x9f2d84614698724f, and a branch holding exactly
//            those two loans has count 2, hash 0x6df68946ff55d0cd.
//            Every loan in the table counts, whatever its status (closed loans too).
// Threading: Pure functions over a read (or write) txn; keep that txn short.
// Errors:    DecodeError for a corrupt loan record; StoreError from LMDB.
// Ownership: n/a.
#pragma once

#include "store/loan_snapshot.hpp"
#include "store/txn.hpp"

#include <cstdint>
#include <string_view>
#include <vector>

namespace mfigw::store {

uint64_t fnv1a64(std::string_view bytes) noexcept;
uint64_t mix64(uint64_t x) noexcept;
uint64_t reconcileTerm(std::string_view loanId, uint64_t ver) noexcept;

struct BranchDigest {
  uint16_t branch = 0;
  uint64_t count = 0;
  uint64_t hash = 0;

  // Adds one loan (the digest of a set is the fold of this over its members).
  void add(std::string_view loanId, uint64_t ver) noexcept {
    ++count;
    hash += reconcileTerm(loanId, ver);
  }
  bool operator==(const BranchDigest&) const = default;
};

// One digest per branch that holds at least one loan, in branch order.
std::vector<BranchDigest> reconcileDigests(const Txn& txn, const LoanTable& loans);
// The digest of one branch (count 0, hash 0 when it holds no loan).
BranchDigest reconcileDigest(const Txn& txn, const LoanTable& loans, uint16_t branch);

}  // namespace mfigw::store
