#include "gateway/smsc_links.hpp"

#include <algorithm>
#include <random>

#include "smpp/sim/sim_server.hpp"

namespace mfigw::gateway {

namespace {

using namespace std::chrono_literals;

constexpr const char* kSimulatorLink = "simulator";
constexpr const char* kSimulatorSystemId = "mfi-gateway";

// The embedded simulator's password only has to keep other local processes from binding
// as us by accident; it never leaves this process.
std::string randomPassword() {
  static constexpr char kAlphabet[] = "abcdefghijkmnpqrstuvwxyz23456789";
  std::random_device random;
  std::string out(8, 'x');
  for (char& c : out)
    c = kAlphabet[random() % (sizeof(kAlphabet) - 1)];
  return out;
}

smpp::IdFormat idFormat(const std::string& name) {
  if (name == "hex_to_decimal") return smpp::IdFormat::HexToDecimal;
  if (name == "decimal_to_hex") return smpp::IdFormat::DecimalToHex;
  return smpp::IdFormat::AsIs;
}

smpp::SplitMode splitMode(const std::string& name) {
  if (name == "udh16") return smpp::SplitMode::Udh16;
  if (name == "sar") return smpp::SplitMode::Sar;
  if (name == "payload") return smpp::SplitMode::Payload;
  return smpp::SplitMode::Udh8;
}

// A numeric sender goes out as an international/national number, letters as alphanumeric.
smpp::Address sourceAddress(const std::string& source) {
  const bool numeric =
      !source.empty() && std::all_of(source.begin() + (source[0] == '+' ? 1 : 0), source.end(),
                                     [](char c) { return c >= '0' && c <= '9'; });
  if (!numeric) return {5, 0, source};  // TON alphanumeric
  if (source[0] == '+') return {1, 1, source.substr(1)};
  return {source.size() <= 8 ? std::uint8_t{3} : std::uint8_t{1}, 1, source};  // short code
}

smpp::SubmitTemplate submitTemplate(const SmsConfig& sms, const SmppLinkConfig* link) {
  smpp::SubmitTemplate t;
  t.source = sourceAddress(sms.source);
  t.encoding.transliterate = sms.transliterate;
  if (link) {
    t.encoding.latin1Allowed = link->latin1;
    t.split = splitMode(link->split);
  }
  return t;
}

smpp::SessionOptions sessionOptions(const SmppLinkConfig& link, smpp::BindMode mode) {
  smpp::SessionOptions o;
  o.systemId = link.systemId;
  o.password = std::string(link.password.reveal());
  o.systemType = link.systemType;
  o.mode = mode;
  o.window = link.window;
  o.tps = link.tps;
  o.enquireLinkInterval = link.enquireLinkInterval;
  o.responseTimeout = link.responseTimeout;
  return o;
}

bool transmits(smpp::BindMode mode) {
  return mode != smpp::BindMode::Receiver;
}

}  // namespace

class SmscLinks::Handler final : public smpp::LinkHandler {
 public:
  Handler(SmscLinks& owner, LinkIndex index) : owner_(owner), index_(index) {}

  void onDeliver(std::variant<smpp::DeliverSm, smpp::DataSm> pdu) override {
    if (owner_.inbound_) {
      owner_.inbound_->onDeliver(index_, std::move(pdu));
      return;
    }
    // Nobody to commit it: refuse temporarily, so the SMSC keeps it and retries.
    const std::uint32_t seq = std::visit([](const auto& p) { return p.sequenceNumber; }, pdu);
    owner_.acknowledge(index_, seq, smpp::CommandStatus::MsgQFul);
  }
  void onSubmitAcked(std::uint64_t localId, const std::string& smscMessageId) override {
    if (owner_.submits_) owner_.submits_->onSubmitAcked(index_, localId, smscMessageId);
  }
  void onSubmitFailed(std::uint64_t localId, smpp::CommandStatus status, bool permanent) override {
    if (owner_.submits_) owner_.submits_->onSubmitFailed(index_, localId, status, permanent);
  }
  void onRequeue(std::vector<smpp::OutgoingMessage> messages) override {
    if (owner_.submits_) owner_.submits_->onRequeue(index_, std::move(messages));
  }
  void onStateChanged(smpp::SessionState from, smpp::SessionState to) override {
    owner_.onStateChanged(index_, from, to);
  }
  void onBindRejected(smpp::CommandStatus status, bool credentials) override {
    const std::string& name = owner_.links_[index_].info.name;
    if (credentials) {
      // Retrying bad credentials gets accounts locked: stop and ask a human.
      owner_.log_.critical("bind refused: credentials rejected, not retrying link={} status={}",
                           name, smpp::toString(status));
    } else {
      owner_.log_.warn("bind refused, will retry link={} status={}", name, smpp::toString(status));
    }
  }
  void onEvent(smpp::EventKind kind, const std::string& text) override {
    const std::string& name = owner_.links_[index_].info.name;
    owner_.metrics_.counter(MetricId::SmppEventsTotal, {name, smpp::toString(kind)}).inc();
    switch (kind) {
      case smpp::EventKind::Throttled:
      case smpp::EventKind::Requeued:
        owner_.log_.info("link event link={} event={} {}", name, smpp::toString(kind), text);
        break;
      default:
        owner_.log_.warn("link event link={} event={} {}", name, smpp::toString(kind), text);
    }
  }

