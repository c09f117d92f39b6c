// smpp/sim/smsc_simulator.hpp: a scriptable SMSC (the server side of SMPP 3.4) for tests,
// benchmarks and demos.
//
// Purpose:   SmscSimulator is sans-I/O (STYLE G2): the owner (SimServer, or a test) hands it
//            each connection's bytes and the current time and executes the Actions it returns
//            (write bytes, close a connection, arm the one simulator-wide timer). It checks
//            binds against accounts, answers submit_sm / data_sm with fresh message ids, sends
//            delivery receipts after a delay, injects MO SMS and USSD dialogs, and misbehaves
//            on command (throttle, fail, delay, drop, go silent) so the gateway's error paths
//            can be exercised. Everything received is recorded for assertions.
// Threading: none inside; one owner thread (SimServer posts every call to its io_context).
// Errors:    protocol errors are answered on the wire (generic_nack, ESME_R* statuses) and
//            never thrown; a framing error closes that connection. encode() errors (a
//            command asking for a 21-digit address) propagate as smpp::EncodeError.
// Ownership: owns per-connection state and records; owns no sockets.
//
// Time: `now` is any steady_clock time the owner chooses (tests pass a fake clock). Receipt
// dates use options.wallClock(now), so tests can pin them too.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "smpp/command_status.hpp"
#include "smpp/delivery_receipt.hpp"
#include "smpp/framer.hpp"
#include "smpp/pdu.hpp"
#include "smpp/token_bucket.hpp"

namespace mfigw::smpp::sim {

using Clock = std::chrono::steady_clock;
using TimePoint = Clock::time_point;
using ConnectionId = std::uint64_t;

enum class BindKind { Transmitter, Receiver, Transceiver };
std::string_view toString(BindKind kind);

enum class MessageIdFormat { Decimal, Hex };
std::string_view toString(MessageIdFormat format);

struct Account {
  std::string systemId;
  std::string password;
};

// Something worth a log line in the owner (mfi-smsc-sim prints these). Carries no password.
struct LinkEvent {
  enum class Kind { Bound, BindRejected, Unbound, Closed };
  Kind kind = Kind::Bound;
  ConnectionId connection = 0;
  std::string systemId;
  std::optional<BindKind> bindKind;
  CommandStatus status = CommandStatus::Ok;
};
std::string_view toString(LinkEvent::Kind kind);

// How the simulated USSD centre speaks (reference/ussd.md 1.4): the op codes of a dial and of
// an answer, and where the dialog id goes. The `sessionInfo` the USSD commands take is the
// raw value of that TLV (2 octets for both carriers).
enum class UssdSessionCarrier { ItsSessionInfo, UserMessageReference };
std::string_view toString(UssdSessionCarrier carrier);
struct UssdDialectOptions {
  UssdSessionCarrier session = UssdSessionCarrier::ItsSessionInfo;  // SMPP 3.4 (smpp34)
  std::uint8_t beginOp = 0x01;                                      // PSSR indication
  std::uint8_t continueOp = 0x12;                                   // USSR confirm
  // A vendor TLV with the caller's serving cell on every USSD deliver_sm (0: none), as
  // some USSD centres send it; its value as given (e.g. a 7-octet CGI).
  std::uint16_t cellTlv = 0;
  std::string cellValue;
};
// The gateway's built-in dialects by name ("smpp34", "user_message_reference"); nullopt else.
std::optional<UssdDialectOptions> ussdDialectNamed(std::string_view name);

struct SimulatorOptions {
  // Empty: any system_id/password is accepted (handy for demos).
  std::vector<Account> accounts;
  std::string systemId = "mfismsc";  // our system_id in bind responses (max 15)
  MessageIdFormat messageIdFormat = MessageIdFormat::Decimal;
  std::uint64_t firstMessageId = 1;
  // Receipts: sent this long after the submit response, with this outcome. With
  // deliveredRatio set, that fraction (0..1, spread evenly, deterministic) is DELIVRD and the
  // rest get receiptOutcome.
  std::chrono::milliseconds receiptDelay{0};
  MessageState receiptOutcome = MessageState::Delivered;
  std::optional<double> deliveredRatio;
  // Like a real SMSC, a receipt that found no bound receiver, went out on a link that closed
  // before its deliver_sm_resp, or was answered with an error is offered again after this
  // long (0: dropped instead).
  std::chrono::milliseconds receiptRetry{1000};
  // Submits per second over all connections (token bucket, burst = max(1, tps)); 0 = no limit.
  double throttleTps = 0;
  // Responses to submit_sm / data_sm are held this long.
  std::chrono::milliseconds responseDelay{0};
  // We send enquire_link after this much silence on a bound link; 0 = never.
  std::chrono::milliseconds enquireLinkInterval{0};
  // Maps a steady time to the wall time written in receipt dates (UTC). Default: the system
  // clock offset by (now - steady_clock::now()).
  std::function<std::chrono::system_clock::time_point(TimePoint)> wallClock;
  // Called for each bind / bind rejection / unbind / close.
  std::function<void(const LinkEvent&)> onLinkEvent;
  UssdDialectOptions ussd;
};

namespace action {
struct Write {
  ConnectionId connection = 0;
  std::string bytes;
};
// Close after the writes that came before it in the same Actions.
struct Close {
  ConnectionId connection = 0;
  std::string reason;
};
// Call onTimer() at `at` (replaces any earlier arming: there is one simulator-wide timer).
struct ArmTimer {
  TimePoint at;
};
}  // namespace action
using Action = std::variant<action::Write, action::Close, action::ArmTimer>;
using Actions = std::vector<Action>;

struct ReceivedPdu {
  ConnectionId connection = 0;
  TimePoint at;
  Pdu pdu;
};

// A submit_sm or data_sm that belonged to a USSD dialog (service_type "USSD" or
// ussd_service_op set): what the phone would show. op 0x02 = continue (expects input),
// 0x11 = end.
struct UssdReply {
  ConnectionId connection = 0;
  std::string msisdn;  // destination_addr of the submit
  std::uint8_t op = 0;
  std::string sessionInfo;  // its_session_info, 2 octets, or empty
  std::string text;         // short_message, or message_payload when that is empty
  std::uint8_t dataCoding = 0;
  std::string userMessageReference;  // raw TLV value (2 octets), or empty
  CommandId command = CommandId::SubmitSm;
};

// What the simulator sent that expects a deliver_sm_resp.
enum class DeliveryKind { Receipt, Mo, Ussd };
std::string_view toString(DeliveryKind kind);
struct SentDelivery {
  ConnectionId connection = 0;
  std::uint32_t sequenceNumber = 0;
  DeliveryKind kind = DeliveryKind::Mo;
  std::string messageId;                   // receipts: the receipted id
  std::optional<CommandStatus> ackStatus;  // set when the deliver_sm_resp arrived
};

struct Counters {
  std::uint64_t binds = 0;  // successful
  std::uint64_t bindRejections = 0;
  std::uint64_t unbinds = 0;
  std::uint64_t submits = 0;  // submit_sm + data_sm received on a bound transmitting link
  std::map<CommandStatus, std::uint64_t> submitRespsByStatus;
  std::uint64_t receiptsSent = 0;
  std::uint64_t receiptsAcked = 0;          // deliver_sm_resp with ESME_ROK
  std::uint64_t receiptsUndeliverable = 0;  // no bound receiver when due (retried, see options)
  std::uint64_t receiptsRetried = 0;        // offered again: no receiver, link lost, or refused
  std::uint64_t moSent = 0;                 // MO SMS and USSD deliver_sm
  std::uint64_t moAcked = 0;
  std::uint64_t deliverRespErrors = 0;  // deliver_sm_resp with an error status
  std::uint64_t enquireLinksSent = 0;
  std::uint64_t connectionsClosed = 0;
  std::uint64_t respsWithStatus(CommandStatus status) const;
};

// An MO SMS (or a USSD PDU) to inject. systemId picks the ESME; empty = the first bound
// receiver/transceiver.
struct MoMessage {
  std::string from;  // the phone's MSISDN
  std::string to;    // our short code / service code
  std::string text;  // raw octets as sent
  std::uint8_t dataCoding = 0;
  std::string systemId;
};

struct Injection {
  std::optional<ConnectionId> connection;  // nullopt: no bound receiver, nothing sent
  std::uint32_t sequenceNumber = 0;
  Actions actions;
};

class SmscSimulator {
 public:
  explicit SmscSimulator(SimulatorOptions options);

