#include "gateway/daemon.hpp"

#include <sys/stat.h>

#include <chrono>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <utility>

#include <spdlog/spdlog.h>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>

#include "gateway/admin_client.hpp"
#include "gateway/admin_routes.hpp"
#include "gateway/admin_token.hpp"
#include "gateway/config_loader.hpp"
#include "gateway/http_server.hpp"
#include "gateway/import_api.hpp"
#include "gateway/inbound_dispatcher.hpp"
#include "gateway/logging.hpp"
#include "gateway/messages_api.hpp"
#include "gateway/metrics.hpp"
#include "gateway/optout_api.hpp"
#include "gateway/outbox_retention.hpp"
#include "gateway/outbox_sender.hpp"
#include "gateway/reminder_file.hpp"
#include "gateway/reminder_scheduler.hpp"
#include "gateway/simulator_api.hpp"
#include "gateway/smsc_links.hpp"
#include "gateway/store_layout.hpp"
#include "gateway/systemd_notify.hpp"
#include "gateway/upstream_api.hpp"
#include "gateway/upstream_sync.hpp"
#include "gateway/ussd_http_ingress.hpp"
#include "gateway/ussd_service.hpp"
#include "gateway/ussd_smpp_ingress.hpp"

namespace mfigw::gateway {

namespace asio = boost::asio;
using Clock = std::chrono::system_clock;

struct Daemon::Impl {
  explicit Impl(DaemonOptions opts) : options(std::move(opts)), loggers(detectLogStyle()) {}

  DaemonOptions options;
  Loggers loggers;
  GatewayConfig config;
  asio::io_context io{1};
  asio::signal_set signals{io};
  asio::steady_timer watchdogTimer{io};
  asio::steady_timer sessionSyncTimer{io};
  asio::steady_timer drainTimer{io};
  asio::steady_timer drainPoll{io};
  // Blocking housekeeping (flushing the relaxed session store) runs here, off the loop.
  asio::thread_pool background{1};
  SystemdNotifier notifier;
  Metrics metrics;
  std::unique_ptr<StoreLayout> stores;
  CallbackAdminContext adminContext;
  std::unique_ptr<AdminRoutes> routes;
  std::unique_ptr<HttpServer> server;
  std::unique_ptr<OptOutApi> optouts;
  std::unique_ptr<SmscLinks> links;
  std::unique_ptr<OutboxSender> sender;
  std::unique_ptr<InboundDispatcher> inbound;
  std::unique_ptr<MessagesApi> messages;
  std::unique_ptr<UssdService> ussd;
  std::unique_ptr<UssdSmppIngress> ussdSmpp;
  std::unique_ptr<SimulatorApi> simulatorApi;
  std::unique_ptr<UssdHttpIngress> ussdHttp;
  std::unique_ptr<ImportApi> importApi;
  std::unique_ptr<UpstreamSync> upstream;
  std::unique_ptr<UpstreamApi> upstreamApi;
  std::unique_ptr<ReminderScheduler> reminders;
  std::unique_ptr<OutboxRetention> retention;
  asio::steady_timer ussdSweepTimer{io};
  Clock::time_point startedAt = Clock::now();
  bool ready = false;
  bool stopping = false;

