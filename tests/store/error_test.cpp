#include "store/error.hpp"

#include "store/errc.hpp"

#include <lmdb.h>

#include <gtest/gtest.h>

#include <cerrno>
#include <string>
#include <system_error>

namespace mfigw::store {
namespace {

TEST(StoreError, CarriesCodeAndReadableText) {
  const StoreError e(EACCES, "cannot open store at /var/lib/x");
  EXPECT_EQ(e.mdbCode(), EACCES);
  EXPECT_EQ(std::string(e.what()), "cannot open store at /var/lib/x: Permission denied");
  const StoreError plain(0, "no LMDB code");
  EXPECT_EQ(std::string(plain.what()), "no LMDB code");
}

TEST(StoreError, ThrowHelperPicksMapFull) {
  EXPECT_THROW(throwStoreError(MDB_MAP_FULL, "put"), MapFull);
  try {
    throwStoreError(MDB_MAP_FULL, "put");
  } catch (const StoreError& e) {
    EXPECT_EQ(e.mdbCode(), MDB_MAP_FULL);
    EXPECT_NE(std::string(e.what()).find("MDB_MAP_FULL"), std::string::npos) << e.what();
  }
  try {
    throwStoreError(MDB_CORRUPTED, "get");
    FAIL();
  } catch (const MapFull&) {
    FAIL() << "MDB_CORRUPTED is not MapFull";
  } catch (const StoreError& e) {
    EXPECT_EQ(e.mdbCode(), MDB_CORRUPTED);
  }
  EXPECT_NO_THROW(check(0, "fine"));
}

TEST(StoreError, SchemaTooNewText) {
  const SchemaTooNew e("/var/lib/mfi-gateway/data", 5, 3);
  EXPECT_EQ(std::string(e.what()),
            "store at /var/lib/mfi-gateway/data has schema version 5; this build knows up to 3: "
            "refusing to open (downgrade is not supported)");
  EXPECT_EQ(e.storedVersion(), 5u);
  EXPECT_EQ(e.knownVersion(), 3u);
}

TEST(Errc, IsAnErrorCodeEnumWithMessages) {
  const std::error_code ec = errc::map_full;
  EXPECT_EQ(&ec.category(), &storeCategory());
  EXPECT_STREQ(ec.category().name(), "mfigw.store");
  EXPECT_NE(ec.message().find("full"), std::string::npos);
  EXPECT_TRUE(ec == errc::map_full);
  EXPECT_FALSE(ec == errc::write_failed);
  for (errc e : {errc::map_full, errc::write_failed, errc::shutting_down, errc::queue_full}) {
    EXPECT_FALSE(make_error_code(e).message().empty());
    EXPECT_NE(toString(e), "unknown");
  }
  EXPECT_EQ(toString(errc::shutting_down), "shutting_down");
}

}  // namespace
}  // namespace mfigw::store