  // --- driven by the owner ---
  // A new TCP connection; nothing is written until the ESME binds.
  ConnectionId accept(TimePoint now);
  Actions onBytes(ConnectionId conn, std::string_view bytes, TimePoint now);
  // The timer armed by ArmTimer fired (early or spurious calls are harmless).
  Actions onTimer(TimePoint now);
  // The peer went away (or the owner executed our Close). Unacknowledged deliveries stay
  // unacknowledged in the records.
  void onClosed(ConnectionId conn, TimePoint now);
  std::optional<TimePoint> nextTimer() const;

  // --- commands (behaviour changes at run time) ---
  void throttleNext(std::size_t count);  // next K submits get ESME_RTHROTTLED
  void failNext(std::size_t count, CommandStatus status);
  void setThrottleTps(double tps, TimePoint now);
  void setResponseDelay(std::chrono::milliseconds delay);
  void setReceiptDelay(std::chrono::milliseconds delay);
  void setReceiptOutcome(MessageState outcome, std::optional<double> deliveredRatio = {});
  // false: record everything, answer nothing (to provoke the ESME's response timeouts).
  void setAnswering(bool answering);
  // Closes every connection now.
  Actions dropAll(TimePoint now);
  // Answers `count` more submits, then closes the link that got the last of them (count 0:
  // the very next submit closes its link unanswered).
  void dropAfter(std::size_t count);
  Injection injectMo(const MoMessage& mo, TimePoint now);
  // The user dialled `serviceCode` (e.g. "*384#"): deliver_sm, service_type USSD, op 0x01.
  Injection startUssd(const std::string& msisdn, const std::string& serviceCode,
                      std::string sessionInfo, TimePoint now, const std::string& systemId = "");
  // The user's next input in a dialog: op 0x12 with the same session info.
  Injection ussdInput(const std::string& msisdn, const std::string& serviceCode,
                      const std::string& input, std::string sessionInfo, TimePoint now,
                      const std::string& systemId = "");
  // Any op code (an abort, a vendor code), otherwise like ussdInput.
  Injection ussdOp(const std::string& msisdn, const std::string& serviceCode,
                   const std::string& text, std::uint8_t op, std::string sessionInfo, TimePoint now,
                   const std::string& systemId = "");
  // Sends the USSD deliver_sm of sentDeliveries()[index] again, byte for byte, as an SMSC
  // does when it missed the deliver_sm_resp: with the same sequence number on the same
  // connection, or a fresh one on a bound receiver when that connection is gone. Nothing is
  // sent (connection nullopt) for an index that is not a USSD delivery.
  Injection redeliverUssd(std::size_t index, TimePoint now);
  void setUssdDialect(UssdDialectOptions dialect) { options_.ussd = dialect; }

