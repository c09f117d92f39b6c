#include "gateway/upstream_sync.hpp"

#include <algorithm>
#include <random>
#include <stdexcept>
#include <utility>
#include <vector>

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "gateway/async_commit.hpp"
#include "gateway/fineract_sync.hpp"
#include "gateway/upstream_apply.hpp"
#include "gateway/upstream_codec.hpp"
#include "store/error.hpp"
#include "store/reconcile_digest.hpp"

namespace mfigw::gateway {

namespace asio = boost::asio;
using boost::system::error_code;
using SteadyClock = std::chrono::steady_clock;
using WallClock = std::chrono::system_clock;

namespace {

constexpr auto kAwait = asio::use_awaitable;
// Invalid records are logged one line each up to this many per page; the rest are counted.
constexpr std::size_t kMaxInvalidLogged = 5;
constexpr std::size_t kMaxErrorDetail = 160;

std::int64_t unixNow() {
  return std::chrono::duration_cast<std::chrono::seconds>(WallClock::now().time_since_epoch())
      .count();
}

// Why a window ended early. Thrown inside a window only; the window's top level catches it.
struct WindowFailure {
  UpstreamFailureKind kind = UpstreamFailureKind::Transport;
  std::string message;
  std::optional<std::chrono::milliseconds> retryAfter;
};

class WindowFailed : public std::runtime_error {
 public:
  explicit WindowFailed(WindowFailure f) : std::runtime_error(f.message), failure(std::move(f)) {}
  WindowFailure failure;
};

// The text a refusal carried: {"error":{"message":...}}, {"error":"..."} or the start of
// the body, printable ASCII only (it goes into a log line).
std::string errorDetail(const std::string& body) {
  std::string text;
  const auto json = nlohmann::json::parse(body, nullptr, false);
  if (json.is_object() && json.contains("error")) {
    const auto& e = json["error"];
    if (e.is_string()) {
      text = e.get<std::string>();
    } else if (e.is_object() && e.contains("message") && e["message"].is_string()) {
      text = e["message"].get<std::string>();
    }
  }
  if (text.empty()) text = body;
  std::string out;
  for (const char c : text) {
    if (out.size() >= kMaxErrorDetail) break;
    out.push_back(c >= 0x20 && c < 0x7f ? c : ' ');
  }
  return out;
}

std::string_view pathOf(std::string_view target) {
  return target.substr(0, target.find('?'));
}

}  // namespace

// ---- options and status ----

UpstreamOptions upstreamOptions(const UpstreamConfig& config) {
  UpstreamOptions o;
  o.enabled = config.enabled;
  if (!config.url.empty()) {
    std::string why;
    const auto url = parseUpstreamUrl(config.url, &why);
    if (!url) throw std::invalid_argument("upstream.url: " + why);
    o.client.url = *url;
  }
  o.client.auth = upstreamAuthFromString(config.auth).value_or(UpstreamAuth::None);
  o.client.token = config.token;
  o.client.username = config.username;
  o.client.password = config.password;
  o.client.tls.verify = config.tlsVerify;
  o.client.tls.caFile = config.tlsCaFile;
  o.client.tls.serverName = config.tlsServerName;
  o.client.tls.certFile = config.tlsCertFile;
  o.client.tls.keyFile = config.tlsKeyFile;
  o.client.timeout = config.timeout;
  o.client.userAgent = std::string("mfi-gatewayd/") + MFIGW_VERSION;
  o.schedule.interval = config.interval;
  o.schedule.reconcileInterval = config.reconcileInterval;
  o.schedule.backoffMin = config.backoffMin;
  o.schedule.backoffMax = config.backoffMax;
  o.pageSize = config.pageSize;
  o.pushBatch = config.pushBatch;
  o.adapter = upstreamAdapterFromString(config.adapter).value_or(UpstreamAdapter::Mfigw);
  if (o.adapter == UpstreamAdapter::Fineract) {
    o.fineract.tenant = config.fineractTenant;
    o.fineract.creditRequest = fineractCreditRequestFromString(config.fineractCreditRequest)
                                   .value_or(FineractCreditRequest::Off);
    o.fineract.loanProductId = config.fineractLoanProductId;
    o.fineract.rescheduleReasonId = config.fineractRescheduleReasonId;
    // Every request names the tenant; basic auth comes from upstream.auth as usual.
    o.client.headers.emplace_back("Fineract-Platform-TenantId", config.fineractTenant);
  }
  return o;
}

std::string_view toString(UpstreamState state) noexcept {
  switch (state) {
    case UpstreamState::Disabled:
      return "disabled";
    case UpstreamState::Idle:
      return "idle";
    case UpstreamState::Syncing:
      return "syncing";
    case UpstreamState::BackingOff:
      return "backing_off";
    case UpstreamState::Stopped:
      return "stopped";
  }
  return "unknown";
}

nlohmann::json toJson(const UpstreamStatus& s) {
  return {
      {"state", std::string(toString(s.state))},
      {"last_success", s.lastSuccessUnix},
      {"last_attempt", s.lastAttemptUnix},
      {"last_reconcile", s.lastReconcileUnix},
      {"lag_seconds", s.lagSeconds},
      {"next_window_in_ms", s.nextWindowInMs},
      {"consecutive_failures", s.consecutiveFailures},
      {"last_failure", {{"kind", s.lastFailureKind}, {"error", s.lastError}}},
      {"windows", {{"ok", s.windowsOk}, {"failed", s.windowsFailed}}},
      {"connections", s.connections},
      {"bytes", {{"in", s.bytesIn}, {"out", s.bytesOut}}},
      {"records",
       {{"upserted", s.recordsUpserted},
        {"deleted", s.recordsDeleted},
        {"invalid", s.recordsInvalid},
        {"swept", s.recordsSwept}}},
      {"events",
       {{"accepted", s.eventsAccepted},
        {"duplicate", s.eventsDuplicate},
        {"rejected", s.eventsRejected},
        {"pending", s.eventsPending}}},
      {"reconcile", {{"mismatches", s.reconcileMismatches}, {"resyncs_running", s.resyncsRunning}}},
  };
}

// ---- the service ----

struct UpstreamSync::Impl {
  Impl(asio::io_context& io_, StoreLayout& stores_, UpstreamOptions options_, Metrics& metrics_,
       spdlog::logger& log_)
      : io(io_),
        stores(stores_),
        options(std::move(options_)),
        metrics(metrics_),
        log(log_),
        schedule(options.schedule, &Impl::randomUnit),
        timer(io_) {}

