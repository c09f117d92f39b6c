// The daemon's metrics: one table of declarations, a registry of values, Prometheus text.
//
// Purpose: every counter and gauge is declared once, in MFIGW_METRIC_TABLE below (name, type,
//   help, label names). Adding a metric is one line there; its MetricId, HELP and TYPE lines
//   and the label-count check all follow from that line. `GET /metrics` serves
//   Metrics::renderPrometheus() (text exposition format 0.0.4).
// Threading: values are std::atomic, so any thread (e.g. the store's writer) may update a
//   Counter& or Gauge& it holds. Looking a series up (counter()/gauge()) takes a mutex; hot
//   paths look their series up once and keep the reference. renderPrometheus() may run
//   concurrently with updates; it sees each value atomically, not a consistent snapshot.
// Errors: using a metric with the wrong type or the wrong number of label values is a
//   programming error and throws std::logic_error.
// Ownership: the Metrics object owns every series; a returned reference stays valid for
//   the lifetime of that Metrics object. There is no global registry: gateway/ creates one
//   and hands it to whoever updates or renders it.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <map>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace mfigw::gateway {

// X(id, name, type, help, labels): labels is one string of comma-separated label names
// ("" for none). Keep names in the mfigw_ namespace and counters ending in _total.
#define MFIGW_METRIC_TABLE(X)                                                                      \
  X(BuildInfo, "mfigw_build_info", Gauge, "Build information; the value is always 1.", "version")  \
  X(StartTimeSeconds, "mfigw_start_time_seconds", Gauge,                                           \
    "Start time of the daemon since the Unix epoch, in seconds.", "")                              \
  X(Ready, "mfigw_ready", Gauge, "1 when the daemon is ready to serve, 0 otherwise.", "")          \
  X(ConfigReloadsTotal, "mfigw_config_reloads_total", Counter,                                     \
    "Configuration reloads (SIGHUP), by result.", "result")                                        \
  X(HttpRequestsTotal, "mfigw_http_requests_total", Counter,                                       \
    "Admin HTTP requests, by route pattern and status code.", "route,code")                        \
  X(StoreMapSizeBytes, "mfigw_store_map_size_bytes", Gauge,                                        \
    "Current LMDB map size of each store environment, in bytes.", "env")                           \
  X(StoreUsedBytes, "mfigw_store_used_bytes", Gauge,                                               \
    "Bytes of the LMDB map in use by each store environment.", "env")                              \
  X(StoreCommitsTotal, "mfigw_store_commits_total", Counter,                                       \
    "Write transactions committed, by store environment.", "env")                                  \
  X(StoreWritesTotal, "mfigw_store_writes_total", Counter,                                         \
    "Logical writes submitted to the store, by environment and result.", "env,result")             \
  X(StoreMapFullTotal, "mfigw_store_map_full_total", Counter,                                      \
    "Group commits refused because the LMDB map was full (MDB_MAP_FULL) even after growing.",      \
    "env")                                                                                         \
  X(SmppLinkUp, "mfigw_smpp_link_up", Gauge, "1 when the SMPP link is bound, 0 otherwise.",        \
    "link")                                                                                        \
  X(SmppEventsTotal, "mfigw_smpp_events_total", Counter,                                           \
    "Link events: throttled, response_timeout, connect_failed, tls_failed, ...", "link,event")     \
  X(SmppDeliversTotal, "mfigw_smpp_delivers_total", Counter,                                       \
    "deliver_sm received, by kind (receipt, mo, ussd) and the status we answered.",                \
    "link,kind,status")                                                                            \
  X(SmsAcceptedTotal, "mfigw_sms_accepted_total", Counter,                                         \
    "Messages committed to the outbox, by origin (api, reply, notice, reminder).", "kind")         \
  X(SmsSubmittedTotal, "mfigw_sms_submitted_total", Counter, "submit_sm parts the SMSC accepted.", \
    "link")                                                                                        \
  X(SmsSubmitFailuresTotal, "mfigw_sms_submit_failures_total", Counter,                            \
    "submit_sm parts the SMSC refused, by kind (transient, permanent).", "link,kind")              \
  X(SmsReceiptsTotal, "mfigw_sms_receipts_total", Counter,                                         \
    "Delivery receipts by part state (delivered, failed, expired, other, unknown_id).", "state")   \
  X(OutboxMessages, "mfigw_outbox_messages", Gauge, "Messages in the outbox, by state.", "state")  \
  X(OutboxPurgedTotal, "mfigw_outbox_purged_total", Counter,                                       \
    "Final outbox messages removed after sms.keep_final.", "")                                     \
  X(UssdRequestsTotal, "mfigw_ussd_requests_total", Counter,                                       \
    "USSD requests by channel and result (page, end, fallback: past ussd.step_deadline, "          \
    "retry, refused).",                                                                            \
    "channel,result")                                                                              \
  X(UssdDialogsTotal, "mfigw_ussd_dialogs_total", Counter,                                         \
    "Finished USSD dialogs by outcome (completed, network_timeout, user_abort, app_error, "        \
    "app_slow: its last page went by SMS, restarted).",                                            \
    "outcome")                                                                                     \
  X(UssdEffectsTotal, "mfigw_ussd_effects_total", Counter,                                         \
    "Effects of confirmed dialog steps committed (credit_request, sms, ...).", "type")             \
  X(OptoutsTotal, "mfigw_optouts_total", Counter, "Borrowers who opted out of SMS (STOP).", "")    \
  X(RemindersEnqueuedTotal, "mfigw_reminders_enqueued_total", Counter,                             \
    "Reminders committed to the outbox by the scheduler, by kind (pre_due, due_today, overdue, "   \
    "meeting, group_summary).",                                                                    \
    "kind")                                                                                        \
  X(RemindersHeld, "mfigw_reminders_held", Gauge,                                                  \
    "Reminders due but not sent, by reason, as of the last complete scheduler pass: quiet_hours, " \
    "missed, cap_borrower_day, cap_installment, paid, deferral_pending, paused, closed, "          \
    "written_off, not_disbursed, opted_out, stale, no_phone, not_opted_in.",                       \
    "reason")                                                                                      \
  X(ReminderPassesTotal, "mfigw_reminder_passes_total", Counter,                                   \
    "Scheduler passes by result: complete, backlog (stopped at the per-pass bound; the next "      \
    "follows at once), quiet (skipped: quiet time in every window).",                              \
    "result")                                                                                      \
  X(ReminderLastPassSeconds, "mfigw_reminder_last_pass_seconds", Gauge,                            \
    "End of the last scheduler pass (complete or backlog) since the Unix epoch, in seconds.", "")  \
  X(ReminderWriteFailuresTotal, "mfigw_reminder_write_failures_total", Counter,                    \
    "Loans or groups whose reminders could not be committed (tried again next pass).", "")         \
  X(UpstreamUp, "mfigw_upstream_up", Gauge,                                                        \
    "1 when the last upstream sync window succeeded, 0 otherwise.", "")                            \
  X(UpstreamLastSuccessSeconds, "mfigw_upstream_last_success_seconds", Gauge,                      \
    "End of the last successful upstream sync window since the Unix epoch, in seconds; 0: never.", \
    "")                                                                                            \
  X(UpstreamSyncLagSeconds, "mfigw_upstream_sync_lag_seconds", Gauge,                              \
    "Seconds since the last successful upstream sync window (since start-up when none yet).", "")  \
  X(UpstreamWindowsTotal, "mfigw_upstream_windows_total", Counter,                                 \
    "Upstream sync windows by result (ok, connect, tls, timeout, transport, http, auth, "          \
    "protocol, store, ...).",                                                                      \
    "result")                                                                                      \
  X(UpstreamBytesTotal, "mfigw_upstream_bytes_total", Counter,                                     \
    "Bytes on the upstream socket, TLS included, by direction (in, out).", "direction")            \
  X(UpstreamRecordsTotal, "mfigw_upstream_records_total", Counter,                                 \
    "Loan-book records from upstream by feed and operation (upsert, delete, invalid, swept).",     \
    "feed,op")                                                                                     \
  X(UpstreamEventsTotal, "mfigw_upstream_events_total", Counter,                                   \
    "Events pushed upstream, by upstream's answer (accepted, duplicate, rejected).", "result")     \
  X(UpstreamEvents, "mfigw_upstream_events", Gauge,                                                \
    "Events held for upstream, by state (pending, rejected).", "state")                            \
  X(UpstreamReconcileTotal, "mfigw_upstream_reconcile_branches_total", Counter,                    \
    "Branches compared by the upstream reconcile, by result (match, mismatch).", "result")

