// session.hpp: the SMPP 3.4 ESME session state machine, sans-I/O (STYLE.md G2, G4).
//
// Purpose:   bind, window, TPS throttle, adaptive back-off on ESME_RTHROTTLED/RMSGQFUL,
//            enquire_link, response timeouts, generic_nack, unbind, reconnect with jittered
//            exponential back-off, and the requeue of unacknowledged messages. Every call
//            takes the current time and returns a list of Actions for the owner (the
//            transport) to carry out in order; the Session itself never touches a socket,
//            a clock, a thread or a logger.
// Threading: not thread-safe; one Session per bind, driven from that bind's strand.
// Errors:    protocol trouble is a value (Close / Event / SubmitFailed / BindRejected
//            actions); nothing here throws on peer input. Tier 1 of STYLE.md G6.
// Ownership: owns queued and in-flight OutgoingMessages until they are acknowledged, failed
//            or handed back in a Requeue action: a message is never silently dropped.
//
// Contract with the owner:
// - ArmTimer(id, at) replaces any earlier arming of the same id; CancelTimer(id) drops it.
//   A timer firing after it was cancelled or re-armed is harmless (the Session re-checks).
// - Connect: open TCP, then call onConnected(), or onDisconnected() when it fails.
// - Close: close the socket. The Session has already done its disconnect bookkeeping, so
//   the owner need not (but may) call onDisconnected() for that close.
// - Deliver: commit the MO/receipt, then call acknowledge(seq, status) (ESME_RMSGQFUL when
//   the store is full). The Session never answers deliver_sm/data_sm by itself.
// - Requeue: messages handed back (stop(), or a bind refused for its credentials). While
//   reconnecting, the Session keeps unacknowledged messages itself and resends them first
//   after the next bind (same localId, new sequence number): at-least-once.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "smpp/backoff.hpp"
#include "smpp/codec.hpp"
#include "smpp/framer.hpp"
#include "smpp/pdu.hpp"
#include "smpp/session_options.hpp"
#include "smpp/token_bucket.hpp"

namespace mfigw::smpp {

enum class SessionState { Idle, Connecting, Binding, Bound, Unbinding, Backoff };
std::string toString(SessionState state);

enum class TimerId {
  EnquireLinkIdle,  // idleness reached: send enquire_link (not named EnquireLink: the PDU type)
  ResponseTimeout,
  Reconnect,
  Throttle,
  BindTimeout,
  UnbindTimeout
};
std::string toString(TimerId id);

// One MT message: the owner's id and the PDU (sequence_number is assigned by the Session).
struct OutgoingMessage {
  std::uint64_t localId = 0;
  std::variant<SubmitSm, DataSm> pdu;
  bool operator==(const OutgoingMessage&) const = default;
};

enum class EventKind {
  Throttled,        // ESME_RTHROTTLED / RMSGQFUL: sending paused
  ResponseTimeout,  // a request went unanswered: link closed
  BindTimeout,      // connect or bind_resp took too long
  DecodeError,      // an undecodable PDU was answered with generic_nack
  FramingError,     // bad command_length: link closed
  UnexpectedPdu,    // a PDU we do not expect as an ESME, or an unknown response sequence
  PeerUnbind,       // the SMSC unbound us
  AckDropped,       // acknowledge() for a PDU the link no longer knows (link was lost)
  Requeued,         // unacknowledged messages put back in the queue for the next bind
  EncodeError,      // a queued message broke an SMPP field limit (owner's bug)
  ConnectFailed,    // transport: resolve or TCP connect failed (reported by the link)
  TlsFailed,        // transport: TLS handshake or certificate check failed (by the link)
};
std::string toString(EventKind kind);

namespace action {
struct Write {
  std::string bytes;
};
struct ArmTimer {
  TimerId id;
  std::chrono::steady_clock::time_point at;
};
struct CancelTimer {
  TimerId id;
};
struct Connect {};
struct Close {
  std::string reason;
};
struct Deliver {
  std::variant<DeliverSm, DataSm> pdu;
};
struct SubmitAcked {
  std::uint64_t localId;
  std::string smscMessageId;
};
struct SubmitFailed {
  std::uint64_t localId;
  CommandStatus status;
  bool permanent;
};
struct Requeue {
  std::vector<OutgoingMessage> messages;
};
struct StateChanged {
  SessionState from;
  SessionState to;
};
// An alarm. credentials == true: no automatic reconnect until the next start().
struct BindRejected {
  CommandStatus status;
  bool credentials;
};
// For logs and metrics; text holds no secrets and no MSISDNs.
struct Event {
  EventKind kind;
  std::string text;
};
}  // namespace action

using Action =
    std::variant<action::Write, action::ArmTimer, action::CancelTimer, action::Connect,
                 action::Close, action::Deliver, action::SubmitAcked, action::SubmitFailed,
                 action::Requeue, action::StateChanged, action::BindRejected, action::Event>;
using Actions = std::vector<Action>;

class Session {
 public:
  using Clock = std::chrono::steady_clock;
  using TimePoint = Clock::time_point;

