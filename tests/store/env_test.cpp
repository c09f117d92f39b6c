#include "store/env.hpp"

#include "store/error.hpp"
#include "store/txn.hpp"
#include "store_test_util.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cerrno>
#include <fstream>
#include <string>

namespace mfigw::store {
namespace {

using testing::smallEnv;
using testing::TempDir;

TEST(Env, CreatesMissingDirectoriesPrivate) {
  TempDir tmp;
  const std::string path = tmp.sub("state/mfi/data");
  Env env(smallEnv(path));
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_TRUE(S_ISDIR(st.st_mode));
  EXPECT_EQ(st.st_mode & 0777, 0700u);
  EXPECT_EQ(::stat((path + "/data.mdb").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_EQ(env.path(), path);
}

TEST(Env, PathThatIsAFileThrowsNamingThePath) {
  TempDir tmp;
  const std::string file = tmp.sub("not-a-dir");
  std::ofstream(file) << "x";
  try {
    Env env(smallEnv(file));
    FAIL() << "expected StoreError";
  } catch (const StoreError& e) {
    EXPECT_NE(std::string(e.what()).find(file), std::string::npos) << e.what();
    EXPECT_EQ(e.mdbCode(), ENOTDIR);
  }
  // A directory below a file cannot be created either.
  EXPECT_THROW(Env(smallEnv(file + "/sub")), StoreError);
}

TEST(Env, UnwritableDirectoryThrowsNamingThePath) {
  if (::geteuid() == 0) {
    GTEST_SKIP() << "root bypasses directory permissions";
  }
  TempDir tmp;
  const std::string path = tmp.sub("locked");
  ASSERT_EQ(::mkdir(path.c_str(), 0500), 0);
  try {
    Env env(smallEnv(path));
    FAIL() << "expected StoreError";
  } catch (const StoreError& e) {
    EXPECT_NE(std::string(e.what()).find(path), std::string::npos) << e.what();
    EXPECT_EQ(e.mdbCode(), EACCES);
  }
}

TEST(Env, FlagsFollowDurabilityAndFdIsCloseOnExec) {
  TempDir tmp;
  Env durable(smallEnv(tmp.sub("d"), Durability::Durable));
  Env relaxed(smallEnv(tmp.sub("r"), Durability::Relaxed));
  unsigned flags = 0;
  ASSERT_EQ(mdb_env_get_flags(durable.raw(), &flags), 0);
  EXPECT_NE(flags & MDB_NOTLS, 0u);
  EXPECT_EQ(flags & (MDB_NOSYNC | MDB_NOMETASYNC), 0u);
  ASSERT_EQ(mdb_env_get_flags(relaxed.raw(), &flags), 0);
  EXPECT_NE(flags & MDB_NOTLS, 0u);
  EXPECT_EQ(flags & (MDB_NOSYNC | MDB_NOMETASYNC), unsigned{MDB_NOSYNC | MDB_NOMETASYNC});

  mdb_filehandle_t fd = -1;
  ASSERT_EQ(mdb_env_get_fd(durable.raw(), &fd), 0);
  const int fdFlags = ::fcntl(fd, F_GETFD);
  ASSERT_GE(fdFlags, 0);
  EXPECT_NE(fdFlags & FD_CLOEXEC, 0);
  EXPECT_EQ(toString(Durability::Relaxed), "Relaxed");
  EXPECT_NO_THROW(relaxed.sync(true));
  EXPECT_NO_THROW(durable.sync(false));
}

TEST(Env, GrowDoublesUpToTheBound) {
  TempDir tmp;
  EnvOptions o = smallEnv(tmp.path());
  o.mapSize = 1ull << 20;
  o.maxMapSize = 3ull << 20;
  Env env(o);
  EXPECT_EQ(env.mapSize(), 1ull << 20);
  EXPECT_TRUE(env.grow());
  EXPECT_EQ(env.mapSize(), 2ull << 20);
  EXPECT_TRUE(env.grow());
  EXPECT_EQ(env.mapSize(), 3ull << 20);  // capped, not 4 MiB
  EXPECT_FALSE(env.grow());
  EXPECT_EQ(env.mapSize(), 3ull << 20);
}

TEST(Env, UsedBytesGrowsWithData) {
  TempDir tmp;
  Env env(smallEnv(tmp.path()));
  const uint64_t before = env.usedBytes();
  EXPECT_GT(before, 0u);
  env.write([](WriteTxn& txn) {
    const Dbi dbi = txn.openDbi("t");
    for (int i = 0; i < 200; ++i) {
      txn.put(dbi, "key" + std::to_string(i), std::string(500, 'v'));
    }
  });
  EXPECT_GT(env.usedBytes(), before + 200 * 500 / 2);
  EXPECT_LE(env.usedBytes(), env.mapSize());
}

TEST(Env, ReopenWithSmallerConfiguredMapKeepsDataAndStillGrows) {
  TempDir tmp;
  EnvOptions o = smallEnv(tmp.path(), Durability::Durable);
  o.mapSize = 1ull << 20;
  o.maxMapSize = 8ull << 20;
  const std::string big(1000, 'x');
  {
    Env env(o);
    for (int round = 0; round < 3; ++round) {
      env.write([&](WriteTxn& txn) {
        const Dbi dbi = txn.openDbi("t");
        for (int i = 0; i < 800; ++i) {
          txn.put(dbi, std::to_string(round) + "/" + std::to_string(i), big);
        }
      });
    }
    ASSERT_GT(env.mapSize(), 2ull << 20);  // grew past 1 MiB on the way
  }
  Env again(o);  // asks for 1 MiB; the file already holds more than that
  EXPECT_GE(again.mapSize(), again.usedBytes());
  EXPECT_GT(again.mapSize(), 1ull << 20);
  {
    ReadTxn txn = again.beginRead();
    const auto dbi = txn.findDbi("t");
    ASSERT_TRUE(dbi.has_value());
    EXPECT_EQ(txn.count(*dbi), 2400u);
    EXPECT_EQ(txn.get(*dbi, "2/799"), big);
  }
  // Writing more still works: Env::write grows on demand.
  again.write([&](WriteTxn& txn) {
    const Dbi dbi = txn.openDbi("t");
    for (int i = 0; i < 200; ++i) {
      txn.put(dbi, "more/" + std::to_string(i), big);
    }
  });
  ReadTxn txn = again.beginRead();
  EXPECT_EQ(txn.count(*txn.findDbi("t")), 2600u);
}

TEST(Env, AdoptsAMapGrownByAnotherProcess) {
  TempDir tmp;
  EnvOptions o = smallEnv(tmp.path(), Durability::Durable);
  o.mapSize = 256ull << 10;
  o.maxMapSize = 8ull << 20;
  Env env(o);
  env.write([](WriteTxn& txn) { txn.put(txn.openDbi("t"), "first", "1"); });

  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    // Child: a second process on the same store writes far beyond our map size.
    int rc = 0;
    try {
      Env other(o);
      for (int i = 0; i < 8 && rc == 0; ++i) {
        other.write([i](WriteTxn& txn) {
          const Dbi dbi = txn.openDbi("t");
          for (int j = 0; j < 100; ++j) {
            txn.put(dbi, "k" + std::to_string(i * 100 + j), std::string(1000, 'x'));
          }
        });
      }
      rc = other.mapSize() > (256ull << 10) ? 0 : 2;
    } catch (...) {
      rc = 1;
    }
    ::_exit(rc);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status));
  ASSERT_EQ(WEXITSTATUS(status), 0) << "child failed to grow the store";

  // Our map is now smaller than the data: LMDB reports MDB_MAP_RESIZED, which Env must
  // absorb by adopting the new size.
  ReadTxn txn = env.beginRead();
  EXPECT_GT(env.mapSize(), 256ull << 10);
  const auto dbi = txn.findDbi("t");
  ASSERT_TRUE(dbi.has_value());
  EXPECT_EQ(txn.count(*dbi), 801u);
  EXPECT_EQ(txn.get(*dbi, "k799"), std::string(1000, 'x'));
}

// The daemon runs a durable env and a relaxed one in sibling directories.
TEST(Env, TwoEnvsInSiblingDirectoriesAreIndependent) {
  TempDir tmp;
  {
    Env data(smallEnv(tmp.sub("data"), Durability::Durable));
    Env sessions(smallEnv(tmp.sub("sessions"), Durability::Relaxed));
    data.write([](WriteTxn& txn) { txn.put(txn.openDbi("outbox"), "m1", "hello"); });
    sessions.write([](WriteTxn& txn) { txn.put(txn.openDbi("sessions"), "s1", "menu:2"); });
    // A txn on each at the same time.
    ReadTxn rd = data.beginRead();
    WriteTxn ws = sessions.beginWrite();
    ws.put(ws.openDbi("sessions"), "s2", "menu:3");
    EXPECT_FALSE(rd.findDbi("sessions").has_value());
    EXPECT_EQ(rd.get(*rd.findDbi("outbox"), "m1"), "hello");
    ws.commit();
    sessions.sync(true);
  }
  Env data(smallEnv(tmp.sub("data"), Durability::Durable));
  Env sessions(smallEnv(tmp.sub("sessions"), Durability::Relaxed));
  ReadTxn rd = data.beginRead();
  ReadTxn rs = sessions.beginRead();
  EXPECT_EQ(rd.count(*rd.findDbi("outbox")), 1u);
  EXPECT_EQ(rs.count(*rs.findDbi("sessions")), 2u);
  EXPECT_FALSE(rs.findDbi("outbox").has_value());
}

}  // namespace
}  // namespace mfigw::store
