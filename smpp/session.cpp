#include "smpp/session.hpp"

#include <algorithm>
#include <array>
#include <cassert>
#include <utility>

namespace mfigw::smpp {
namespace {

constexpr std::uint32_t kMaxSequence = 0x7FFFFFFF;

using S = SessionState;

// STYLE.md G4: each state's allowed next states, checked by transitionTo().
struct StateRow {
  SessionState state;
  std::string_view name;
  std::array<bool, 6> allowed;  // indexed by SessionState
};
constexpr std::size_t idx(SessionState s) {
  return static_cast<std::size_t>(s);
}
//                                     Idle   Conn   Bind   Bound  Unbnd  Backoff
constexpr std::array<StateRow, 6> kStates{{
    {S::Idle, "Idle", {false, true, false, false, false, false}},
    {S::Connecting, "Connecting", {true, false, true, false, false, true}},
    {S::Binding, "Binding", {true, false, false, true, false, true}},
    {S::Bound, "Bound", {true, false, false, false, true, true}},
    {S::Unbinding, "Unbinding", {true, false, false, false, false, false}},
    {S::Backoff, "Backoff", {true, true, false, false, false, false}},
}};

template <class... Ts>
struct Overloaded : Ts... {
  using Ts::operator()...;
};
template <class... Ts>
Overloaded(Ts...) -> Overloaded<Ts...>;

}  // namespace

std::string toString(BindMode mode) {
  switch (mode) {
    case BindMode::Transceiver:
      return "transceiver";
    case BindMode::Transmitter:
      return "transmitter";
    case BindMode::Receiver:
      return "receiver";
  }
  return "unknown";
}

std::string toString(SessionState state) {
  const auto i = idx(state);
  return i < kStates.size() ? std::string(kStates[i].name) : "unknown";
}

std::string toString(TimerId id) {
  switch (id) {
    case TimerId::EnquireLinkIdle:
      return "enquire_link";
    case TimerId::ResponseTimeout:
      return "response_timeout";
    case TimerId::Reconnect:
      return "reconnect";
    case TimerId::Throttle:
      return "throttle";
    case TimerId::BindTimeout:
      return "bind_timeout";
    case TimerId::UnbindTimeout:
      return "unbind_timeout";
  }
  return "unknown";
}

std::string toString(EventKind kind) {
  switch (kind) {
    case EventKind::Throttled:
      return "throttled";
    case EventKind::ResponseTimeout:
      return "response_timeout";
    case EventKind::BindTimeout:
      return "bind_timeout";
    case EventKind::DecodeError:
      return "decode_error";
    case EventKind::FramingError:
      return "framing_error";
    case EventKind::UnexpectedPdu:
      return "unexpected_pdu";
    case EventKind::PeerUnbind:
      return "peer_unbind";
    case EventKind::AckDropped:
      return "ack_dropped";
    case EventKind::Requeued:
      return "requeued";
    case EventKind::EncodeError:
      return "encode_error";
    case EventKind::ConnectFailed:
      return "connect_failed";
    case EventKind::TlsFailed:
      return "tls_failed";
  }
  return "unknown";
}

Session::Session(SessionOptions options, UniformRandom random)
    : options_(std::move(options)),
      framer_(options_.maxPduSize),
      bucket_(options_.tps, std::max<double>(1.0, options_.window), TimePoint{}),
      reconnectBackoff_(options_.reconnectMin, options_.reconnectMax, options_.jitter, random),
      throttleBackoff_(options_.throttleBackoffMin, options_.throttleBackoffMax, options_.jitter,
                       random) {
  options_.window = std::max<std::uint32_t>(1, options_.window);
}

void Session::transitionTo(SessionState next, Actions& out) {
  if (next == state_) return;
  const bool ok = kStates[idx(state_)].allowed[idx(next)];
  assert(ok && "disallowed SessionState edge");
  if (!ok) {
    // Release builds: a bug, but keep running in a defined state and make it visible.
    out.push_back(
        action::Event{EventKind::UnexpectedPdu,
                      "disallowed transition " + toString(state_) + " -> " + toString(next)});
  }
  out.push_back(action::StateChanged{state_, next});
  state_ = next;
}

bool Session::linkUp() const {
  return state_ == S::Binding || state_ == S::Bound || state_ == S::Unbinding;
}

std::size_t Session::inFlight() const {
  return static_cast<std::size_t>(std::count_if(pending_.begin(), pending_.end(), [](auto& kv) {
    return kv.second.kind == PendingKind::Submit;
  }));
}

bool Session::canSubmit(TimePoint now) const {
  return state_ == S::Bound && options_.mode != BindMode::Receiver && queue_.empty() &&
         inFlight() < options_.window && now >= pausedUntil_ && bucket_.available(now) >= 1.0;
}

std::uint32_t Session::nextSequence() {
  // 1..0x7FFFFFFF, wrapping, skipping any number still awaiting its response.
  do {
    lastSequence_ = lastSequence_ >= kMaxSequence ? 1 : lastSequence_ + 1;
  } while (pending_.count(lastSequence_) != 0 || bindSequence_ == lastSequence_ ||
           unbindSequence_ == lastSequence_);
  return lastSequence_;
}

void Session::send(const Pdu& pdu, TimePoint now, Actions& out) {
  out.push_back(action::Write{encode(pdu)});
  lastActivity_ = now;
}

void Session::armThrottle(TimePoint at, Actions& out) {
  if (throttleArmedAt_ == at) return;
  throttleArmedAt_ = at;
  out.push_back(action::ArmTimer{TimerId::Throttle, at});
}

void Session::armResponseTimer(Actions& out) {
  std::optional<TimePoint> earliest;
  for (const auto& [seq, p] : pending_)
    if (!earliest || p.deadline < *earliest) earliest = p.deadline;
  if (earliest == responseArmedAt_) return;
  responseArmedAt_ = earliest;
  if (earliest)
    out.push_back(action::ArmTimer{TimerId::ResponseTimeout, *earliest});
  else
    out.push_back(action::CancelTimer{TimerId::ResponseTimeout});
}

void Session::addPending(std::uint32_t seq, Pending pending, Actions& out) {
  pending_.emplace(seq, std::move(pending));
  armResponseTimer(out);
}

void Session::pump(TimePoint now, Actions& out) {
  if (state_ != S::Bound) return;
  while (!queue_.empty() && inFlight() < options_.window) {
    if (now < pausedUntil_) {
      armThrottle(pausedUntil_, out);
      return;
    }
    if (!bucket_.tryTake(now)) {
      armThrottle(bucket_.nextTokenAt(now), out);
      return;
    }
    OutgoingMessage msg = std::move(queue_.front());
    queue_.pop_front();
    headInserts_ = 0;
    const std::uint32_t seq = nextSequence();
    std::visit([seq](auto& p) { p.sequenceNumber = seq; }, msg.pdu);
    std::string bytes;
    try {
      bytes = std::visit([](const auto& p) { return encode(Pdu{p}); }, msg.pdu);
    } catch (const EncodeError& e) {
      // The owner built a PDU that breaks an SMPP limit: resending cannot help.
      out.push_back(action::Event{EventKind::EncodeError, e.what()});
      out.push_back(action::SubmitFailed{msg.localId, CommandStatus::SubmitFail, true});
      continue;
    }
    out.push_back(action::Write{std::move(bytes)});
    lastActivity_ = now;
    addPending(
        seq,
        Pending{PendingKind::Submit, now + options_.responseTimeout, sendOrder_++, std::move(msg)},
        out);
  }
}

void Session::putBackAtHead(OutgoingMessage msg) {
  const auto pos = std::min(headInserts_, queue_.size());
  queue_.insert(queue_.begin() + static_cast<std::ptrdiff_t>(pos), std::move(msg));
  ++headInserts_;
}

void Session::cancelLinkTimers(Actions& out) {
  for (TimerId id : {TimerId::EnquireLinkIdle, TimerId::ResponseTimeout, TimerId::Throttle,
                     TimerId::BindTimeout, TimerId::UnbindTimeout})
    out.push_back(action::CancelTimer{id});
  throttleArmedAt_.reset();
  responseArmedAt_.reset();
}

void Session::dropLink(std::string reason, bool emitClose, bool reconnect, TimePoint now,
                       Actions& out) {
  if (emitClose) out.push_back(action::Close{std::move(reason)});
  cancelLinkTimers(out);

  // Unacknowledged messages go back to the head of the queue, in the order they were sent.
  std::vector<Pending> unacked;
  for (auto& [seq, p] : pending_)
    if (p.message) unacked.push_back(std::move(p));
  std::sort(unacked.begin(), unacked.end(),
            [](const Pending& a, const Pending& b) { return a.order < b.order; });
  for (auto it = unacked.rbegin(); it != unacked.rend(); ++it)
    queue_.push_front(std::move(*it->message));
  if (!unacked.empty())
    out.push_back(action::Event{EventKind::Requeued,
                                std::to_string(unacked.size()) + " unacknowledged requeued"});
  headInserts_ = 0;
  pending_.clear();
  inboundPending_.clear();  // the SMSC redelivers what we did not acknowledge
  bindSequence_.reset();
  unbindSequence_.reset();
  framer_ = Framer(options_.maxPduSize);
  pausedUntil_ = TimePoint{};

  if (reconnect) {
    auto delay = reconnectBackoff_.next();
    // A bind that was up is tried again within reconnect_backoff_min: the upper half of the
    // jitter band folds below it (still spread, never later), so an SMSC that drops links now
    // and then costs at most that long. Binds that fail keep the full, growing band.
    if (state_ == S::Bound && delay > options_.reconnectMin)
      delay = 2 * options_.reconnectMin - delay;
    transitionTo(S::Backoff, out);
    out.push_back(action::ArmTimer{TimerId::Reconnect, now + delay});
  } else {
    transitionTo(S::Idle, out);
    out.push_back(action::CancelTimer{TimerId::Reconnect});
    if (!queue_.empty()) {
      action::Requeue rq;
      rq.messages.assign(std::make_move_iterator(queue_.begin()),
                         std::make_move_iterator(queue_.end()));
      queue_.clear();
      out.push_back(std::move(rq));
    }
  }
}

Actions Session::start(TimePoint now) {
  Actions out;
  if (state_ != S::Idle) return out;
  transitionTo(S::Connecting, out);
  out.push_back(action::Connect{});
  out.push_back(action::ArmTimer{TimerId::BindTimeout, now + options_.bindTimeout});
  return out;
}

Actions Session::onConnected(TimePoint now) {
  Actions out;
  if (state_ != S::Connecting) return out;
  transitionTo(S::Binding, out);
  framer_ = Framer(options_.maxPduSize);
  const std::uint32_t seq = nextSequence();
  bindSequence_ = seq;
  auto fill = [&](auto pdu) {
    pdu.sequenceNumber = seq;
    pdu.systemId = options_.systemId;
    pdu.password = options_.password;
    pdu.systemType = options_.systemType;
    pdu.addrTon = options_.addrTon;
    pdu.addrNpi = options_.addrNpi;
    pdu.addressRange = options_.addressRange;
    return Pdu{std::move(pdu)};
  };
  switch (options_.mode) {
    case BindMode::Transceiver:
      send(fill(BindTransceiver{}), now, out);
      break;
    case BindMode::Transmitter:
      send(fill(BindTransmitter{}), now, out);
      break;
    case BindMode::Receiver:
      send(fill(BindReceiver{}), now, out);
      break;
  }
  out.push_back(action::ArmTimer{TimerId::BindTimeout, now + options_.bindTimeout});
  return out;
}

Actions Session::onDisconnected(TimePoint now) {
  Actions out;
  switch (state_) {
    case S::Connecting:
    case S::Binding:
    case S::Bound:
      dropLink("peer closed", false, true, now, out);
      break;
    case S::Unbinding:
      dropLink("peer closed while unbinding", false, false, now, out);
      break;
    case S::Idle:
    case S::Backoff:
      break;  // we closed it ourselves; bookkeeping is done
  }
  return out;
}

Actions Session::onBytes(std::string_view bytes, TimePoint now) {
  Actions out;
  if (!linkUp()) return out;  // stale bytes from a link we already dropped
  FramerOutput framed = framer_.feed(bytes);
  for (auto& raw : framed.pdus) {
    if (!linkUp()) break;  // an earlier PDU in this chunk closed the link
    lastActivity_ = now;
    DecodeResult r = decode(raw);
    if (!r.ok()) {
      const DecodeError& err = r.error();
      out.push_back(action::Event{EventKind::DecodeError, err.reason});
      send(makeGenericNack(err), now, out);
      // A garbled response to one of our submits: that submit failed (transiently).
      if (err.commandId && isResponse(static_cast<CommandId>(*err.commandId)) && err.sequenceNumber)
        handleGenericNack(GenericNack{*err.sequenceNumber, err.status}, now, out);
      continue;
    }
    handlePdu(std::move(r.pdu()), now, out);
  }
  if (framed.error && linkUp()) {
    out.push_back(action::Event{EventKind::FramingError, toString(*framed.error)});
    // While unbinding we were leaving anyway: finish the stop instead of reconnecting.
    dropLink("framing error", true, state_ != S::Unbinding, now, out);
  }
  return out;
}

void Session::handlePdu(Pdu pdu, TimePoint now, Actions& out) {
  std::visit(
      Overloaded{
          [&](const BindTransceiverResp& p) {
            handleBindResp(p.sequenceNumber, p.commandStatus, now, out);
          },
          [&](const BindTransmitterResp& p) {
            handleBindResp(p.sequenceNumber, p.commandStatus, now, out);
          },
          [&](const BindReceiverResp& p) {
            handleBindResp(p.sequenceNumber, p.commandStatus, now, out);
          },
          [&](const EnquireLink& p) { send(makeResponse(p, CommandStatus::Ok), now, out); },
          [&](const EnquireLinkResp& p) {
            auto it = pending_.find(p.sequenceNumber);
            if (it != pending_.end() && it->second.kind == PendingKind::KeepAlive) {
              pending_.erase(it);
              armResponseTimer(out);
            }
          },
          [&](SubmitSmResp& p) {
            handleSubmitResp(p.sequenceNumber, p.commandStatus, std::move(p.messageId), now, out);
          },
          [&](DataSmResp& p) {
            handleSubmitResp(p.sequenceNumber, p.commandStatus, std::move(p.messageId), now, out);
          },
          [&](const GenericNack& p) { handleGenericNack(p, now, out); },
          [&](DeliverSm& p) {
            inboundPending_[p.sequenceNumber] = CommandId::DeliverSm;
            out.push_back(action::Deliver{std::move(p)});
          },
          [&](DataSm& p) {
            inboundPending_[p.sequenceNumber] = CommandId::DataSm;
            out.push_back(action::Deliver{std::move(p)});
          },
          [&](const Unbind& p) {
            out.push_back(action::Event{EventKind::PeerUnbind, "SMSC sent unbind"});
            send(makeResponse(p, CommandStatus::Ok), now, out);
            // Stopping anyway: finish; otherwise the SMSC wants us gone for now.
            dropLink("peer unbind", true, state_ != S::Unbinding, now, out);
          },
          [&](const UnbindResp& p) {
            if (state_ == S::Unbinding && unbindSequence_ == p.sequenceNumber)
              dropLink("unbound", true, false, now, out);
            else
              out.push_back(action::Event{EventKind::UnexpectedPdu, "unbind_resp"});
          },
          [&](const auto& p) {
            // Requests an ESME never receives (bind_*, submit_sm, outbind, ...).
            out.push_back(action::Event{EventKind::UnexpectedPdu, toString(p.kId)});
            if (!isResponse(p.kId) && p.kId != CommandId::AlertNotification &&
                p.kId != CommandId::Outbind)
              send(GenericNack{p.sequenceNumber, CommandStatus::InvCmdId}, now, out);
          },
      },
      pdu);
}

void Session::handleBindResp(std::uint32_t seq, CommandStatus status, TimePoint now, Actions& out) {
  if (state_ != S::Binding || bindSequence_ != seq) {
    out.push_back(action::Event{EventKind::UnexpectedPdu, "bind_resp"});
    return;
  }
  bindSequence_.reset();
  if (status == CommandStatus::Ok) {
    transitionTo(S::Bound, out);
    out.push_back(action::CancelTimer{TimerId::BindTimeout});
    reconnectBackoff_.reset();
    bucket_.reset(now);
    lastActivity_ = now;
    out.push_back(action::ArmTimer{TimerId::EnquireLinkIdle, now + options_.enquireLinkInterval});
    pump(now, out);
    return;
  }
  const bool credentials = classify(status) == StatusClass::BindCredentials;
  out.push_back(action::BindRejected{status, credentials});
  // Bad credentials: retrying with the same ones is pointless (and may lock the account).
  dropLink("bind rejected: " + toString(status), true, !credentials, now, out);
}

void Session::handleSubmitResp(std::uint32_t seq, CommandStatus status, std::string messageId,
                               TimePoint now, Actions& out) {
  auto it = pending_.find(seq);
  if (it == pending_.end() || it->second.kind != PendingKind::Submit) {
    out.push_back(action::Event{EventKind::UnexpectedPdu, "response for unknown sequence"});
    return;
  }
  OutgoingMessage msg = std::move(*it->second.message);
  pending_.erase(it);
  armResponseTimer(out);
  if (status == CommandStatus::Ok) {
    throttleBackoff_.shrink();  // recover gradually: the SMSC's limit may still be near
    out.push_back(action::SubmitAcked{msg.localId, std::move(messageId)});
  } else if (status == CommandStatus::Throttled || status == CommandStatus::MsgQFul) {
    putBackAtHead(std::move(msg));
    // Responses to PDUs sent before the pause began belong to the same burst: one step only.
    if (now >= pausedUntil_) {
      pausedUntil_ = now + throttleBackoff_.next();
      out.push_back(action::Event{EventKind::Throttled, toString(status)});
    }
  } else {
    out.push_back(
        action::SubmitFailed{msg.localId, status, classify(status) == StatusClass::Permanent});
  }
  pump(now, out);
}

void Session::handleGenericNack(const GenericNack& nack, TimePoint now, Actions& out) {
  const std::uint32_t seq = nack.sequenceNumber;
  if (state_ == S::Binding && bindSequence_ == seq) {
    handleBindResp(
        seq, nack.commandStatus == CommandStatus::Ok ? CommandStatus::SysErr : nack.commandStatus,
        now, out);
    return;
  }
  if (state_ == S::Unbinding && unbindSequence_ == seq) {
    dropLink("unbind nacked", true, false, now, out);
    return;
  }
  auto it = pending_.find(seq);
  if (it == pending_.end()) {
    out.push_back(action::Event{EventKind::UnexpectedPdu, "generic_nack for unknown sequence"});
    return;
  }
  if (it->second.kind == PendingKind::Submit) {
    const std::uint64_t localId = it->second.message->localId;
    pending_.erase(it);
    armResponseTimer(out);
    // Always transient: a nack says the PDU was not understood, not that the message is bad.
    out.push_back(action::SubmitFailed{
        localId,
        nack.commandStatus == CommandStatus::Ok ? CommandStatus::SysErr : nack.commandStatus,
        false});
    pump(now, out);
  } else {
    pending_.erase(it);  // the link answered, so it is alive
    armResponseTimer(out);
  }
}

Actions Session::onTimer(TimerId id, TimePoint now) {
  Actions out;
  switch (id) {
    case TimerId::Reconnect:
      if (state_ == S::Backoff) {
        transitionTo(S::Connecting, out);
        out.push_back(action::Connect{});
        out.push_back(action::ArmTimer{TimerId::BindTimeout, now + options_.bindTimeout});
      }
      break;
    case TimerId::BindTimeout:
      if (state_ == S::Connecting || state_ == S::Binding) {
        out.push_back(action::Event{EventKind::BindTimeout, toString(state_) + " took too long"});
        dropLink("bind timeout", true, true, now, out);
      }
      break;
    case TimerId::UnbindTimeout:
      if (state_ == S::Unbinding) dropLink("unbind timeout", true, false, now, out);
      break;
    case TimerId::Throttle:
      throttleArmedAt_.reset();
      pump(now, out);
      break;
    case TimerId::ResponseTimeout: {
      responseArmedAt_.reset();
      if (!linkUp()) break;
      const bool expired = std::any_of(pending_.begin(), pending_.end(),
                                       [&](const auto& kv) { return kv.second.deadline <= now; });
      if (expired) {
        out.push_back(action::Event{EventKind::ResponseTimeout, "no response in time"});
        dropLink("response timeout", true, state_ != S::Unbinding, now, out);
      } else {
        armResponseTimer(out);
      }
      break;
    }
    case TimerId::EnquireLinkIdle:
      if (state_ != S::Bound) break;
      if (now >= lastActivity_ + options_.enquireLinkInterval) {
        const bool outstanding = std::any_of(pending_.begin(), pending_.end(), [](const auto& kv) {
          return kv.second.kind == PendingKind::KeepAlive;
        });
        if (!outstanding) {
          const std::uint32_t seq = nextSequence();
          send(EnquireLink{seq, CommandStatus::Ok}, now, out);
          addPending(seq,
                     Pending{PendingKind::KeepAlive, now + options_.responseTimeout, sendOrder_++,
                             std::nullopt},
                     out);
        }
        out.push_back(
            action::ArmTimer{TimerId::EnquireLinkIdle, now + options_.enquireLinkInterval});
      } else {
        out.push_back(action::ArmTimer{TimerId::EnquireLinkIdle,
                                       lastActivity_ + options_.enquireLinkInterval});
      }
      break;
  }
  return out;
}

Actions Session::submit(OutgoingMessage msg, TimePoint now) {
  Actions out;
  if (options_.mode == BindMode::Receiver) {
    out.push_back(action::Requeue{{std::move(msg)}});
    return out;
  }
  queue_.push_back(std::move(msg));
  pump(now, out);
  return out;
}

Actions Session::acknowledge(std::uint32_t sequenceNumber, CommandStatus status, TimePoint now) {
  Actions out;
  auto it = inboundPending_.find(sequenceNumber);
  if (!linkUp() || it == inboundPending_.end()) {
    out.push_back(action::Event{EventKind::AckDropped, "no such inbound PDU on this link"});
    return out;
  }
  const CommandId kind = it->second;
  inboundPending_.erase(it);
  if (kind == CommandId::DataSm)
    send(DataSmResp{sequenceNumber, status, {}, {}}, now, out);
  else
    send(DeliverSmResp{sequenceNumber, status, {}, {}}, now, out);
  return out;
}

Actions Session::stop(TimePoint now) {
  Actions out;
  switch (state_) {
    case S::Bound: {
      transitionTo(S::Unbinding, out);
      out.push_back(action::CancelTimer{TimerId::EnquireLinkIdle});
      out.push_back(action::CancelTimer{TimerId::Throttle});
      throttleArmedAt_.reset();
      const std::uint32_t seq = nextSequence();
      unbindSequence_ = seq;
      send(Unbind{seq, CommandStatus::Ok}, now, out);
      out.push_back(action::ArmTimer{TimerId::UnbindTimeout, now + options_.unbindTimeout});
      break;
    }
    case S::Connecting:
    case S::Binding:
    case S::Backoff:
      dropLink("stopped", state_ != S::Backoff, false, now, out);
      break;
    case S::Unbinding:
      break;  // already on its way
    case S::Idle:
      if (!queue_.empty()) {
        action::Requeue rq;
        rq.messages.assign(std::make_move_iterator(queue_.begin()),
                           std::make_move_iterator(queue_.end()));
        queue_.clear();
        out.push_back(std::move(rq));
      }
      break;
  }
  return out;
}

}  // namespace mfigw::smpp
