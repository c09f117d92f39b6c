// The read/write hot path (get, put, erase, cursor steps) must not allocate on success,
// and failures must still carry a message naming what failed and the store's path.
//
// Allocations are counted by replacing the global operator new for this test binary. It
// is a plain pass-through to malloc/free; counting is switched on only for the calling
// thread and only inside the measured section, so other tests are unaffected.
#include "store/encoding.hpp"
#include "store/env.hpp"
#include "store/error.hpp"
#include "store/table.hpp"
#include "store/txn.hpp"
#include "store_test_util.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstdlib>
#include <new>
#include <string>
#include <string_view>

namespace {

thread_local bool tlCounting = false;
thread_local uint64_t tlAllocations = 0;

}  // namespace

void* operator new(std::size_t size) {
  if (tlCounting) {
    ++tlAllocations;
  }
  if (void* p = std::malloc(size == 0 ? 1 : size)) {
    return p;
  }
  throw std::bad_alloc();
}

void operator delete(void* p) noexcept {
  std::free(p);
}
void operator delete(void* p, std::size_t) noexcept {
  std::free(p);
}

namespace mfigw::store {
namespace {

using testing::smallEnv;
using testing::TempDir;

// Counts operator new calls made by this thread while alive.
class AllocationCounter {
 public:
  AllocationCounter() {
    tlAllocations = 0;
    tlCounting = true;
  }
  ~AllocationCounter() { tlCounting = false; }
  AllocationCounter(const AllocationCounter&) = delete;
  AllocationCounter& operator=(const AllocationCounter&) = delete;
  uint64_t count() const { return tlAllocations; }
};

struct Counter32Codec {
  static constexpr uint8_t kVersion = 1;
  static std::string encodeKey(uint32_t k) { return Key().u32(k).take(); }  // fits SSO
  static std::string encodeValue(uint32_t v) { return Encoder().version(kVersion).u32(v).take(); }
  static uint32_t decodeValue(std::string_view bytes) {
    Decoder d(bytes);
    d.version(kVersion);
    const uint32_t v = d.u32();
    d.expectEnd();
    return v;
  }
};

class HotPathTest : public ::testing::Test {
 protected:
  HotPathTest() : env_(smallEnv(tmp_.sub("a-store-path-longer-than-any-small-string"))) {
    WriteTxn txn = env_.beginWrite();
    dbi_ = txn.openDbi("t");
    counters_ = Table<uint32_t, uint32_t, Counter32Codec>::open(txn, "counters");
    for (int i = 0; i < 10; ++i) {
      txn.put(dbi_, "key" + std::to_string(i), "value");
      counters_.put(txn, static_cast<uint32_t>(i), static_cast<uint32_t>(i * 7));
    }
    txn.commit();
  }
  TempDir tmp_;
  Env env_;
  Dbi dbi_ = 0;
  Table<uint32_t, uint32_t, Counter32Codec> counters_;
};

TEST_F(HotPathTest, ReadsDoNotAllocate) {
  ASSERT_GT(env_.path().size(), 40u);  // a message built eagerly would hit the heap
  ReadTxn txn = env_.beginRead();
  Cursor cursor(txn, dbi_);
  uint64_t allocations = 0;
  size_t hits = 0;
  size_t walked = 0;
  {
    const AllocationCounter counter;
    for (int round = 0; round < 100; ++round) {
      hits += txn.get(dbi_, "key3").has_value() ? 1 : 0;
      hits += txn.get(dbi_, "missing").has_value() ? 1 : 0;
      hits += counters_.get(txn, 5).value_or(0) == 35 ? 1 : 0;
      hits += counters_.contains(txn, 99) ? 1 : 0;
    }
    for (auto e = cursor.first(); e; e = cursor.next()) {
      ++walked;
    }
    hits += cursor.seek("key5").has_value() ? 1 : 0;
    hits += cursor.find("key7").has_value() ? 1 : 0;
    hits += cursor.prev().has_value() ? 1 : 0;
    allocations = counter.count();
  }
  EXPECT_EQ(allocations, 0u);
  EXPECT_EQ(hits, 203u);
  EXPECT_EQ(walked, 10u);
}

TEST_F(HotPathTest, WritesDoNotAllocateInOurCode) {
  WriteTxn txn = env_.beginWrite();
  Cursor cursor(txn, dbi_);
  uint64_t allocations = 0;
  {
    const AllocationCounter counter;
    for (int round = 0; round < 50; ++round) {
      txn.put(dbi_, "new", "value");
      txn.put(dbi_, "new", "other", MDB_NOOVERWRITE);
      txn.erase(dbi_, "new");
      txn.erase(dbi_, "never");
    }
    if (cursor.find("key1")) {
      cursor.erase();
    }
    allocations = counter.count();  // LMDB's own malloc() is not counted: C, not new
  }
  EXPECT_EQ(allocations, 0u);
  EXPECT_FALSE(txn.get(dbi_, "key1").has_value());
  EXPECT_EQ(txn.count(dbi_), 9u);
}

// The lazily built messages still say what failed and where. An unknown DBI makes LMDB
// return EINVAL from each call.
TEST_F(HotPathTest, FailuresStillNameTheOperationAndThePath) {
  constexpr Dbi kBogus = 9999;
  auto expectMessage = [&](auto&& fn, const std::string& phrase) {
    try {
      fn();
      ADD_FAILURE() << "expected StoreError for: " << phrase;
    } catch (const StoreError& e) {
      const std::string what = e.what();
      EXPECT_EQ(e.mdbCode(), EINVAL) << what;
      EXPECT_NE(what.find(phrase + " store at " + env_.path()), std::string::npos) << what;
    }
  };
  {
    ReadTxn r = env_.beginRead();
    expectMessage([&] { r.get(kBogus, "k"); }, "cannot read from");
    expectMessage([&] { r.count(kBogus); }, "cannot stat table in");
    expectMessage([&] { Cursor c(r, kBogus); }, "cannot open cursor on");
  }
  WriteTxn w = env_.beginWrite();
  expectMessage([&] { w.put(kBogus, "k", "v"); }, "cannot write to");
  expectMessage([&] { w.erase(kBogus, "k"); }, "cannot delete from");
  expectMessage([&] { w.clear(kBogus); }, "cannot clear table in");
}

TEST(CheckHelper, BuildsTheContextOnlyOnFailure) {
  int built = 0;
  auto make = [&] {
    ++built;
    return std::string("cannot frob store at /x");
  };
  EXPECT_NO_THROW(check(0, make));
  EXPECT_EQ(built, 0);
  try {
    check(MDB_CORRUPTED, make);
    FAIL() << "expected StoreError";
  } catch (const StoreError& e) {
    EXPECT_EQ(built, 1);
    EXPECT_EQ(e.mdbCode(), MDB_CORRUPTED);
    EXPECT_EQ(std::string(e.what()).rfind("cannot frob store at /x: ", 0), 0u) << e.what();
  }
  EXPECT_THROW(check(MDB_MAP_FULL, [] { return std::string("put"); }), MapFull);
  const std::string existing = "an existing string is fine";
  EXPECT_NO_THROW(check(0, existing));
}

}  // namespace
}  // namespace mfigw::store