  // `random` returns uniform values in [0, 1) for the back-off jitter.
  Session(SessionOptions options, UniformRandom random);

  // Idle -> Connecting: Connect, ArmTimer(BindTimeout).
  Actions start(TimePoint now);
  // Connecting -> Binding: Write(bind_*), ArmTimer(BindTimeout).
  Actions onConnected(TimePoint now);
  // The link went away (or the connect failed): unacknowledged messages go back to the head
  // of the queue and a jittered Reconnect timer is armed. While unbinding: Idle + Requeue.
  Actions onDisconnected(TimePoint now);
  Actions onBytes(std::string_view bytes, TimePoint now);
  Actions onTimer(TimerId id, TimePoint now);
  // Queues the message; it goes out at once when bound, within window, TPS and not paused.
  // A Receiver bind cannot submit: the message comes straight back in a Requeue.
  Actions submit(OutgoingMessage msg, TimePoint now);
  // Answers the deliver_sm / data_sm with this sequence number (after the owner committed).
  Actions acknowledge(std::uint32_t sequenceNumber, CommandStatus status, TimePoint now);
  // Bound: unbind, then Close on unbind_resp or UnbindTimeout. Otherwise close at once.
  // Ends in Idle with every queued and unacknowledged message handed back (Requeue).
  Actions stop(TimePoint now);

  SessionState state() const { return state_; }
  // Unacknowledged submit_sm/data_sm.
  std::size_t inFlight() const;
  // Waiting in the FIFO (not yet sent on this bind).
  std::size_t queued() const { return queue_.size(); }
  // Whether a submit() now would be written immediately.
  bool canSubmit(TimePoint now) const;
  // The un-jittered delay the next reconnect would use (for status pages and tests).
  Clock::duration reconnectBackoffBase() const { return reconnectBackoff_.currentBase(); }
  Clock::duration throttleBackoffBase() const { return throttleBackoff_.currentBase(); }
  const SessionOptions& options() const { return options_; }

 private:
  enum class PendingKind { Submit, KeepAlive };
  struct Pending {
    PendingKind kind;
    TimePoint deadline;
    std::uint64_t order;  // send order; sequence numbers wrap, this does not
    std::optional<OutgoingMessage> message;
  };

  void transitionTo(SessionState next, Actions& out);
  std::uint32_t nextSequence();
  void send(const Pdu& pdu, TimePoint now, Actions& out);
  void pump(TimePoint now, Actions& out);
  void armThrottle(TimePoint at, Actions& out);
  void armResponseTimer(Actions& out);
  void addPending(std::uint32_t seq, Pending pending, Actions& out);
  // Closes (when emitClose) and either schedules a reconnect or ends in Idle with Requeue.
  void dropLink(std::string reason, bool emitClose, bool reconnect, TimePoint now, Actions& out);
  void cancelLinkTimers(Actions& out);
  void handlePdu(Pdu pdu, TimePoint now, Actions& out);
  void handleBindResp(std::uint32_t seq, CommandStatus status, TimePoint now, Actions& out);
  void handleSubmitResp(std::uint32_t seq, CommandStatus status, std::string messageId,
                        TimePoint now, Actions& out);
  void handleGenericNack(const GenericNack& nack, TimePoint now, Actions& out);
  void putBackAtHead(OutgoingMessage msg);
  bool linkUp() const;

  SessionOptions options_;
  SessionState state_ = SessionState::Idle;
  Framer framer_;
  TokenBucket bucket_;
  Backoff reconnectBackoff_;
  Backoff throttleBackoff_;

  std::uint32_t lastSequence_ = 0;
  std::uint64_t sendOrder_ = 0;
  std::optional<std::uint32_t> bindSequence_;
  std::optional<std::uint32_t> unbindSequence_;
  std::map<std::uint32_t, Pending> pending_;           // our requests awaiting a response
  std::map<std::uint32_t, CommandId> inboundPending_;  // deliver_sm/data_sm awaiting ack
  std::deque<OutgoingMessage> queue_;
  std::size_t headInserts_ = 0;  // keeps several throttled messages in their original order
  TimePoint pausedUntil_{};
  TimePoint lastActivity_{};
  std::optional<TimePoint> throttleArmedAt_;
  std::optional<TimePoint> responseArmedAt_;
};

}  // namespace mfigw::smpp
