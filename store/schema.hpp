// store/schema.hpp: the store's schema version and step-wise migrations.
//
// Purpose:   A `meta` table holds `schema_version` (u32, big-endian). At startup the
//            daemon calls migrate(env, kCurrent, steps): a fresh store is stamped with
//            kCurrent; an older one runs each step from its version up to kCurrent, in
//            order, all inside one write txn (all or nothing); a newer one is refused.
// Threading: Call once at startup, before other threads use the env (LMDB's rule for
//            opening tables applies to the steps).
// Errors:    SchemaTooNew when the stored version is above currentVersion. StoreError
//            when a step is missing or a step throws (the message names the step); the
//            store then stays at its old version. MapFull when even a grown map cannot
//            hold the migration.
// Ownership: Steps are borrowed for the duration of the call.
#pragma once

#include "store/env.hpp"
#include "store/txn.hpp"

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace mfigw::store {

inline constexpr const char* kMetaTable = "meta";
inline constexpr const char* kSchemaVersionKey = "schema_version";

// Brings the store from version `from` to `from + 1`.
struct Migration {
  uint32_t from = 0;
  std::string name;
  std::function<void(WriteTxn&)> apply;
};

struct MigrationReport {
  std::optional<uint32_t> previousVersion;  // nullopt: the store was fresh
  uint32_t currentVersion = 0;
  std::vector<std::string> applied;  // step names, in the order they ran
};

// The stored version, or nullopt for a store never stamped (fresh).
std::optional<uint32_t> readSchemaVersion(const Txn& txn);
// Writes the version (used by migrate; exposed for tests and tools).
void writeSchemaVersion(WriteTxn& txn, uint32_t version);

// See the header comment. The steps for versions below the stored one are ignored, so the
// daemon can always pass its full list.
MigrationReport migrate(Env& env, uint32_t currentVersion, const std::vector<Migration>& steps);

}  // namespace mfigw::store