  // --- records ---
  const Counters& counters() const { return counters_; }
  const std::vector<ReceivedPdu>& received() const { return received_; }
  const std::vector<UssdReply>& ussdReplies() const { return ussdReplies_; }
  const std::vector<SentDelivery>& sentDeliveries() const { return sent_; }
  std::size_t unacknowledgedDeliveries() const;
  std::size_t openConnections() const { return connections_.size(); }
  std::size_t boundConnections() const;
  const SimulatorOptions& options() const { return options_; }

 private:
  struct Connection {
    Framer framer;
    std::optional<BindKind> bound;
    std::string systemId;
    std::uint32_t lastSequence = 0;
    TimePoint lastActivity;
    bool keepAliveScheduled = false;
  };
  struct DelayedWrite {
    ConnectionId connection = 0;
    std::string bytes;
    bool closeAfter = false;
  };
  struct DueReceipt {
    ConnectionId origin = 0;
    std::string systemId;
    DeliverSm pdu;
    std::string messageId;
  };
  struct KeepAlive {
    ConnectionId connection = 0;
  };
  using Scheduled = std::variant<DelayedWrite, DueReceipt, KeepAlive>;

  void handlePdu(ConnectionId conn, Connection& c, Pdu pdu, TimePoint now, Actions& out);
  void handleBind(ConnectionId conn, Connection& c, BindKind kind, const std::string& systemId,
                  const std::string& password, const Pdu& request, TimePoint now, Actions& out);
  void handleSubmit(ConnectionId conn, Connection& c, const Pdu& request, TimePoint now,
                    Actions& out);
  void handleDeliverResp(ConnectionId conn, const DeliverSmResp& resp, TimePoint now);
  void retryReceipt(DueReceipt receipt, TimePoint now);
  void respond(ConnectionId conn, const Pdu& pdu, TimePoint now, bool closeAfter, Actions& out);
  void closeConnection(ConnectionId conn, std::string reason, TimePoint now, Actions& out);
  void schedule(TimePoint at, Scheduled item);
  void scheduleReceipt(ConnectionId conn, const Connection& c, const Pdu& request,
                       const std::string& messageId, TimePoint respAt, TimePoint now);
  void scheduleKeepAlive(ConnectionId conn, Connection& c, TimePoint at);
  Injection sendDeliver(DeliverSm pdu, DeliveryKind kind, const std::string& systemId,
                        TimePoint now);
  DeliverSm ussdDeliver(const std::string& msisdn, const std::string& serviceCode, std::string text,
                        std::uint8_t op, std::string sessionInfo) const;
  std::optional<ConnectionId> pickReceiver(const std::string& systemId,
                                           std::optional<ConnectionId> prefer) const;
  std::uint32_t nextSequence(Connection& c);
  std::string nextMessageId();
  MessageState nextOutcome();
  void emit(LinkEvent event) const;
  void finish(Actions& out);

  SimulatorOptions options_;
  Counters counters_;
  std::map<ConnectionId, Connection> connections_;
  ConnectionId nextConnection_ = 1;
  std::uint64_t nextMessageId_;
  std::uint64_t outcomes_ = 0;
  std::multimap<TimePoint, Scheduled> scheduled_;
  std::optional<TimePoint> armed_;
  std::optional<TokenBucket> bucket_;
  std::size_t throttleNext_ = 0;
  std::size_t failNext_ = 0;
  CommandStatus failStatus_ = CommandStatus::SysErr;
  std::optional<std::size_t> dropAfter_;
  bool answering_ = true;
  std::vector<ReceivedPdu> received_;
  std::vector<UssdReply> ussdReplies_;
  std::vector<SentDelivery> sent_;
  std::map<std::size_t, DeliverSm> ussdSent_;  // index in sent_ -> the PDU, for redelivery
  std::map<std::pair<ConnectionId, std::uint32_t>, std::size_t> sentIndex_;
  // Receipts on the wire, kept until their deliver_sm_resp says ESME_ROK.
  std::map<std::pair<ConnectionId, std::uint32_t>, DueReceipt> unackedReceipts_;
};

}  // namespace mfigw::smpp::sim