enum class MetricId : std::size_t {
#define MFIGW_METRIC_ENUM(id, name, type, help, labels) id,
  MFIGW_METRIC_TABLE(MFIGW_METRIC_ENUM)
#undef MFIGW_METRIC_ENUM
};

enum class MetricType { Counter, Gauge };
[[nodiscard]] std::string_view toString(MetricType type);
[[nodiscard]] std::string_view toString(MetricId id);  // the metric's name

struct MetricDesc {
  MetricId id;
  std::string_view name;
  MetricType type;
  std::string_view help;
  std::vector<std::string_view> labels;
};

// The whole table, in declaration order (index == MetricId).
[[nodiscard]] std::span<const MetricDesc> metricTable();
[[nodiscard]] const MetricDesc& describe(MetricId id);

// Monotonic count. Never decreases (Prometheus treats a drop as a restart).
class Counter {
 public:
  void inc(std::uint64_t n = 1) { value_.fetch_add(n, std::memory_order_relaxed); }
  [[nodiscard]] std::uint64_t value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<std::uint64_t> value_{0};
};

class Gauge {
 public:
  void set(double v) { value_.store(v, std::memory_order_relaxed); }
  void add(double delta) { value_.fetch_add(delta, std::memory_order_relaxed); }
  [[nodiscard]] double value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0.0};
};

