// The daemon's two LMDB environments and their writers.
//
// Purpose: <store.path>/data is the durable environment for business data (fsync on
//   commit); <store.path>/sessions holds USSD session state with relaxed sync, flushed
//   every store.session_sync_interval (a crash costs at most one dialog, never a confirmed
//   request). Each has a group-commit writer thread.
// Threading: constructed on the loop thread; writers post completions through `post`.
// Errors: opening throws store::StoreError / SchemaTooNew with a message naming the path.
#pragma once

#include <memory>
#include <vector>

#include <spdlog/logger.h>

#include "gateway/admin_routes.hpp"
#include "gateway/config.hpp"
#include "gateway/metrics.hpp"
#include "store/business_tables.hpp"
#include "store/env.hpp"
#include "store/group_commit_writer.hpp"

namespace mfigw::gateway {

inline constexpr std::uint32_t kSessionSchemaVersion = 1;

class StoreLayout {
 public:
  StoreLayout(const StoreConfig& config, store::GroupCommitWriter::Post post, spdlog::logger& log);
  ~StoreLayout();
  StoreLayout(const StoreLayout&) = delete;
  StoreLayout& operator=(const StoreLayout&) = delete;

  store::Env& durable() { return *durable_; }
  store::Env& sessions() { return *sessions_; }
  store::GroupCommitWriter& durableWriter() { return *durableWriter_; }
  store::GroupCommitWriter& sessionsWriter() { return *sessionsWriter_; }
  const store::BusinessTables& tables() const { return tables_; }
  const store::Outbox& outbox() const { return tables_.outbox; }

  [[nodiscard]] std::vector<StoreEnvStatus> status() const;
  // Brings the store metrics (sizes, commits, writes by result, map-full refusals) up to
  // date from the writers' counters. Call from the loop thread, e.g. before rendering.
  void exportMetrics(Metrics& metrics);
  // Flushes the relaxed environment to disk (blocking: call off the event loop).
  void syncSessions();
  // Finishes queued writes and stops both writer threads (blocking). Idempotent.
  void stopWriters();

 private:
  spdlog::logger& log_;
  std::unique_ptr<store::Env> durable_;
  std::unique_ptr<store::Env> sessions_;
  store::BusinessTables tables_;
  std::unique_ptr<store::GroupCommitWriter> durableWriter_;
  std::unique_ptr<store::GroupCommitWriter> sessionsWriter_;

  // What exportMetrics() has already added to the counters, per environment.
  struct Exported {
    std::uint64_t commits = 0;
    std::uint64_t committed = 0;
    std::uint64_t failed = 0;
    std::uint64_t mapFull = 0;
  };
  void exportEnv(Metrics& metrics, std::string_view name, const store::Env& env,
                 const store::GroupCommitWriter& writer, Exported& seen);
  Exported durableExported_;
  Exported sessionsExported_;
};

}  // namespace mfigw::gateway
