#include "store/error.hpp"

#include <lmdb.h>

namespace mfigw::store {
namespace {

std::string describe(int mdbCode, const std::string& context) {
  if (mdbCode == 0) {
    return context;
  }
  // mdb_strerror covers both MDB_* codes and errno values (it falls back to strerror).
  return context + ": " + mdb_strerror(mdbCode);
}

}  // namespace

StoreError::StoreError(int mdbCode, const std::string& context)
    : std::runtime_error(describe(mdbCode, context)), mdbCode_(mdbCode) {}

MapFull::MapFull(const std::string& context) : StoreError(MDB_MAP_FULL, context) {}

SchemaTooNew::SchemaTooNew(const std::string& path, unsigned storedVersion, unsigned knownVersion)
    : StoreError(0, "store at " + path + " has schema version " + std::to_string(storedVersion) +
                        "; this build knows up to " + std::to_string(knownVersion) +
                        ": refusing to open (downgrade is not supported)"),
      storedVersion_(storedVersion),
      knownVersion_(knownVersion) {}

DecodeError::DecodeError(const std::string& context) : StoreError(0, context) {}

void throwStoreError(int rc, const std::string& context) {
  if (rc == MDB_MAP_FULL) {
    throw MapFull(context);
  }
  throw StoreError(rc, context);
}

}  // namespace mfigw::store