 private:
  SmscLinks& owner_;
  LinkIndex index_;
};

SmscLinks::SmscLinks(boost::asio::io_context& io, const GatewayConfig& config, Metrics& metrics,
                     spdlog::logger& log)
    : io_(io), metrics_(metrics), log_(log) {
  links_.reserve(config.smpp.links.size() * 2 + 1);
  if (config.smpp.simulator) {
    smpp::sim::SimulatorOptions sim;
    const std::string password = randomPassword();
    sim.accounts.push_back({kSimulatorSystemId, password});
    sim.receiptDelay = 500ms;  // a receipt shortly after the submit, like a quick network
    simulator_ = std::make_unique<smpp::sim::SimServer>(std::move(sim), "127.0.0.1", 0);
    simulator_->start();

    smpp::SessionOptions options;
    options.systemId = kSimulatorSystemId;
    options.password = password;
    options.window = 10;
    options.tps = 100;
    options.reconnectMin = 200ms;
    options.reconnectMax = 5s;
    LinkInfo info{.name = kSimulatorLink,
                  .window = options.window,
                  .submit = submitTemplate(config.sms, nullptr),
                  .tps = static_cast<std::uint32_t>(options.tps)};
    add(std::move(info), {"127.0.0.1", simulator_->port()}, std::move(options));
  }
  for (const SmppLinkConfig& link : config.smpp.links) {
    smpp::LinkEndpoint endpoint(link.host, link.port);
    endpoint.tls.enabled = link.tls;
    endpoint.tls.verifyPeer = link.tlsVerify;
    endpoint.tls.caFile = link.tlsCaFile;
    endpoint.tls.serverName = link.tlsServerName;
    endpoint.tls.certFile = link.tlsCertFile;
    endpoint.tls.keyFile = link.tlsKeyFile;
    const auto addOne = [&](std::string name, smpp::BindMode mode) {
      LinkInfo info{.name = std::move(name),
                    .mode = mode,
                    .window = link.window,
                    .submit = submitTemplate(config.sms, &link),
                    .receiptIds = idFormat(link.receiptIdFormat),
                    .tps = link.tps};
      add(std::move(info), endpoint, sessionOptions(link, mode));
    };
    if (link.bindMode == "pair") {
      addOne(link.name + "/tx", smpp::BindMode::Transmitter);
      addOne(link.name + "/rx", smpp::BindMode::Receiver);
    } else {
      addOne(link.name, smpp::BindMode::Transceiver);
    }
  }
}

SmscLinks::~SmscLinks() {
  if (simulator_) simulator_->stop();
}

void SmscLinks::add(LinkInfo info, smpp::LinkEndpoint endpoint, smpp::SessionOptions options) {
  const LinkIndex index = links_.size();
  Link link;
  link.info = std::move(info);
  link.handler = std::make_unique<Handler>(*this, index);
  link.esme = smpp::EsmeLink::create(io_, std::move(endpoint), std::move(options), *link.handler);
  metrics_.gauge(MetricId::SmppLinkUp, {link.info.name}).set(0);
  links_.push_back(std::move(link));
}

void SmscLinks::setSinks(SubmitSink* submits, InboundSink* inbound) {
  submits_ = submits;
  inbound_ = inbound;
}

void SmscLinks::start() {
  for (Link& link : links_)
    link.esme->start();
}

void SmscLinks::stop(std::function<void()> done) {
  stopped_ = std::move(done);
  for (Link& link : links_)
    link.esme->stop();
  checkStopped();
}

void SmscLinks::checkStopped() {
  if (!stopped_) return;
  const bool idle = std::all_of(links_.begin(), links_.end(), [](const Link& l) {
    return l.esme->state() == smpp::SessionState::Idle;
  });
  if (!idle) return;
  auto done = std::move(stopped_);
  stopped_ = nullptr;
  done();
}

const LinkInfo& SmscLinks::info(LinkIndex link) const {
  return links_.at(link).info;
}

namespace {
std::size_t roomOf(const smpp::EsmeLink& esme, const LinkInfo& info) {
  if (esme.state() != smpp::SessionState::Bound) return 0;
  // A window on the wire plus what the bind may send in the next ~200 ms waiting in the
  // Session's queue. Each claim is a durable commit, so at a high TPS one window per claim
  // would make fsync the limit (about 800 msg/s at window 10). Claiming ahead adds no
  // duplicates after a crash: only submits on the wire can go twice; claimed ones that
  // never left go back to the queue (Outbox::recover).
  const std::size_t window = info.window;
  const std::size_t ahead =
      std::max<std::size_t>(window, std::min<std::size_t>(info.tps / 5, 1000));
  const std::size_t held = esme.inFlight() + esme.queued();
  const std::size_t cap = window + ahead;
  return held >= cap ? 0 : cap - held;
}
}  // namespace

std::size_t SmscLinks::room() const {
  std::size_t total = 0;
  for (const Link& link : links_)
    if (transmits(link.info.mode)) total += roomOf(*link.esme, link.info);
  return total;
}

std::optional<LinkIndex> SmscLinks::pick() const {
  std::optional<LinkIndex> best;
  std::size_t bestRoom = 0;
  for (LinkIndex i = 0; i < links_.size(); ++i) {
    if (!transmits(links_[i].info.mode)) continue;
    const std::size_t r = roomOf(*links_[i].esme, links_[i].info);
    if (r > bestRoom) {
      best = i;
      bestRoom = r;
    }
  }
  return best;
}

void SmscLinks::submit(LinkIndex link, smpp::OutgoingMessage message) {
  links_.at(link).esme->submit(std::move(message));
}

void SmscLinks::acknowledge(LinkIndex link, std::uint32_t sequenceNumber,
                            smpp::CommandStatus status) {
  links_.at(link).esme->acknowledge(sequenceNumber, status);
}

void SmscLinks::onStateChanged(LinkIndex index, smpp::SessionState from, smpp::SessionState to) {
  const LinkInfo& info = links_[index].info;
  metrics_.gauge(MetricId::SmppLinkUp, {info.name}).set(to == smpp::SessionState::Bound ? 1 : 0);
  if (to == smpp::SessionState::Bound) {
    log_.info("link bound link={} mode={}", info.name, smpp::toString(info.mode));
    if (submits_ && transmits(info.mode)) submits_->onRoom();
  } else if (from == smpp::SessionState::Bound && stopped_) {
    log_.info("link unbinding link={}", info.name);  // we asked for it
  } else if (from == smpp::SessionState::Bound) {
    log_.warn("link down link={} state={}", info.name, smpp::toString(to));
  } else {
    log_.debug("link state link={} from={} to={}", info.name, smpp::toString(from),
               smpp::toString(to));
  }
  if (to == smpp::SessionState::Idle) checkStopped();
}

std::vector<LinkStatus> SmscLinks::status() const {
  std::vector<LinkStatus> out;
  for (const Link& link : links_) {
    const smpp::SessionState s = link.esme->state();
    out.push_back({link.info.name, s == smpp::SessionState::Bound, smpp::toString(s)});
  }
  return out;
}

std::optional<std::uint16_t> SmscLinks::simulatorPort() const {
  if (!simulator_) return std::nullopt;
  return simulator_->port();
}

}  // namespace mfigw::gateway