  static double randomUnit();

  asio::io_context& io;
  StoreLayout& stores;
  UpstreamOptions options;
  std::shared_ptr<asio::ssl::context> tls;
  Metrics& metrics;
  spdlog::logger& log;
  UpstreamSchedule schedule;
  asio::steady_timer timer;
  UpstreamStatus counts;  // the cumulative part of status()
  WallClock::time_point startedAt = WallClock::now();
  bool started = false;
  bool running = false;  // the schedule's coroutine is alive
  bool stopped = false;
  bool syncing = false;
  bool again = false;  // syncNow() during a window
  UpstreamConnection* current = nullptr;

  [[nodiscard]] const store::LoanBook& book() const { return stores.tables().loanBook; }
  [[nodiscard]] const store::UpstreamEvents& events() const {
    return stores.tables().upstreamEvents;
  }
  void spawn(const std::shared_ptr<Impl>& self);
  void restoreFromStore();
};

double UpstreamSync::Impl::randomUnit() {
  // Jitter only has to spread the retries of many boxes after a shared outage.
  thread_local std::minstd_rand engine{std::random_device{}()};
  return std::uniform_real_distribution<double>(0.0, 1.0)(engine);
}

namespace {

using Impl = UpstreamSync::Impl;

// One window's state: its options (a reload mid-window applies to the next one), its
// connection and what it did, for the summary log line.
struct Window {
  Impl& d;
  const UpstreamOptions& options;
  UpstreamConnection& conn;
  std::vector<Resync> resyncs;  // running at the start of the window
  bool feedsComplete = true;
  std::uint64_t pushed = 0;
  std::uint64_t pulled = 0;
  std::uint64_t pages = 0;