class Metrics {
 public:
  Metrics();
  ~Metrics();
  Metrics(const Metrics&) = delete;
  Metrics& operator=(const Metrics&) = delete;

  // The series of `id` with these label values (in the table's label order), created at
  // zero on first use. Throws std::logic_error on a type or label-count mismatch.
  Counter& counter(MetricId id, std::initializer_list<std::string_view> labelValues = {});
  Gauge& gauge(MetricId id, std::initializer_list<std::string_view> labelValues = {});

  // Prometheus text exposition format 0.0.4: for each metric in table order, # HELP and
  // # TYPE, then its series sorted by label values. Metrics without labels always have a
  // sample (0 until set); labelled ones only once a series exists.
  [[nodiscard]] std::string renderPrometheus() const;

 private:
  struct Series {
    Counter counter;
    Gauge gauge;
  };
  using SeriesMap = std::map<std::vector<std::string>, std::unique_ptr<Series>>;

  Series& series(MetricId id, MetricType expected, std::initializer_list<std::string_view> labels);

  mutable std::mutex mutex_;
  std::vector<SeriesMap> families_;  // index == MetricId
};

// docs/metrics.md: the table as Markdown (name, type, labels, help); a test keeps the
// checked-in file equal to this.
[[nodiscard]] std::string renderMetricsMarkdown();

// Escaping for the exposition format, exposed for tests and for other text renderers.
[[nodiscard]] std::string escapeLabelValue(std::string_view value);  // \\, \", \n
[[nodiscard]] std::string escapeHelp(std::string_view help);         // \\, \n

}  // namespace mfigw::gateway
