#include "store/schema.hpp"

#include "store/encoding.hpp"
#include "store/error.hpp"

#include <exception>
#include <map>

namespace mfigw::store {

std::optional<uint32_t> readSchemaVersion(const Txn& txn) {
  const std::optional<Dbi> meta = txn.findDbi(kMetaTable);
  if (!meta) {
    return std::nullopt;
  }
  const std::optional<std::string_view> raw = txn.get(*meta, kSchemaVersionKey);
  if (!raw) {
    return std::nullopt;
  }
  Decoder d(*raw);
  const uint32_t version = d.u32();
  d.expectEnd();
  return version;
}

void writeSchemaVersion(WriteTxn& txn, uint32_t version) {
  const Dbi meta = txn.openDbi(kMetaTable, MDB_CREATE);
  txn.put(meta, kSchemaVersionKey, Encoder().u32(version).data());
}

MigrationReport migrate(Env& env, uint32_t currentVersion, const std::vector<Migration>& steps) {
  std::map<uint32_t, const Migration*> byFrom;
  for (const Migration& m : steps) {
    if (!byFrom.emplace(m.from, &m).second) {
      throw StoreError(0, "schema migrations for store at " + env.path() +
                              ": two steps start at version " + std::to_string(m.from));
    }
  }

  MigrationReport report;
  // Env::write may run the lambda twice (once more after growing a full map), so the
  // report is rebuilt from scratch on each attempt.
  env.write([&](WriteTxn& txn) {
    report = MigrationReport{};
    report.previousVersion = readSchemaVersion(txn);
    report.currentVersion = currentVersion;
    if (!report.previousVersion) {
      writeSchemaVersion(txn, currentVersion);
      return;
    }
    const uint32_t stored = *report.previousVersion;
    if (stored > currentVersion) {
      throw SchemaTooNew(env.path(), stored, currentVersion);
    }
    // Check the whole chain before running anything, so a gap is reported as such
    // rather than after half the steps ran (they would be rolled back anyway).
    for (uint32_t v = stored; v < currentVersion; ++v) {
      if (byFrom.find(v) == byFrom.end()) {
        throw StoreError(0, "store at " + env.path() + " has schema version " +
                                std::to_string(stored) + " but this build has no step from " +
                                std::to_string(v) + " to " + std::to_string(v + 1));
      }
    }
    for (uint32_t v = stored; v < currentVersion; ++v) {
      const Migration& step = *byFrom.at(v);
      try {
        if (step.apply) {
          step.apply(txn);
        }
      } catch (const MapFull&) {
        throw;  // let Env::write grow the map and retry
      } catch (const std::exception& e) {
        throw StoreError(0, "schema migration '" + step.name + "' (version " + std::to_string(v) +
                                " to " + std::to_string(v + 1) + ") failed for store at " +
                                env.path() + ": " + e.what());
      }
      report.applied.push_back(step.name);
    }
    writeSchemaVersion(txn, currentVersion);
  });
  return report;
}

}  // namespace mfigw::store