  // The `asof` stamp of what this window applies: never before a running re-pull's sweep
  // threshold, or a loan confirmed now could be swept as stale.
  [[nodiscard]] std::uint32_t stamp() const {
    std::int64_t at = unixNow();
    for (const Resync& r : resyncs)
      at = std::max<std::int64_t>(at, r.sweepBefore);
    return static_cast<std::uint32_t>(std::clamp<std::int64_t>(at, 0, UINT32_MAX));
  }
};

WindowFailure httpFailure(const UpstreamOptions& options, std::string_view method,
                          std::string_view target, const UpstreamReply& reply) {
  const unsigned status = reply.status;
  WindowFailure f;
  f.kind = status == 401 || status == 403 ? UpstreamFailureKind::Auth : UpstreamFailureKind::Http;
  f.message =
      fmt::format("{} {}: HTTP {} {}", method, pathOf(target), status, errorDetail(reply.body));
  if (status == 429 || status == 503) {
    // Busy or in maintenance: come back when the server says, else back off as usual.
    if (reply.retryAfter) f.retryAfter = *reply.retryAfter;
  } else if (status >= 400 && status < 500 && status != 408) {
    // Permanent: the same request would be refused again. Wait the longest back-off, for
    // the operator (or the MFI) to fix credentials or configuration.
    f.retryAfter = options.schedule.backoffMax;
  }
  return f;
}

// `alsoAccepted`: one non-2xx status the caller handles itself (0: none).
// Coroutines here take views and references to the caller's named locals, never values:
// g++ 12 destroys non-trivial temporaries of a co_await expression twice.
asio::awaitable<UpstreamReply> call(Window& w, std::string_view method, std::string_view target,
                                    std::string_view body, unsigned alsoAccepted = 0) {
  UpstreamExchange x = co_await w.conn.exchange(method, target, body);
  if (!x.ok()) throw WindowFailed(WindowFailure{x.failure, x.message, {}});
  const unsigned status = x.reply.status;
  if ((status >= 200 && status < 300) || (alsoAccepted != 0 && status == alsoAccepted)) {
    co_return std::move(x.reply);
  }
  throw WindowFailed(httpFailure(w.options, method, target, x.reply));
}

[[noreturn]] void protocolFailure(std::string message) {
  throw WindowFailed(WindowFailure{UpstreamFailureKind::Protocol, std::move(message), {}});
}

asio::awaitable<void> commit(Impl& d, const store::GroupCommitWriter::Work& work,
                             std::string_view what) {
  const std::error_code ec = co_await asyncCommit(d.stores.durableWriter(), work, kAwait);
  if (ec) {
    throw WindowFailed(WindowFailure{
        UpstreamFailureKind::Store, fmt::format("store refused {}: {}", what, ec.message()), {}});
  }
}

// 1. Push: pending events in seq order, one group commit per answered batch.
asio::awaitable<void> push(Window& w) {
  Impl& d = w.d;
  std::size_t limit = std::max<std::size_t>(1, w.options.pushBatch);
  for (std::size_t round = 0; round < w.options.maxPushBatches; ++round) {
    std::vector<store::UpstreamEvent> batch;
    {
      store::ReadTxn txn = d.stores.durable().beginRead();
      batch = d.events().pendingBatch(txn, limit);
    }
    if (batch.empty()) co_return;
    std::vector<WireEvent> wire;
    wire.reserve(batch.size());
    for (const auto& e : batch)
      wire.push_back(toWireEvent(e));
    const std::string body = encodeEventBatch(wire);
    const UpstreamReply reply = co_await call(w, "POST", "/v1/events", body, 413);
    std::vector<EventAnswer> answers;
    if (reply.status == 413) {
      if (batch.size() > 1) {
        limit = batch.size() / 2;
        d.log.info("upstream refused an event batch as too large, halving batch={}", limit);
        continue;
      }
      // Alone and still too large: retrying cannot help; the operator gets it with a reason.
      answers.push_back(EventAnswer{batch.front().key, EventResult::Rejected,
                                    "upstream refused it as too large (HTTP 413)"});
    } else {
      try {
        answers = decodeEventAnswers(reply.body);
      } catch (const UpstreamProtocolError& e) {
        protocolFailure(fmt::format("POST /v1/events: {}", e.what()));
      }
    }
    auto outcome = std::make_shared<PushOutcome>();
    const store::UpstreamEvents& events = d.events();
    const store::GroupCommitWriter::Work work = [&events, batch, answers,
                                                 outcome](store::WriteTxn& txn) {
      *outcome = applyAnswers(txn, events, batch, answers);
    };
    co_await commit(d, work, "event answers");
    d.counts.eventsAccepted += outcome->accepted;
    d.counts.eventsDuplicate += outcome->duplicate;
    d.counts.eventsRejected += outcome->rejected;
    d.metrics.counter(MetricId::UpstreamEventsTotal, {"accepted"}).inc(outcome->accepted);
    d.metrics.counter(MetricId::UpstreamEventsTotal, {"duplicate"}).inc(outcome->duplicate);
    d.metrics.counter(MetricId::UpstreamEventsTotal, {"rejected"}).inc(outcome->rejected);
    w.pushed += outcome->accepted + outcome->duplicate + outcome->rejected;
    if (outcome->rejected > 0) {
      d.log.warn("upstream rejected events count={} (kept for the operator)", outcome->rejected);
    }
    if (outcome->unanswered > 0) {
      // They would come first again in the next batch; leave them for the next window.
      d.log.warn("upstream left events unanswered count={}; retrying next window",
                 outcome->unanswered);
      co_return;
    }
  }
}

// 2 and 4. Pull one feed (or one branch re-pull) page by page; each page and its cursor
// commit together.
asio::awaitable<void> pull(Window& w, UpstreamFeed feed, Resync* resync) {
  Impl& d = w.d;
  const std::string feedName(toString(feed));
  for (std::size_t n = 0; n < w.options.maxPagesPerFeed; ++n) {
    ChangeCursor cursor;
    if (resync != nullptr) {
      cursor = resync->cursor;
    } else {
      store::ReadTxn txn = d.stores.durable().beginRead();
      cursor = feedCursor(txn, d.book(), feed);
    }
    const std::optional<std::uint16_t> branch =
        resync != nullptr ? std::optional<std::uint16_t>(resync->branch) : std::nullopt;
    const std::string target =
        "/v1/changes?" + changesQuery(feed, cursor, w.options.pageSize, branch);
    const UpstreamReply reply = co_await call(w, "GET", target, "");
    auto page = std::make_shared<ChangePage>();
    try {
      *page = decodeChangePage(reply.body, feed);
    } catch (const UpstreamProtocolError& e) {
      protocolFailure(fmt::format("GET /v1/changes feed={}: {}", feedName, e.what()));
    }
    const bool carries = page->upserts() + page->deletions.size() + page->invalid.size() > 0;
    if (page->next < cursor || (carries && !(cursor < page->next))) {
      // Applying it would move the checkpoint backwards or loop on the same page.
      protocolFailure(
          fmt::format("GET /v1/changes feed={}: next cursor ({}, \"{}\") is not after "
                      "({}, \"{}\")",
                      feedName, page->next.ver, page->next.id, cursor.ver, cursor.id));
    }
    for (std::size_t i = 0; i < page->invalid.size() && i < kMaxInvalidLogged; ++i) {
      d.log.warn("upstream record skipped feed={} reason=\"{}\"", feedName, page->invalid[i]);
    }
    auto outcome = std::make_shared<PageOutcome>();
    const store::LoanBook& book = d.book();
    const std::uint32_t asOf = w.stamp();
    if (resync != nullptr) {
      const Resync r = *resync;
      const store::GroupCommitWriter::Work work = [&book, page, r, asOf,
                                                   outcome](store::WriteTxn& txn) {
        *outcome = applyResyncPage(txn, book, *page, r, asOf);
      };
      co_await commit(d, work, "a re-pull page");
      resync->cursor = page->next;
    } else {
      const std::int64_t now = unixNow();
      const store::GroupCommitWriter::Work work = [&book, page, asOf, now,
                                                   outcome](store::WriteTxn& txn) {
        *outcome = applyPage(txn, book, *page, asOf, now);
      };
      co_await commit(d, work, "a page");
    }
    ++w.pages;
    w.pulled += outcome->upserted + outcome->deleted;
    d.counts.recordsUpserted += outcome->upserted;
    d.counts.recordsDeleted += outcome->deleted;
    d.counts.recordsInvalid += page->invalid.size();
    d.counts.recordsSwept += outcome->swept;
    d.metrics.counter(MetricId::UpstreamRecordsTotal, {feedName, "upsert"}).inc(outcome->upserted);
    d.metrics.counter(MetricId::UpstreamRecordsTotal, {feedName, "delete"}).inc(outcome->deleted);
    if (!page->invalid.empty()) {
      d.metrics.counter(MetricId::UpstreamRecordsTotal, {feedName, "invalid"})
          .inc(page->invalid.size());
    }
    if (outcome->swept > 0) {
      d.metrics.counter(MetricId::UpstreamRecordsTotal, {feedName, "swept"}).inc(outcome->swept);
    }
    if (resync != nullptr && !page->hasMore) {
      d.log.info("upstream branch re-pull done branch={} removed={}", resync->branch,
                 outcome->swept);
    }
    if (!page->hasMore) co_return;
  }
  w.feedsComplete = false;
  d.log.warn("upstream feed not finished in one window feed={} pages={}; continuing next window",
             feedName, w.options.maxPagesPerFeed);
}

// 3. Reconcile: count + hash per branch; a branch that differs is pulled again in full.
asio::awaitable<void> reconcile(Window& w) {
  Impl& d = w.d;
  const UpstreamReply reply = co_await call(w, "GET", "/v1/reconcile", "");
  std::vector<store::BranchDigest> remote;
  try {
    remote = decodeDigests(reply.body);
  } catch (const UpstreamProtocolError& e) {
    protocolFailure(fmt::format("GET /v1/reconcile: {}", e.what()));
  }
  std::vector<store::BranchDigest> local;
  {
    store::ReadTxn txn = d.stores.durable().beginRead();
    local = store::reconcileDigests(txn, d.book().loanTable());
  }
  const std::vector<std::uint16_t> mismatched = mismatchedBranches(local, remote);
  std::vector<std::uint16_t> branches;
  for (const auto& x : local)
    branches.push_back(x.branch);
  for (const auto& x : remote)
    branches.push_back(x.branch);
  std::sort(branches.begin(), branches.end());
  branches.erase(std::unique(branches.begin(), branches.end()), branches.end());

  const std::int64_t now = unixNow();
  // Every loan the re-pull applies is stamped at or after this; anything older is stale.
  const auto sweepBefore = static_cast<std::uint32_t>(now + 1);
  const store::LoanBook& book = d.book();
  const store::GroupCommitWriter::Work work = [&book, mismatched, sweepBefore,
                                               now](store::WriteTxn& txn) {
    for (const std::uint16_t branch : mismatched) {
      startResync(txn, book, branch, sweepBefore);
    }
    saveReconcileTime(txn, book, now);
  };
  co_await commit(d, work, "the reconcile");
  d.counts.lastReconcileUnix = now;
  d.counts.reconcileMismatches += mismatched.size();
  d.metrics.counter(MetricId::UpstreamReconcileTotal, {"match"})
      .inc(branches.size() - mismatched.size());
  d.metrics.counter(MetricId::UpstreamReconcileTotal, {"mismatch"}).inc(mismatched.size());
  if (mismatched.empty()) {
    d.log.info("upstream reconcile matched branches={}", branches.size());
  } else {
    d.log.warn("upstream reconcile found differences branches={} mismatched=[{}]; re-pulling them",
               branches.size(), fmt::join(mismatched, ","));
  }
}

asio::awaitable<void> resyncs(Window& w) {
  std::vector<Resync> running;
  {
    store::ReadTxn txn = w.d.stores.durable().beginRead();
    running = pendingResyncs(txn, w.d.book());
  }
  for (Resync& r : running) {
    co_await pull(w, UpstreamFeed::Loans, &r);
  }
}

asio::awaitable<void> window(Impl& d) {
  d.syncing = true;
  d.counts.lastAttemptUnix = unixNow();
  const auto started = SteadyClock::now();
  // This window's options and TLS context: a reload meanwhile applies to the next one.
  const UpstreamOptions options = d.options;
  const std::shared_ptr<asio::ssl::context> tls = d.tls;
  UpstreamConnection conn(d.io.get_executor(), options.client, tls.get(), d.log);
  d.current = &conn;
  Window w{d, options, conn, {}};
  bool reconciled = false;
  std::optional<WindowFailure> failure;
  try {
    {
      store::ReadTxn txn = d.stores.durable().beginRead();
      w.resyncs = pendingResyncs(txn, d.book());
    }
    if (options.adapter == UpstreamAdapter::Fineract) {
      UpstreamWindowContext context{conn, options, d.stores, d.metrics, d.log, d.counts, 0, 0, 0};
      try {
        co_await runFineractWindow(context);
      } catch (const UpstreamWindowError& e) {
        failure = WindowFailure{e.failure.kind, e.failure.message, e.failure.retryAfter};
      }
      w.pushed = context.pushed;
      w.pulled = context.pulled;
      w.pages = context.pages;
    } else {
      co_await push(w);
      for (const UpstreamFeed feed : kUpstreamFeeds) {
        co_await pull(w, feed, nullptr);
      }
      // Only over a complete pull: a half-pulled book differs from upstream by design.
      if (w.feedsComplete && d.schedule.reconcileDue(SteadyClock::now())) {
        co_await reconcile(w);
        reconciled = true;
      }
      co_await resyncs(w);
    }
  } catch (const WindowFailed& e) {
    failure = e.failure;
  } catch (const store::MapFull& e) {
    failure = WindowFailure{UpstreamFailureKind::Store, e.what(), {}};
  } catch (const store::StoreError& e) {
    failure = WindowFailure{UpstreamFailureKind::Store, e.what(), {}};
  }
  d.current = nullptr;
  conn.close();
  const UpstreamByteCount bytes = conn.bytes();
  d.counts.bytesIn += bytes.in;
  d.counts.bytesOut += bytes.out;
  d.counts.connections += conn.connectionsOpened();
  d.metrics.counter(MetricId::UpstreamBytesTotal, {"in"}).inc(bytes.in);
  d.metrics.counter(MetricId::UpstreamBytesTotal, {"out"}).inc(bytes.out);
  const auto elapsed =
      std::chrono::duration_cast<std::chrono::milliseconds>(SteadyClock::now() - started);
  const auto now = SteadyClock::now();
  if (d.stopped) {
    d.syncing = false;
    co_return;
  }
  if (!failure) {
    d.schedule.windowSucceeded(now, reconciled);
    d.counts.lastSuccessUnix = unixNow();
    d.counts.consecutiveFailures = 0;
    d.counts.lastFailureKind.clear();
    d.counts.lastError.clear();
    ++d.counts.windowsOk;
    d.metrics.counter(MetricId::UpstreamWindowsTotal, {"ok"}).inc();
    d.metrics.gauge(MetricId::UpstreamUp).set(1);
    d.log.info(
        "upstream sync done pushed={} pulled={} pages={} bytes_in={} bytes_out={} "
        "duration_ms={}",
        w.pushed, w.pulled, w.pages, bytes.in, bytes.out, elapsed.count());
  } else {
    const auto delay = d.schedule.windowFailed(now, failure->retryAfter);
    d.counts.consecutiveFailures = d.schedule.consecutiveFailures();
    d.counts.lastFailureKind = std::string(toString(failure->kind));
    d.counts.lastError = failure->message;
    ++d.counts.windowsFailed;
    d.metrics.counter(MetricId::UpstreamWindowsTotal, {toString(failure->kind)}).inc();
    d.metrics.gauge(MetricId::UpstreamUp).set(0);
    d.log.warn(
        "upstream sync failed kind={} error=\"{}\" pushed={} pulled={} failures={} "
        "retry_in_ms={}",
        toString(failure->kind), failure->message, w.pushed, w.pulled,
        d.schedule.consecutiveFailures(),
        std::chrono::duration_cast<std::chrono::milliseconds>(delay).count());
  }
  if (d.again) {
    d.again = false;
    d.schedule.requestNow(now);
  }
  d.syncing = false;
}

asio::awaitable<void> loop(std::shared_ptr<Impl> self) {
  Impl& d = *self;
  d.restoreFromStore();
  d.schedule.start(SteadyClock::now());
  while (!d.stopped && d.options.enabled) {
    if (!d.schedule.due(SteadyClock::now())) {
      d.timer.expires_at(d.schedule.nextWindow());
      error_code ec;
      co_await d.timer.async_wait(asio::redirect_error(kAwait, ec));
      continue;  // woken early by syncNow(), setOptions() or stop(): look again
    }
    co_await window(d);
  }
  d.running = false;
}

}  // namespace

void UpstreamSync::Impl::spawn(const std::shared_ptr<Impl>& self) {
  running = true;
  asio::co_spawn(io, loop(self), [self](std::exception_ptr e) {
    self->running = false;
    if (!e) return;
    try {
      std::rethrow_exception(e);
    } catch (const std::exception& ex) {
      self->log.error("upstream sync stopped by an unexpected error error=\"{}\"", ex.what());
    }
  });
}

void UpstreamSync::Impl::restoreFromStore() {
  store::ReadTxn txn = stores.durable().beginRead();
  if (const auto last = lastReconcileTime(txn, book())) {
    // Wall time in the store, steady time in the schedule: carry the age across.
    const auto age = std::chrono::seconds(std::max<std::int64_t>(0, unixNow() - *last));
    schedule.setLastReconcile(SteadyClock::now() - age);
    counts.lastReconcileUnix = *last;
  }
  if (counts.lastSuccessUnix == 0) counts.lastSuccessUnix = lastCompletePull(txn, book());
}

UpstreamSync::UpstreamSync(asio::io_context& io, StoreLayout& stores, UpstreamOptions options,
                           Metrics& metrics, spdlog::logger& log)
    : impl_(std::make_shared<Impl>(io, stores, std::move(options), metrics, log)) {
  setOptions(impl_->options);
}

UpstreamSync::~UpstreamSync() {
  stop();
}

void UpstreamSync::start() {
  Impl& d = *impl_;
  if (d.started || d.stopped) return;
  d.started = true;
  if (d.options.enabled) d.spawn(impl_);
}

void UpstreamSync::stop() {
  Impl& d = *impl_;
  if (d.stopped) return;
  d.stopped = true;
  d.timer.cancel();
  if (d.current != nullptr) d.current->close();
}

bool UpstreamSync::syncNow() {
  Impl& d = *impl_;
  if (!d.options.enabled || d.stopped || !d.running) return false;
  if (d.syncing) {
    d.again = true;
    return true;
  }
  d.schedule.requestNow(SteadyClock::now());
  d.timer.cancel();
  return true;
}

void UpstreamSync::setOptions(UpstreamOptions options) {
  Impl& d = *impl_;
  if (options.enabled && options.client.url.host.empty()) {
    throw std::invalid_argument("upstream: enabled without a URL");
  }
  std::shared_ptr<asio::ssl::context> tls;
  if (options.client.url.tls) tls = makeUpstreamTlsContext(options.client.tls);
  d.tls = std::move(tls);
  d.schedule.setOptions(options.schedule);
  d.options = std::move(options);
  if (!d.options.enabled) {
    d.timer.cancel();  // the loop sees it and ends
  } else if (d.started && !d.stopped && !d.running) {
    d.spawn(impl_);
  } else {
    d.timer.cancel();  // a new interval may make a window due sooner
  }
}

bool UpstreamSync::running() const {
  return impl_->running;
}

UpstreamStatus UpstreamSync::status() const {
  const Impl& d = *impl_;
  UpstreamStatus s = d.counts;
  if (d.stopped) {
    s.state = UpstreamState::Stopped;
  } else if (!d.options.enabled) {
    s.state = UpstreamState::Disabled;
  } else if (d.syncing) {
    s.state = UpstreamState::Syncing;
  } else if (d.schedule.backingOff()) {
    s.state = UpstreamState::BackingOff;
  } else {
    s.state = UpstreamState::Idle;
  }
  s.consecutiveFailures = d.schedule.consecutiveFailures();
  const std::int64_t now = unixNow();
  const std::int64_t since =
      s.lastSuccessUnix > 0
          ? s.lastSuccessUnix
          : std::chrono::duration_cast<std::chrono::seconds>(d.startedAt.time_since_epoch())
                .count();
  s.lagSeconds = std::max<std::int64_t>(0, now - since);
  if (d.running && !d.syncing) {
    s.nextWindowInMs =
        std::max<std::int64_t>(0, std::chrono::duration_cast<std::chrono::milliseconds>(
                                      d.schedule.nextWindow() - SteadyClock::now())
                                      .count());
  }
  store::ReadTxn txn = d.stores.durable().beginRead();
  s.eventsPending = d.stores.tables().upstreamEvents.counts(txn).pending;
  s.resyncsRunning =
      static_cast<std::uint32_t>(pendingResyncs(txn, d.stores.tables().loanBook).size());
  return s;
}

void UpstreamSync::exportMetrics() {
  const UpstreamStatus s = status();
  Impl& d = *impl_;
  d.metrics.gauge(MetricId::UpstreamLastSuccessSeconds).set(static_cast<double>(s.lastSuccessUnix));
  d.metrics.gauge(MetricId::UpstreamSyncLagSeconds).set(static_cast<double>(s.lagSeconds));
  store::ReadTxn txn = d.stores.durable().beginRead();
  const store::UpstreamEventCounts held = d.events().counts(txn);
  d.metrics.gauge(MetricId::UpstreamEvents, {"pending"}).set(static_cast<double>(held.pending));
  d.metrics.gauge(MetricId::UpstreamEvents, {"rejected"}).set(static_cast<double>(held.rejected));
}

}  // namespace mfigw::gateway
