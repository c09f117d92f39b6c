// Reconcile digest: the documented test vectors, order independence, and sensitivity to
// every change the reconcile must catch (a missed delete, a missed update, a moved loan).
#include "store/reconcile_digest.hpp"

#include "loan_book_fixtures.hpp"
#include "store/env.hpp"
#include "store/loan_book.hpp"
#include "store_test_util.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <string>
#include <vector>

namespace mfigw::store {
namespace {

using testing::sampleLoan;
using testing::smallEnv;
using testing::TempDir;

TEST(ReconcileDigest, MatchesTheDocumentedVectors) {
  EXPECT_EQ(fnv1a64(""), 0xcbf29ce484222325ULL);
  EXPECT_EQ(fnv1a64("a"), 0xaf63dc4c8601ec8cULL);
  EXPECT_EQ(mix64(0), 0u);
  EXPECT_EQ(reconcileTerm("L-1", 1), 0xcec904e5b8bd5e7eULL);
  EXPECT_EQ(reconcileTerm("L-2", 1700000000), 0x9f2d84614698724fULL);
  BranchDigest d;
  d.add("L-1", 1);
  d.add("L-2", 1700000000);
  EXPECT_EQ(d.count, 2u);
  EXPECT_EQ(d.hash, 0x6df68946ff55d0cdULL);
}

TEST(ReconcileDigest, IgnoresOrderButNotContent) {
  std::vector<std::pair<std::string, uint64_t>> pairs;
  for (int i = 0; i < 200; ++i) {
    pairs.emplace_back("L-" + std::to_string(i), 1700000000 + static_cast<uint64_t>(i) * 7);
  }
  BranchDigest forward;
  for (const auto& [lid, ver] : pairs) {
    forward.add(lid, ver);
  }
  std::mt19937 rng(7);
  std::shuffle(pairs.begin(), pairs.end(), rng);
  BranchDigest shuffled;
  for (const auto& [lid, ver] : pairs) {
    shuffled.add(lid, ver);
  }
  EXPECT_EQ(forward, shuffled);

  // One changed ver, one id swapped for another: different hash.
  BranchDigest changedVer;
  BranchDigest changedId;
  for (size_t i = 0; i < pairs.size(); ++i) {
    changedVer.add(pairs[i].first, pairs[i].second + (i == 17 ? 1 : 0));
    changedId.add(i == 17 ? pairs[i].first + "x" : pairs[i].first, pairs[i].second);
  }
  EXPECT_EQ(changedVer.count, forward.count);
  EXPECT_NE(changedVer.hash, forward.hash);
  EXPECT_NE(changedId.hash, forward.hash);
  // Swapping the vers of two loans keeps the multiset of vers but not of pairs.
  BranchDigest a;
  a.add("L-1", 1);
  a.add("L-2", 2);
  BranchDigest b;
  b.add("L-1", 2);
  b.add("L-2", 1);
  EXPECT_NE(a.hash, b.hash);
}

TEST(ReconcileDigest, IsComputedPerBranchFromTheStore) {
  TempDir tmp;
  Env env(smallEnv(tmp.path()));
  LoanBook book;
  env.write([&](WriteTxn& txn) { book = LoanBook::open(txn); });

  // What upstream holds, as (branch, lid, ver); the appliance applies it in some order.
  struct Row {
    uint16_t branch;
    std::string lid;
    uint64_t ver;
  };
  std::vector<Row> upstream;
  for (int i = 0; i < 300; ++i) {
    upstream.push_back({static_cast<uint16_t>(1 + i % 3), "L-" + std::to_string(i),
                        1000u + static_cast<uint64_t>(i)});
  }
  std::vector<BranchDigest> expected(3);
  for (const Row& r : upstream) {
    expected[r.branch - 1].branch = r.branch;
    expected[r.branch - 1].add(r.lid, r.ver);
  }
  env.write([&](WriteTxn& txn) {
    for (auto it = upstream.rbegin(); it != upstream.rend(); ++it) {
      book.upsertLoan(txn, sampleLoan(it->lid, "C-" + it->lid, it->branch, it->ver));
    }
  });
  {
    ReadTxn txn = env.beginRead();
    EXPECT_EQ(reconcileDigests(txn, book.loanTable()), expected);
    EXPECT_EQ(reconcileDigest(txn, book.loanTable(), 2), expected[1]);
    EXPECT_EQ(reconcileDigest(txn, book.loanTable(), 9), (BranchDigest{9, 0, 0}));
  }

  // A missed delete in branch 1, a missed update in branch 2, a loan moved 3 -> 2: the
  // three digests all disagree with upstream's.
  env.write([&](WriteTxn& txn) {
    book.upsertLoan(txn, sampleLoan("L-extra", "C-x", 1, 5));
    book.upsertLoan(txn, sampleLoan("L-1", "C-L-1", 2, 999));   // upstream has ver 1001
    book.upsertLoan(txn, sampleLoan("L-2", "C-L-2", 2, 1002));  // upstream: branch 3
  });
  ReadTxn txn = env.beginRead();
  const auto now = reconcileDigests(txn, book.loanTable());
  ASSERT_EQ(now.size(), 3u);
  EXPECT_EQ(now[0].count, expected[0].count + 1);
  EXPECT_EQ(now[1].count, expected[1].count + 1);
  EXPECT_NE(now[1].hash, expected[1].hash);
  EXPECT_EQ(now[2].count, expected[2].count - 1);
  EXPECT_NE(now[2].hash, expected[2].hash);
}

}  // namespace
}  // namespace mfigw::store
