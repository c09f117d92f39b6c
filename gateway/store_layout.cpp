#include "gateway/store_layout.hpp"

#include <filesystem>

#include "store/schema.hpp"

namespace mfigw::gateway {

StoreLayout::StoreLayout(const StoreConfig& config, store::GroupCommitWriter::Post post,
                         spdlog::logger& log)
    : log_(log) {
  const std::filesystem::path root(config.path);
  store::EnvOptions durable;
  durable.path = (root / "data").string();
  durable.mapSize = config.mapSize;
  durable.maxMapSize = config.maxMapSize;
  durable.durability = store::Durability::Durable;
  durable_ = std::make_unique<store::Env>(durable);

  store::MigrationReport report;
  tables_ = store::openBusinessTables(*durable_, &report);
  if (!report.previousVersion) {
    log_.info("store created path={} schema_version={}", durable.path, report.currentVersion);
  } else if (!report.applied.empty()) {
    log_.info("store migrated path={} from={} to={} steps={}", durable.path,
              *report.previousVersion, report.currentVersion, report.applied.size());
  }

  store::EnvOptions sessions;
  sessions.path = (root / "sessions").string();
  sessions.mapSize = config.sessionMapSize;
  sessions.maxMapSize = config.sessionMapSize * 4;
  sessions.durability = store::Durability::Relaxed;
  sessions_ = std::make_unique<store::Env>(sessions);
  store::migrate(*sessions_, kSessionSchemaVersion, {});

  store::GroupCommitOptions writerOptions;
  writerOptions.maxBatch = config.groupCommitMaxBatch;
  durableWriter_ = std::make_unique<store::GroupCommitWriter>(*durable_, post, writerOptions);
  sessionsWriter_ = std::make_unique<store::GroupCommitWriter>(*sessions_, post, writerOptions);
}

StoreLayout::~StoreLayout() {
  stopWriters();
}

std::vector<StoreEnvStatus> StoreLayout::status() const {
  return {
      {"durable", durable_->mapSize(), durable_->usedBytes()},
      {"sessions", sessions_->mapSize(), sessions_->usedBytes()},
  };
}

void StoreLayout::syncSessions() {
  try {
    sessions_->sync(true);
  } catch (const std::exception& e) {
    log_.error("session store flush failed error={}", e.what());
  }
}

void StoreLayout::stopWriters() {
  if (durableWriter_) durableWriter_->stop();
  if (sessionsWriter_) sessionsWriter_->stop();
  // Whatever the relaxed env holds is worth keeping across a clean stop.
  if (sessions_) syncSessions();
}

}  // namespace mfigw::gateway