  GatewayConfig loadOrThrow();
  void openStores();
  void buildSmpp();
  void buildUpstream();
  [[nodiscard]] UpstreamOptions syncOptions() const;
  void buildUssd();
  void buildReminders();
  void buildRetention();
  std::string remindersFile() const { return menusDir() + "/reminders.yaml"; }
  void armUssdSweep();
  std::string menusDir() const { return options.menusDir ? *options.menusDir : config.menus.dir; }
  UssdOptions ussdOptions() const;
  void startAdmin();
  void armWatchdog(std::chrono::microseconds interval);
  void armSessionSync();
  void waitForSignal();
  void reload();
  void beginShutdown(int signal);
  AdminStatus status() const;
  std::string statusLine() const;
  void refreshStoreGauges();
  void refreshOutboxGauges();
  void finishDrain();
};

namespace {

// "1.5 GiB" style for STATUS= and logs.
std::string humanBytes(std::uint64_t bytes) {
  static constexpr const char* kUnits[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  double value = static_cast<double>(bytes);
  std::size_t unit = 0;
  while (value >= 1024.0 && unit + 1 < std::size(kUnits)) {
    value /= 1024.0;
    ++unit;
  }
  std::ostringstream out;
  out.precision(unit == 0 ? 0 : 1);
  out << std::fixed << value << ' ' << kUnits[unit];
  return out.str();
}

}  // namespace

GatewayConfig Daemon::Impl::loadOrThrow() {
  ConfigResult result = loadConfigFile(options.configPath);
  if (!result.ok()) {
    // Every error, then a summary line: the operator fixes them all in one go.
    for (const ConfigError& error : result.errors) {
      loggers.gateway().error("{}", error.toString());
    }
    throw StartupError(
        fmt::format("{}: {} configuration error(s)", options.configPath, result.errors.size()));
  }
  if (options.stateDir) {
    result.config.store.path = *options.stateDir;
  }
  return std::move(result.config);
}

void Daemon::Impl::openStores() {
  try {
    stores = std::make_unique<StoreLayout>(
        config.store, [this](std::function<void()> fn) { asio::post(io, std::move(fn)); },
        loggers.store());
  } catch (const std::exception& e) {
    throw StartupError(e.what());
  }
  refreshStoreGauges();
}

UpstreamOptions Daemon::Impl::syncOptions() const {
  UpstreamOptions o = upstreamOptions(config.upstream);
  // Fineract's mobileNo is normalised like every other number the gateway stores.
  o.fineract.defaultRegion = config.phone.defaultRegion;
  return o;
}

void Daemon::Impl::buildUpstream() {
  try {
    upstream =
        std::make_unique<UpstreamSync>(io, *stores, syncOptions(), metrics, loggers.gateway());
  } catch (const std::exception& e) {
    throw StartupError(std::string("upstream: ") + e.what());  // e.g. a TLS file
  }
}

void Daemon::Impl::buildSmpp() {
  try {
    links = std::make_unique<SmscLinks>(io, config, metrics, loggers.smpp());
  } catch (const std::exception& e) {
    throw StartupError(e.what());  // e.g. a TLS file that cannot be loaded
  }
  const MsisdnMasker mask(config.log.maskMsisdn);
  sender = std::make_unique<OutboxSender>(io, *stores, *links, config.sms, metrics, mask,
                                          loggers.smpp());
  inbound = std::make_unique<InboundDispatcher>(*stores, *links, *sender, config, metrics, mask,
                                                loggers.gateway());
  links->setSinks(sender.get(), inbound.get());
  if (links->size() == 0) {
    loggers.smpp().warn(
        "no SMPP link configured (smpp.links is empty, smpp.simulator false): "
        "messages are queued but not sent");
  }
}

UssdOptions Daemon::Impl::ussdOptions() const {
  UssdOptions o;
  o.serviceCode = config.menus.serviceCode;
  o.region = config.phone.defaultRegion;
  o.idleTimeout = config.ussd.idleTimeout;
  o.dialogCap = config.ussd.dialogCap;
  o.resumeWindow = config.ussd.resumeWindow;
  o.stepDeadline = config.ussd.stepDeadline;
  o.pinMaxTries = static_cast<int>(config.ussd.pinMaxTries);
  o.pinLockout = config.ussd.pinLockout;
  return o;
}

void Daemon::Impl::buildUssd() {
  ussd = std::make_unique<UssdService>(io, *stores, *sender, ussdOptions(), metrics,
                                       MsisdnMasker(config.log.maskMsisdn), loggers.menus());
  if (const auto errors = ussd->loadMenus(menusDir())) {
    // Each error names FILE:LINE:COL; the operator fixes them all in one go.
    std::istringstream lines(*errors);
    for (std::string line; std::getline(lines, line);)
      loggers.menus().error("{}", line);
    throw StartupError(fmt::format("{}/menu.yaml: the USSD menu tree has errors", menusDir()));
  }
  ussdSmpp = std::make_unique<UssdSmppIngress>(*links, *ussd, MsisdnMasker(config.log.maskMsisdn),
                                               loggers.menus(), ussdDialectsByLink(config));
  inbound->setUssdHandler(
      [this](LinkIndex link, smpp::DeliverSm pdu) { ussdSmpp->onDeliver(link, std::move(pdu)); });
}

void Daemon::Impl::buildReminders() {
  auto loaded = loadReminderFile(remindersFile());
  if (!loaded.ok()) {
    for (const auto& error : loaded.errors)
      loggers.gateway().error("{}", error.toString());
    throw StartupError(remindersFile() + ": the reminder rules have errors");
  }
  ReminderSchedulerOptions schedule;
  schedule.source = config.sms.source;
  reminders = std::make_unique<ReminderScheduler>(
      io, stores->durable(), stores->tables(), stores->durableWriter(), std::move(*loaded.config),
      schedule, loggers.gateway(), ReminderScheduler::Clock{}, [this] { sender->wake(); });
  reminders->setMetrics(&metrics);
}

void Daemon::Impl::buildRetention() {
  OutboxRetentionOptions o;
  o.keepFinal = config.sms.keepFinal;
  retention = std::make_unique<OutboxRetention>(io, stores->outbox(), stores->durableWriter(), o,
                                                metrics, loggers.store());
  // A full map refuses the writer's txn even for deletes; Env::reclaim may use the reserve
  // beyond store.max_map_size. It is a top-level txn of its own, so it runs off the loop
  // (it waits for the writer's txn) and reports back on the loop.
  retention->setReclaim(
      [this](store::GroupCommitWriter::Work work, store::GroupCommitWriter::Done done) {
        asio::post(background, [this, work = std::move(work), done = std::move(done)] {
          std::error_code ec;
          try {
            stores->durable().reclaim(work);
          } catch (const store::MapFull&) {
            ec = store::errc::map_full;
          } catch (const std::exception&) {
            ec = store::errc::write_failed;
          }
          asio::post(io, [done, ec] { done(ec); });
        });
      });
}

void Daemon::Impl::armUssdSweep() {
  ussdSweepTimer.expires_after(std::chrono::seconds(30));
  ussdSweepTimer.async_wait([this](const boost::system::error_code& ec) {
    if (ec) return;
    ussd->sweep();
    armUssdSweep();
  });
}

void Daemon::Impl::refreshOutboxGauges() {
  if (!stores) return;
  store::ReadTxn txn = stores->durable().beginRead();
  for (store::OutboxState s : store::kOutboxStates) {
    metrics.gauge(MetricId::OutboxMessages, {store::toString(s)})
        .set(static_cast<double>(stores->outbox().count(txn, s)));
  }
}

void Daemon::Impl::startAdmin() {
  Secret token = config.admin.token;
  if (config.admin.tokenFile.empty()) {
    try {
      token = loadOrCreateAdminToken(std::filesystem::path(config.store.path) / "admin.token");
    } catch (const std::exception& e) {
      throw StartupError(e.what());
    }
  }
  adminContext.readyFn = [this] { return ready && !stopping; };
  adminContext.statusFn = [this] { return status(); };
  adminContext.metricsFn = [this] {
    refreshStoreGauges();
    refreshOutboxGauges();
    if (upstream) upstream->exportMetrics();
    return metrics.renderPrometheus();
  };
  routes = std::make_unique<AdminRoutes>(adminContext, std::move(token));
  optouts = std::make_unique<OptOutApi>(*stores, metrics, config.phone.defaultRegion,
                                        MsisdnMasker(config.log.maskMsisdn), loggers.gateway());
  optouts->registerRoutes(*routes);
  messages = std::make_unique<MessagesApi>(*stores, *sender, config, metrics, loggers.gateway());
  messages->registerRoutes(*routes);
  ImportOptions importOptions;
  importOptions.defaultRegion = config.phone.defaultRegion;
  importApi = std::make_unique<ImportApi>(*stores, importOptions, loggers.gateway());
  importApi->registerRoutes(*routes);
  upstreamApi = std::make_unique<UpstreamApi>(*upstream);
  upstreamApi->registerRoutes(*routes);
  // Aggregators reach the routes with the key in the path; without a key there are none.
  ussdHttp = std::make_unique<UssdHttpIngress>(*ussd, config.ussd.httpKey);
  if (!config.ussd.httpKey.empty()) ussdHttp->registerRoutes(*routes);
  if (links->simulator()) {
    simulatorApi = std::make_unique<SimulatorApi>(io, *links, config.menus.serviceCode);
    simulatorApi->registerRoutes(*routes);
  }
  server = std::make_unique<HttpServer>(io, httpServerOptions(config.admin), *routes,
                                        loggers.http(), &metrics);
  try {
    server->bind();
  } catch (const std::exception& e) {
    throw StartupError(e.what());
  }
  server->start();
}

void Daemon::Impl::refreshStoreGauges() {
  if (stores) stores->exportMetrics(metrics);
}

AdminStatus Daemon::Impl::status() const {
  AdminStatus s;
  s.version = MFIGW_VERSION;
  s.startTimeUnix =
      std::chrono::duration_cast<std::chrono::seconds>(startedAt.time_since_epoch()).count();
  s.uptimeSeconds =
      std::chrono::duration_cast<std::chrono::seconds>(Clock::now() - startedAt).count();
  s.ready = ready && !stopping;
  if (stores) s.stores = stores->status();
  if (links) s.links = links->status();
  return s;
}

std::string Daemon::Impl::statusLine() const {
  // The bound port, which differs from the configured one when that asked for port 0.
  const auto listen = parseHostPort(config.admin.listen);
  const std::string admin =
      listen && server ? formatHostPort(listen->host, server->port()) : config.admin.listen;
  std::string line = fmt::format("ready; admin on {}", admin);
  if (stores) {
    for (const StoreEnvStatus& env : stores->status()) {
      line += fmt::format("; {} store {} of {}", env.env, humanBytes(env.usedBytes),
                          humanBytes(env.mapSizeBytes));
    }
  }
  return line;
}

void Daemon::Impl::armWatchdog(std::chrono::microseconds interval) {
  watchdogTimer.expires_after(interval);
  watchdogTimer.async_wait([this, interval](const boost::system::error_code& ec) {
    if (ec) return;  // cancelled on shutdown
    // Sent from the loop itself: a stuck loop stops the pings and systemd restarts us.
    notifier.watchdog();
    armWatchdog(interval);
  });
}

void Daemon::Impl::armSessionSync() {
  sessionSyncTimer.expires_after(config.store.sessionSyncInterval);
  sessionSyncTimer.async_wait([this](const boost::system::error_code& ec) {
    if (ec) return;
    asio::post(background, [this] { stores->syncSessions(); });
    armSessionSync();
  });
}

void Daemon::Impl::waitForSignal() {
  signals.async_wait([this](const boost::system::error_code& ec, int signal) {
    if (ec) return;
    if (signal == SIGHUP) {
      reload();
      waitForSignal();
      return;
    }
    beginShutdown(signal);
    waitForSignal();  // a second SIGTERM during the drain is harmless
  });
}

void Daemon::Impl::reload() {
  notifier.reloading();
  auto& log = loggers.gateway();
  ConfigResult result = loadConfigFile(options.configPath);
  if (!result.ok()) {
    for (const ConfigError& error : result.errors)
      log.error("{}", error.toString());
    log.error("reload refused, keeping the running configuration errors={}", result.errors.size());
    metrics.counter(MetricId::ConfigReloadsTotal, {"error"}).inc();
    notifier.ready(statusLine());
    return;
  }
  GatewayConfig next = std::move(result.config);
  if (options.stateDir) next.store.path = *options.stateDir;
  // What lives in open files and sockets changes only with a restart; say so instead of
  // half-applying it.
  const auto needsRestart = [&log](bool changed, const char* key) {
    if (changed) log.warn("setting changed but takes effect only after a restart key={}", key);
  };
  needsRestart(next.store.path != config.store.path, "store.path");
  needsRestart(next.store.mapSize != config.store.mapSize ||
                   next.store.maxMapSize != config.store.maxMapSize ||
                   next.store.sessionMapSize != config.store.sessionMapSize,
               "store.*map_size");
  needsRestart(next.admin.listen != config.admin.listen, "admin.listen");
  needsRestart(next.admin.bodyLimit != config.admin.bodyLimit ||
                   next.admin.readTimeout != config.admin.readTimeout ||
                   next.admin.maxConnections != config.admin.maxConnections,
               "admin.*");

  loggers.applyLevels(next.log);
  if (!next.admin.tokenFile.empty()) routes->setToken(next.admin.token);
  optouts->setRegion(next.phone.defaultRegion);
  optouts->setMasker(MsisdnMasker(next.log.maskMsisdn));
  sender->setConfig(next.sms);
  retention->setKeepFinal(next.sms.keepFinal);
  inbound->setConfig(next);
  messages->setConfig(next);
  if (const auto errors = ussd->loadMenus(options.menusDir ? *options.menusDir : next.menus.dir)) {
    std::istringstream lines(*errors);
    for (std::string line; std::getline(lines, line);)
      loggers.menus().error("{}", line);
    log.error("menu reload refused, live and new dialogs keep the running tree");
  }
  needsRestart(next.smpp.simulator != config.smpp.simulator ||
                   next.smpp.links.size() != config.smpp.links.size(),
               "smpp.*");
  // Routes are registered at start: turning the aggregator ingress on or off needs a restart
  // (a changed key applies at once).
  needsRestart(next.ussd.httpKey.empty() != config.ussd.httpKey.empty(), "ussd.http_key_file");
  const std::string stateDir = config.store.path;
  config = std::move(next);
  config.store.path = stateDir;
  ussd->setOptions(ussdOptions());
  ussdSmpp->setDialects(ussdDialectsByLink(config));
  ussdHttp->setKey(config.ussd.httpKey);
  importApi->setRegion(config.phone.defaultRegion);
  if (auto loaded = loadReminderFile(remindersFile()); loaded.ok()) {
    reminders->setConfig(std::move(*loaded.config));
  } else {
    for (const auto& error : loaded.errors)
      log.error("{}", error.toString());
    log.error("reminder rules not reloaded, keeping the running ones");
  }
  try {
    upstream->setOptions(syncOptions());
  } catch (const std::exception& e) {
    log.error("upstream settings not applied, keeping the running ones error={}", e.what());
  }

  ussd->setMasker(MsisdnMasker(config.log.maskMsisdn));
  metrics.counter(MetricId::ConfigReloadsTotal, {"ok"}).inc();
  log.info("configuration reloaded file={}", options.configPath);
  notifier.ready(statusLine());
}

void Daemon::Impl::beginShutdown(int signal) {
  if (stopping) return;
  stopping = true;
  metrics.gauge(MetricId::Ready).set(0);
  loggers.gateway().info("stopping signal={} drain_timeout_ms={}", signal,
                         config.shutdown.drainTimeout.count());
  notifier.stopping("draining");
  // Stop taking work; let accepted work finish. Writes already queued commit and their
  // requests get their answers while the loop still runs.
  server->stop();
  watchdogTimer.cancel();
  sessionSyncTimer.cancel();
  ussdSweepTimer.cancel();
  drainTimer.expires_after(config.shutdown.drainTimeout);
  drainTimer.async_wait([this](const boost::system::error_code& ec) {
    if (ec) return;
    loggers.gateway().warn("drain timeout reached, stopping with work in flight");
    io.stop();
  });
  // Unbind first: what the links hand back is requeued through the writer, which must
  // still be running to take it.
  sender->stop();
  upstream->stop();
  reminders->stop();
  retention->stop();
  links->stop([this] { finishDrain(); });
}

void Daemon::Impl::finishDrain() {
  if (upstream->running()) {
    // A sync window is winding down; its last commits must reach the writer first.
    drainPoll.expires_after(std::chrono::milliseconds(50));
    drainPoll.async_wait([this](const boost::system::error_code& ec) {
      if (!ec) finishDrain();
    });
    return;
  }
  asio::post(background, [this] {
    stores->stopWriters();  // drains the queues; completions are posted to the loop
    asio::post(io, [this] {
      drainTimer.cancel();
      signals.cancel();
      io.stop();
    });
  });
}

Daemon::Daemon(DaemonOptions options) : impl_(std::make_unique<Impl>(std::move(options))) {}

Daemon::~Daemon() {
  if (impl_) impl_->background.join();
}

void Daemon::start() {
  Impl& d = *impl_;
  d.config = d.loadOrThrow();
  d.loggers.applyLevels(d.config.log);
  d.metrics.gauge(MetricId::BuildInfo, {MFIGW_VERSION}).set(1);
  d.metrics.gauge(MetricId::StartTimeSeconds)
      .set(static_cast<double>(
          std::chrono::duration_cast<std::chrono::seconds>(d.startedAt.time_since_epoch())
              .count()));

  d.openStores();
  d.buildSmpp();
  d.buildUpstream();
  d.buildUssd();
  d.buildReminders();
  d.buildRetention();
  d.startAdmin();
  d.links->start();
  d.sender->start();
  d.upstream->start();
  d.reminders->start();
  d.retention->start();

  d.signals.add(SIGINT);
  d.signals.add(SIGTERM);
  d.signals.add(SIGHUP);
  d.waitForSignal();
  if (const auto interval = SystemdNotifier::watchdogInterval()) {
    d.notifier.watchdog();
    d.armWatchdog(*interval);
  }
  d.armSessionSync();
  d.armUssdSweep();

  d.ready = true;
  d.metrics.gauge(MetricId::Ready).set(1);
  const std::string line = d.statusLine();
  d.loggers.gateway().info("{} version={} config={}", line, MFIGW_VERSION, d.options.configPath);
  d.notifier.ready(line);
}

int Daemon::run() {
  Impl& d = *impl_;
  d.io.run();
  // Whatever the loop left (a drain timeout), the writers still finish what they hold:
  // a committed write must not be cut off, only its acknowledgement.
  d.stores->stopWriters();
  d.loggers.gateway().info("stopped");
  return 0;
}

}  // namespace mfigw::gateway
