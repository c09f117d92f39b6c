// The reference upstream: docs/upstream-protocol.md served by a small Beast server over an
// LMDB store of its own, for the sync tests.
//
// Purpose: what an MFI's sync endpoint does, minimally and exactly as documented:
//   POST /v1/events, GET /v1/changes, GET /v1/reconcile (gzip both ways, bearer or basic
//   auth, optional TLS with optional client certificates). Its records live in the same
//   store tables the gateway uses (store::LoanBook), plus three tables of its own: the
//   change log (feed, ver, id -> upsert | tombstone), each id's latest ver, and the events
//   it received. Every change gets the next `ver` of one server-wide counter (or one ver
//   for a whole batch, to test ties at page boundaries).
//   Knobs inject the faults a thin link and a flaky server produce: answer a status (500,
//   503 + Retry-After, 401), hang, close mid-body, cut the N-th changes page in the middle,
//   store pushed events and then drop the connection before answering, stop listening
//   (unreachable) and listen again on the same port. It records every changes request
//   and how many times each event key arrived.
// Threading: the server runs its own io_context on its own thread. Every public member is
//   thread-safe (the test thread seeds data and turns knobs while the server serves).
// Errors: start() throws std::runtime_error when it cannot listen or load TLS files.
// Ownership: owns its thread, io_context and LMDB environment; stop() (or the destructor)
//   joins the thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "gateway/upstream_codec.hpp"
#include "store/client.hpp"
#include "store/group.hpp"
#include "store/loan_snapshot.hpp"
#include "store/payment_point.hpp"
#include "store/reconcile_digest.hpp"
#include "store/upstream_events.hpp"

namespace mfigw::testing {

struct ReferenceTls {
  std::string certFile;
  std::string keyFile;
  std::string clientCaFile;  // set: a client certificate signed by this CA is required
};

struct ReferenceUpstreamOptions {
  std::string dataDir;  // LMDB environment directory (created)
  std::string bearerToken;
  std::string basicUser;  // with basicPassword: basic auth instead of bearer
  std::string basicPassword;
  std::optional<ReferenceTls> tls;
  std::size_t gzipMin = 1024;  // answers at least this large are gzipped when accepted
  int gzipLevel = 6;
  std::size_t maxPageSize = 5000;
};

// One GET /v1/changes as the server saw it.
struct ChangesRequest {
  gateway::UpstreamFeed feed = gateway::UpstreamFeed::Loans;
  gateway::ChangeCursor after;
  std::size_t limit = 0;
  std::optional<std::uint16_t> branch;
  gateway::ChangeCursor next;  // the answer's next cursor
  std::size_t records = 0;     // upserts + deletions in the answer
  bool cut = false;            // the answer was cut in the middle
};

class ReferenceUpstream {
 public:
  explicit ReferenceUpstream(ReferenceUpstreamOptions options);
  ~ReferenceUpstream();
  ReferenceUpstream(const ReferenceUpstream&) = delete;
  ReferenceUpstream& operator=(const ReferenceUpstream&) = delete;

  // Listens on 127.0.0.1 (a free port the first time, the same port after pause()).
  void start();
  void stop();
  [[nodiscard]] std::uint16_t port() const;
  [[nodiscard]] std::string url() const;  // "http://127.0.0.1:PORT" or https
  // Unreachable: closes the listener and every connection. resume() listens again.
  void pause();
  void resume();

  // ---- data; each call is one transaction and returns the last ver it assigned ----
  // Every run of `loansPerVer` loans shares one ver (ties at page boundaries).
  std::uint64_t putLoans(std::vector<store::LoanSnapshot> loans, std::size_t loansPerVer = 1);
  std::uint64_t putClients(std::vector<store::Client> clients);
  std::uint64_t putGroups(std::vector<store::Group> groups);
  std::uint64_t putPaymentPoints(std::vector<store::PaymentPoint> points);
  // tombstone = false: the loan vanishes without a trace in the change log, as when a
  // core system deletes behind its own change feed (only reconcile notices).
  void deleteLoan(const std::string& lid, bool tombstone = true);
  void deleteClient(const std::string& cid);
  [[nodiscard]] std::vector<store::BranchDigest> digests() const;
  [[nodiscard]] std::uint64_t loanCount() const;
  [[nodiscard]] std::optional<store::LoanSnapshot> loan(const std::string& lid) const;

  // ---- events ----
  // Events of this type are answered `rejected` with this reason (and not stored).
  void rejectEventType(const std::string& type, const std::string& reason);
  [[nodiscard]] std::size_t storedEventCount() const;
  [[nodiscard]] std::optional<gateway::WireEvent> storedEvent(const store::EventKey& key) const;
  [[nodiscard]] std::map<store::EventKey, unsigned> receivedCounts() const;

  // ---- faults: each applies to the next `count` requests it matches ----
  // `path` "" matches every request, else the path ("/v1/events").
  void failNext(unsigned count, unsigned status, std::optional<unsigned> retryAfterSeconds = {},
                const std::string& path = "");
  void hangNext(unsigned count, const std::string& path = "");
  void closeMidBodyNext(unsigned count, const std::string& path = "");
  // The n-th GET /v1/changes of `feed` from now (1 = the next) is cut in the middle of
  // its body.
  void cutChangesRequest(unsigned n, gateway::UpstreamFeed feed = gateway::UpstreamFeed::Loans);
  // The next `count` pushes are stored, then the connection drops before the answer.
  void dropEventAnswersNext(unsigned count);

  // ---- observation ----
  [[nodiscard]] std::vector<ChangesRequest> changesRequests() const;
  [[nodiscard]] std::size_t requestCount(const std::string& path = "") const;
  [[nodiscard]] std::size_t connectionsAccepted() const;
  [[nodiscard]] std::size_t unauthorizedCount() const;

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace mfigw::testing
