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

void StoreLayout::exportMetrics(Metrics& metrics) {
  exportEnv(metrics, "durable", *durable_, *durableWriter_, durableExported_);
  exportEnv(metrics, "sessions", *sessions_, *sessionsWriter_, sessionsExported_);
}

void StoreLayout::exportEnv(Metrics& metrics, std::string_view name, const store::Env& env,
                            const store::GroupCommitWriter& writer, Exported& seen) {
  metrics.gauge(MetricId::StoreMapSizeBytes, {name}).set(static_cast<double>(env.mapSize()));
  metrics.gauge(MetricId::StoreUsedBytes, {name}).set(static_cast<double>(env.usedBytes()));
  // The writer keeps running totals; counters only move forward by the difference.
  const store::GroupCommitWriter::Stats stats = writer.stats();
  const auto advance = [](Counter& counter, std::uint64_t total, std::uint64_t& exported) {
    if (total > exported) counter.inc(total - exported);
    exported = total;
  };
  advance(metrics.counter(MetricId::StoreCommitsTotal, {name}), stats.batchesCommitted,
          seen.commits);
  advance(metrics.counter(MetricId::StoreWritesTotal, {name, "ok"}), stats.itemsCommitted,
          seen.committed);
  advance(metrics.counter(MetricId::StoreWritesTotal, {name, "failed"}), stats.itemsFailed,
          seen.failed);
  advance(metrics.counter(MetricId::StoreMapFullTotal, {name}), stats.mapFullBatches, seen.mapFull);
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
