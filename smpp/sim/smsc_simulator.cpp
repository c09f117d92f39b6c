// smpp/sim/smsc_simulator.cpp: the sans-I/O SMSC simulator (see the header).
#include "smpp/sim/smsc_simulator.hpp"

#include <algorithm>
#include <cmath>
#include <ctime>
#include <type_traits>
#include <utility>

#include "smpp/codec.hpp"

namespace mfigw::smpp::sim {

namespace {

constexpr std::uint8_t kEsmClassReceipt = 0x04;
constexpr std::size_t kReceiptTextChars = 20;

std::string hexId(std::uint64_t v) {
  static constexpr char kDigits[] = "0123456789ABCDEF";
  std::string s;
  do {
    s.insert(s.begin(), kDigits[v & 0xF]);
    v >>= 4;
  } while (v != 0);
  return s;
}

std::string receiptDate(std::chrono::system_clock::time_point t) {
  const std::time_t tt = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[16];
  std::strftime(buf, sizeof buf, "%y%m%d%H%M", &tm);
  return buf;
}

std::string threeDigits(unsigned v) {
  std::string s = std::to_string(v % 1000);
  return std::string(3 - s.size(), '0') + s;
}

}  // namespace

std::string_view toString(BindKind kind) {
  switch (kind) {
    case BindKind::Transmitter:
      return "transmitter";
    case BindKind::Receiver:
      return "receiver";
    case BindKind::Transceiver:
      return "transceiver";
  }
  return "unknown";
}

std::string_view toString(MessageIdFormat format) {
  switch (format) {
    case MessageIdFormat::Decimal:
      return "decimal";
    case MessageIdFormat::Hex:
      return "hex";
  }
  return "unknown";
}

std::string_view toString(LinkEvent::Kind kind) {
  switch (kind) {
    case LinkEvent::Kind::Bound:
      return "bound";
    case LinkEvent::Kind::BindRejected:
      return "bind_rejected";
    case LinkEvent::Kind::Unbound:
      return "unbound";
    case LinkEvent::Kind::Closed:
      return "closed";
  }
  return "unknown";
}

std::string_view toString(DeliveryKind kind) {
  switch (kind) {
    case DeliveryKind::Receipt:
      return "receipt";
    case DeliveryKind::Mo:
      return "mo";
    case DeliveryKind::Ussd:
      return "ussd";
  }
  return "unknown";
}

std::uint64_t Counters::respsWithStatus(CommandStatus status) const {
  const auto it = submitRespsByStatus.find(status);
  return it == submitRespsByStatus.end() ? 0 : it->second;
}

SmscSimulator::SmscSimulator(SimulatorOptions options)
    : options_(std::move(options)), nextMessageId_(options_.firstMessageId) {
  if (!options_.wallClock) {
    options_.wallClock = [](TimePoint t) {
      return std::chrono::system_clock::now() +
             std::chrono::duration_cast<std::chrono::system_clock::duration>(t - Clock::now());
    };
  }
}

ConnectionId SmscSimulator::accept(TimePoint now) {
  const ConnectionId id = nextConnection_++;
  Connection c;
  c.lastActivity = now;
  connections_.emplace(id, std::move(c));
  return id;
}

Actions SmscSimulator::onBytes(ConnectionId conn, std::string_view bytes, TimePoint now) {
  Actions out;
  auto it = connections_.find(conn);
  if (it == connections_.end()) return out;
  it->second.lastActivity = now;
  FramerOutput framed = it->second.framer.feed(bytes);
  for (auto& raw : framed.pdus) {
    // A PDU may close the connection (unbind, drop): the rest of the chunk is moot.
    auto cit = connections_.find(conn);
    if (cit == connections_.end()) break;
    DecodeResult decoded = decode(raw);
    if (!decoded.ok()) {
      if (answering_) respond(conn, makeGenericNack(decoded.error()), now, false, out);
      continue;
    }
    received_.push_back({conn, now, decoded.pdu()});
    handlePdu(conn, cit->second, std::move(decoded.pdu()), now, out);
  }
  if (framed.error && connections_.count(conn) != 0) {
    closeConnection(conn, "framing error: " + toString(*framed.error), now, out);
  }
  finish(out);
  return out;
}

void SmscSimulator::handlePdu(ConnectionId conn, Connection& c, Pdu pdu, TimePoint now,
                              Actions& out) {
  const CommandId id = commandIdOf(pdu);
  if (id == CommandId::DeliverSmResp) {
    handleDeliverResp(conn, std::get<DeliverSmResp>(pdu), now);
    return;
  }
  if (isResponse(id) || id == CommandId::Outbind || id == CommandId::AlertNotification) {
    return;  // enquire_link_resp, generic_nack, ...: recorded, nothing to answer
  }
  if (!answering_) return;

  if (const auto* b = std::get_if<BindTransmitter>(&pdu)) {
    handleBind(conn, c, BindKind::Transmitter, b->systemId, b->password, pdu, now, out);
  } else if (const auto* r = std::get_if<BindReceiver>(&pdu)) {
    handleBind(conn, c, BindKind::Receiver, r->systemId, r->password, pdu, now, out);
  } else if (const auto* t = std::get_if<BindTransceiver>(&pdu)) {
    handleBind(conn, c, BindKind::Transceiver, t->systemId, t->password, pdu, now, out);
  } else if (id == CommandId::EnquireLink) {
    // Answered in any state: a keep-alive is not a bound operation.
    respond(conn, *makeResponse(pdu, CommandStatus::Ok), now, false, out);
  } else if (!c.bound) {
    respond(conn, *makeResponse(pdu, CommandStatus::InvBndSts), now, false, out);
  } else if (id == CommandId::Unbind) {
    ++counters_.unbinds;
    emit({LinkEvent::Kind::Unbound, conn, c.systemId, c.bound, CommandStatus::Ok});
    out.push_back(action::Write{conn, encode(*makeResponse(pdu, CommandStatus::Ok))});
    closeConnection(conn, "unbind", now, out);
  } else if (id == CommandId::SubmitSm || id == CommandId::DataSm) {
    handleSubmit(conn, c, pdu, now, out);
  } else {
    respond(conn, *makeResponse(pdu, CommandStatus::InvCmdId), now, false, out);
  }
}

void SmscSimulator::handleBind(ConnectionId conn, Connection& c, BindKind kind,
                               const std::string& systemId, const std::string& password,
                               const Pdu& request, TimePoint now, Actions& out) {
  CommandStatus status = CommandStatus::Ok;
  if (c.bound) {
    status = CommandStatus::AlyBnd;
  } else if (!options_.accounts.empty()) {
    const auto acc = std::find_if(options_.accounts.begin(), options_.accounts.end(),
                                  [&](const Account& a) { return a.systemId == systemId; });
    if (acc == options_.accounts.end()) {
      status = CommandStatus::InvSysId;
    } else if (acc->password != password) {
      status = CommandStatus::InvPaswd;
    }
  }
  std::optional<Pdu> resp = makeResponse(request, status);
  std::visit(
      [&](auto& r) {
        if constexpr (requires { r.systemId; }) {
          if (status == CommandStatus::Ok) r.systemId = options_.systemId;
        }
      },
      *resp);
  out.push_back(action::Write{conn, encode(*resp)});
  if (status != CommandStatus::Ok) {
    if (status != CommandStatus::AlyBnd) {
      ++counters_.bindRejections;
      emit({LinkEvent::Kind::BindRejected, conn, systemId, kind, status});
    }
    return;
  }
  ++counters_.binds;
  c.bound = kind;
  c.systemId = systemId;
  emit({LinkEvent::Kind::Bound, conn, systemId, kind, CommandStatus::Ok});
  if (options_.enquireLinkInterval.count() > 0) {
    scheduleKeepAlive(conn, c, now + options_.enquireLinkInterval);
  }
}

void SmscSimulator::handleSubmit(ConnectionId conn, Connection& c, const Pdu& request,
                                 TimePoint now, Actions& out) {
  if (c.bound == BindKind::Receiver) {
    respond(conn, *makeResponse(request, CommandStatus::InvBndSts), now, false, out);
    return;
  }
  ++counters_.submits;
  std::visit(
      [&](const auto& m) {
        using T = std::decay_t<decltype(m)>;
        if constexpr (std::is_same_v<T, SubmitSm> || std::is_same_v<T, DataSm>) {
          const auto op = m.tlvs.ussdServiceOp();
          if (!op && m.serviceType != "USSD") return;
          std::string text;
          if constexpr (std::is_same_v<T, SubmitSm>) text = m.shortMessage;
          if (text.empty()) text = m.tlvs.messagePayload().value_or("");
          ussdReplies_.push_back(
              {conn, m.destination.addr, op.value_or(0), m.tlvs.itsSessionInfo().value_or(""),
               std::move(text), m.dataCoding,
               m.tlvs.bytes(tlv_tag::kUserMessageReference).value_or(""), T::kId});
        }
      },
      request);

  if (dropAfter_ && *dropAfter_ == 0) {
    dropAfter_.reset();
    closeConnection(conn, "drop after submits (command)", now, out);
    return;
  }

  if (options_.throttleTps > 0 && !bucket_) setThrottleTps(options_.throttleTps, now);
  CommandStatus status = CommandStatus::Ok;
  if (throttleNext_ > 0) {
    --throttleNext_;
    status = CommandStatus::Throttled;
  } else if (failNext_ > 0) {
    --failNext_;
    status = failStatus_;
  } else if (bucket_ && !bucket_->tryTake(now)) {
    status = CommandStatus::Throttled;
  }

  std::optional<Pdu> resp = makeResponse(request, status);
  std::string messageId;
  if (status == CommandStatus::Ok) {
    messageId = nextMessageId();
    std::visit(
        [&](auto& r) {
          if constexpr (requires { r.messageId; }) r.messageId = messageId;
        },
        *resp);
  }
  ++counters_.submitRespsByStatus[status];

  bool closeAfter = false;
  if (dropAfter_) {
    if (--*dropAfter_ == 0) {
      dropAfter_.reset();
      closeAfter = true;
    }
  }
  // Before respond(): a drop closes the link and `c` with it.
  if (status == CommandStatus::Ok) {
    scheduleReceipt(conn, c, request, messageId, now + options_.responseDelay, now);
  }
  respond(conn, *resp, now, closeAfter, out);
}

void SmscSimulator::scheduleReceipt(ConnectionId conn, const Connection& c, const Pdu& request,
                                    const std::string& messageId, TimePoint respAt, TimePoint now) {
  std::uint8_t registered = 0;
  Address from;
  Address to;
  std::string text;
  if (const auto* s = std::get_if<SubmitSm>(&request)) {
    registered = s->registeredDelivery;
    from = s->source;
    to = s->destination;
    text = s->shortMessage.empty() ? s->tlvs.messagePayload().value_or("") : s->shortMessage;
  } else if (const auto* d = std::get_if<DataSm>(&request)) {
    registered = d->registeredDelivery;
    from = d->source;
    to = d->destination;
    text = d->tlvs.messagePayload().value_or("");
  }
  const unsigned want = registered & 0x03U;
  if (want == 0 || want == 3) return;  // 3 is reserved
  const MessageState outcome = nextOutcome();
  if (want == 2 && !isFailure(outcome)) return;  // receipt on failure only

  const TimePoint doneAt = respAt + options_.receiptDelay;
  const bool delivered = outcome == MessageState::Delivered;
  DeliverSm r;
  r.source = to;
  r.destination = from;
  // Receipt addresses are the submit's; data_sm allows 64 characters, deliver_sm 20.
  if (r.source.addr.size() > 20) r.source.addr.resize(20);
  if (r.destination.addr.size() > 20) r.destination.addr.resize(20);
  r.esmClass = kEsmClassReceipt;
  r.shortMessage = "id:" + messageId + " sub:001 dlvrd:" + (delivered ? "001" : "000") +
                   " submit date:" + receiptDate(options_.wallClock(now)) +
                   " done date:" + receiptDate(options_.wallClock(doneAt)) +
                   " stat:" + std::string(statString(outcome)) +
                   " err:" + threeDigits(delivered ? 0 : 1) +
                   " text:" + text.substr(0, kReceiptTextChars);
  r.tlvs.setReceiptedMessageId(messageId);
  r.tlvs.setMessageState(static_cast<std::uint8_t>(outcome));
  schedule(doneAt, DueReceipt{conn, c.systemId, std::move(r), messageId});
}

void SmscSimulator::retryReceipt(DueReceipt receipt, TimePoint now) {
  if (options_.receiptRetry.count() <= 0) return;
  ++counters_.receiptsRetried;
  schedule(now + options_.receiptRetry, std::move(receipt));
}

void SmscSimulator::handleDeliverResp(ConnectionId conn, const DeliverSmResp& resp, TimePoint now) {
  const auto it = sentIndex_.find({conn, resp.sequenceNumber});
  if (it == sentIndex_.end()) return;
  SentDelivery& d = sent_[it->second];
  if (d.ackStatus) return;  // a duplicate response
  d.ackStatus = resp.commandStatus;
  if (const auto r = unackedReceipts_.find({conn, resp.sequenceNumber});
      r != unackedReceipts_.end()) {
    if (resp.commandStatus != CommandStatus::Ok) retryReceipt(std::move(r->second), now);
    unackedReceipts_.erase(r);
  }
  if (resp.commandStatus != CommandStatus::Ok) {
    ++counters_.deliverRespErrors;
  } else if (d.kind == DeliveryKind::Receipt) {
    ++counters_.receiptsAcked;
  } else {
    ++counters_.moAcked;
  }
}

void SmscSimulator::respond(ConnectionId conn, const Pdu& pdu, TimePoint now, bool closeAfter,
                            Actions& out) {
  if (options_.responseDelay.count() > 0) {
    schedule(now + options_.responseDelay, DelayedWrite{conn, encode(pdu), closeAfter});
    return;
  }
  out.push_back(action::Write{conn, encode(pdu)});
  if (closeAfter) closeConnection(conn, "drop after submits (command)", now, out);
}

void SmscSimulator::closeConnection(ConnectionId conn, std::string reason, TimePoint now,
                                    Actions& out) {
  if (connections_.count(conn) == 0) return;
  out.push_back(action::Close{conn, std::move(reason)});
  onClosed(conn, now);
}

void SmscSimulator::onClosed(ConnectionId conn, TimePoint now) {
  const auto it = connections_.find(conn);
  if (it == connections_.end()) return;
  ++counters_.connectionsClosed;
  // Receipts this link never acknowledged go out again on the next bind.
  for (auto r = unackedReceipts_.lower_bound({conn, 0});
       r != unackedReceipts_.end() && r->first.first == conn;) {
    retryReceipt(std::move(r->second), now);
    r = unackedReceipts_.erase(r);
  }
  emit({LinkEvent::Kind::Closed, conn, it->second.systemId, it->second.bound, CommandStatus::Ok});
  connections_.erase(it);
  // Scheduled items for this connection are skipped when they come due.
}

void SmscSimulator::schedule(TimePoint at, Scheduled item) {
  scheduled_.emplace(at, std::move(item));
}

void SmscSimulator::scheduleKeepAlive(ConnectionId conn, Connection& c, TimePoint at) {
  if (c.keepAliveScheduled) return;
  c.keepAliveScheduled = true;
  schedule(at, KeepAlive{conn});
}

Actions SmscSimulator::onTimer(TimePoint now) {
  Actions out;
  // Items due now may schedule more (a keep-alive re-arms): take due ones one at a time.
  while (!scheduled_.empty() && scheduled_.begin()->first <= now) {
    Scheduled item = std::move(scheduled_.begin()->second);
    scheduled_.erase(scheduled_.begin());
    if (auto* w = std::get_if<DelayedWrite>(&item)) {
      if (connections_.count(w->connection) == 0) continue;
      out.push_back(action::Write{w->connection, std::move(w->bytes)});
      if (w->closeAfter) {
        closeConnection(w->connection, "drop after submits (command)", now, out);
      }
    } else if (auto* r = std::get_if<DueReceipt>(&item)) {
      const auto target = pickReceiver(r->systemId, r->origin);
      if (!target) {
        ++counters_.receiptsUndeliverable;
        retryReceipt(std::move(*r), now);
        continue;
      }
      Connection& c = connections_.at(*target);
      r->pdu.sequenceNumber = nextSequence(c);
      out.push_back(action::Write{*target, encode(r->pdu)});
      unackedReceipts_[{*target, r->pdu.sequenceNumber}] = *r;
      sentIndex_[{*target, r->pdu.sequenceNumber}] = sent_.size();
      sent_.push_back(
          {*target, r->pdu.sequenceNumber, DeliveryKind::Receipt, r->messageId, std::nullopt});
      ++counters_.receiptsSent;
    } else if (auto* k = std::get_if<KeepAlive>(&item)) {
      const auto it = connections_.find(k->connection);
      if (it == connections_.end() || !it->second.bound) continue;
      Connection& c = it->second;
      c.keepAliveScheduled = false;
      const TimePoint due = c.lastActivity + options_.enquireLinkInterval;
      if (options_.enquireLinkInterval.count() <= 0) continue;
      if (due <= now) {
        EnquireLink e;
        e.sequenceNumber = nextSequence(c);
        out.push_back(action::Write{k->connection, encode(e)});
        ++counters_.enquireLinksSent;
        c.lastActivity = now;
        scheduleKeepAlive(k->connection, c, now + options_.enquireLinkInterval);
      } else {
        scheduleKeepAlive(k->connection, c, due);
      }
    }
  }
  finish(out);
  return out;
}

std::optional<TimePoint> SmscSimulator::nextTimer() const {
  if (scheduled_.empty()) return std::nullopt;
  return scheduled_.begin()->first;
}

void SmscSimulator::finish(Actions& out) {
  const auto next = nextTimer();
  if (next && next != armed_) out.push_back(action::ArmTimer{*next});
  armed_ = next;
}

std::optional<ConnectionId> SmscSimulator::pickReceiver(const std::string& systemId,
                                                        std::optional<ConnectionId> prefer) const {
  auto canReceive = [&](const Connection& c) {
    return (c.bound == BindKind::Receiver || c.bound == BindKind::Transceiver) &&
           (systemId.empty() || c.systemId == systemId);
  };
  if (prefer) {
    const auto it = connections_.find(*prefer);
    if (it != connections_.end() && canReceive(it->second)) return *prefer;
  }
  for (const auto& [id, c] : connections_) {
    if (canReceive(c)) return id;
  }
  return std::nullopt;
}

std::uint32_t SmscSimulator::nextSequence(Connection& c) {
  // 0x7FFFFFFF is the largest sequence number SMPP 3.4 allows.
  c.lastSequence = c.lastSequence >= 0x7FFFFFFFU ? 1 : c.lastSequence + 1;
  return c.lastSequence;
}

std::string SmscSimulator::nextMessageId() {
  const std::uint64_t v = nextMessageId_++;
  return options_.messageIdFormat == MessageIdFormat::Hex ? hexId(v) : std::to_string(v);
}

MessageState SmscSimulator::nextOutcome() {
  if (!options_.deliveredRatio) return options_.receiptOutcome;
  // Spread evenly and deterministically: message n is delivered when floor(n*r) steps up.
  const double r = std::clamp(*options_.deliveredRatio, 0.0, 1.0);
  const auto n = static_cast<double>(outcomes_++);
  const bool delivered = std::floor((n + 1) * r) > std::floor(n * r);
  return delivered
             ? MessageState::Delivered
             : (options_.receiptOutcome == MessageState::Delivered ? MessageState::Undeliverable
                                                                   : options_.receiptOutcome);
}

void SmscSimulator::emit(LinkEvent event) const {
  if (options_.onLinkEvent) options_.onLinkEvent(event);
}

Injection SmscSimulator::sendDeliver(DeliverSm pdu, DeliveryKind kind, const std::string& systemId,
                                     TimePoint now) {
  Injection result;
  const auto target = pickReceiver(systemId, std::nullopt);
  if (!target) return result;
  Connection& c = connections_.at(*target);
  pdu.sequenceNumber = nextSequence(c);
  c.lastActivity = now;
  result.connection = *target;
  result.sequenceNumber = pdu.sequenceNumber;
  result.actions.push_back(action::Write{*target, encode(pdu)});
  sentIndex_[{*target, pdu.sequenceNumber}] = sent_.size();
  sent_.push_back({*target, pdu.sequenceNumber, kind, "", std::nullopt});
  ++counters_.moSent;
  return result;
}

std::string_view toString(UssdSessionCarrier carrier) {
  return carrier == UssdSessionCarrier::ItsSessionInfo ? "its_session_info"
                                                       : "user_message_reference";
}

std::optional<UssdDialectOptions> ussdDialectNamed(std::string_view name) {
  UssdDialectOptions d;
  if (name == "smpp34") return d;
  if (name == "user_message_reference") {
    d.session = UssdSessionCarrier::UserMessageReference;
    return d;
  }
  return std::nullopt;
}

Injection SmscSimulator::injectMo(const MoMessage& mo, TimePoint now) {
  DeliverSm d;
  d.source.ton = 1;
  d.source.npi = 1;
  d.source.addr = mo.from;
  d.destination.addr = mo.to;
  d.dataCoding = mo.dataCoding;
  if (mo.text.size() > 254) {
    d.tlvs.setMessagePayload(mo.text);
  } else {
    d.shortMessage = mo.text;
  }
  return sendDeliver(std::move(d), DeliveryKind::Mo, mo.systemId, now);
}

// A USSD deliver_sm as USSD centres send it: service_type "USSD", the operation and the
// operator's session id as TLVs (where the dialect keeps it).
DeliverSm SmscSimulator::ussdDeliver(const std::string& msisdn, const std::string& serviceCode,
                                     std::string text, std::uint8_t op,
                                     std::string sessionInfo) const {
  DeliverSm d;
  d.serviceType = "USSD";
  d.source.ton = 1;
  d.source.npi = 1;
  d.source.addr = msisdn;
  d.destination.addr = serviceCode;
  d.shortMessage = std::move(text);
  d.tlvs.setUssdServiceOp(op);
  if (options_.ussd.session == UssdSessionCarrier::UserMessageReference) {
    d.tlvs.set(tlv_tag::kUserMessageReference, std::move(sessionInfo));
  } else {
    d.tlvs.setItsSessionInfo(std::move(sessionInfo));
  }
  if (options_.ussd.cellTlv != 0) d.tlvs.set(options_.ussd.cellTlv, options_.ussd.cellValue);
  return d;
}

Injection SmscSimulator::startUssd(const std::string& msisdn, const std::string& serviceCode,
                                   std::string sessionInfo, TimePoint now,
                                   const std::string& systemId) {
  return ussdOp(msisdn, serviceCode, serviceCode, options_.ussd.beginOp, std::move(sessionInfo),
                now, systemId);
}

Injection SmscSimulator::ussdInput(const std::string& msisdn, const std::string& serviceCode,
                                   const std::string& input, std::string sessionInfo, TimePoint now,
                                   const std::string& systemId) {
  return ussdOp(msisdn, serviceCode, input, options_.ussd.continueOp, std::move(sessionInfo), now,
                systemId);
}

Injection SmscSimulator::ussdOp(const std::string& msisdn, const std::string& serviceCode,
                                const std::string& text, std::uint8_t op, std::string sessionInfo,
                                TimePoint now, const std::string& systemId) {
  DeliverSm pdu = ussdDeliver(msisdn, serviceCode, text, op, std::move(sessionInfo));
  Injection inj = sendDeliver(pdu, DeliveryKind::Ussd, systemId, now);
  if (inj.connection) ussdSent_[sent_.size() - 1] = std::move(pdu);
  return inj;
}

Injection SmscSimulator::redeliverUssd(std::size_t index, TimePoint now) {
  Injection result;
  const auto original = ussdSent_.find(index);
  if (original == ussdSent_.end()) return result;
  DeliverSm pdu = original->second;
  const SentDelivery first = sent_.at(index);
  const auto same = connections_.find(first.connection);
  if (same == connections_.end() || !same->second.bound) {
    // The link it went out on is gone: a new bind gets it with a sequence of its own.
    result = sendDeliver(std::move(pdu), DeliveryKind::Ussd, "", now);
    return result;
  }
  pdu.sequenceNumber = first.sequenceNumber;
  same->second.lastActivity = now;
  result.connection = first.connection;
  result.sequenceNumber = pdu.sequenceNumber;
  result.actions.push_back(action::Write{first.connection, encode(pdu)});
  // A record of its own: its deliver_sm_resp is matched to the latest send of this sequence.
  sentIndex_[{first.connection, pdu.sequenceNumber}] = sent_.size();
  sent_.push_back({first.connection, pdu.sequenceNumber, DeliveryKind::Ussd, "", std::nullopt});
  ++counters_.moSent;
  return result;
}

void SmscSimulator::throttleNext(std::size_t count) {
  throttleNext_ = count;
}

void SmscSimulator::failNext(std::size_t count, CommandStatus status) {
  failNext_ = count;
  failStatus_ = status;
}

void SmscSimulator::setThrottleTps(double tps, TimePoint now) {
  options_.throttleTps = tps;
  if (tps > 0) {
    bucket_.emplace(tps, std::max(1.0, tps), now);
  } else {
    bucket_.reset();
  }
}

void SmscSimulator::setResponseDelay(std::chrono::milliseconds delay) {
  options_.responseDelay = delay;
}

void SmscSimulator::setReceiptDelay(std::chrono::milliseconds delay) {
  options_.receiptDelay = delay;
}

void SmscSimulator::setReceiptOutcome(MessageState outcome, std::optional<double> ratio) {
  options_.receiptOutcome = outcome;
  options_.deliveredRatio = ratio;
  outcomes_ = 0;
}

void SmscSimulator::setAnswering(bool answering) {
  answering_ = answering;
}

void SmscSimulator::dropAfter(std::size_t count) {
  dropAfter_ = count;
}

Actions SmscSimulator::dropAll(TimePoint now) {
  Actions out;
  std::vector<ConnectionId> ids;
  for (const auto& [id, c] : connections_)
    ids.push_back(id);
  for (const auto id : ids)
    closeConnection(id, "drop (command)", now, out);
  finish(out);
  return out;
}

std::size_t SmscSimulator::unacknowledgedDeliveries() const {
  return static_cast<std::size_t>(std::count_if(
      sent_.begin(), sent_.end(),
      [](const SentDelivery& d) { return !d.ackStatus || *d.ackStatus != CommandStatus::Ok; }));
}

std::size_t SmscSimulator::boundConnections() const {
  return static_cast<std::size_t>(std::count_if(connections_.begin(), connections_.end(),
                                                [](const auto& kv) { return kv.second.bound; }));
}

}  // namespace mfigw::smpp::sim
