// esme_link.hpp: one SMPP bind over TCP, driving a Session with real sockets and timers.
//
// Purpose:   the only I/O of the ESME side (STYLE.md G2): EsmeLink carries out the Actions
//            a Session returns (connect, write, timers, close) on an Asio executor and
//            turns what the Session reports (MO and receipts to commit, submits acknowledged
//            or failed, messages handed back, state changes, alarms) into LinkHandler calls.
//            All protocol decisions stay in Session.
// Threading: everything runs on the io_context the link was made with, which must be run
//            by one thread; call submit(), acknowledge(), start() and stop() from that
//            thread (asio::post to it from elsewhere).
// Errors:    network errors (TLS handshake and certificate failures included) are values:
//            the link reports an event, closes, and the Session reconnects with back-off.
//            create() throws std::runtime_error when the TLS files cannot be loaded; nothing
//            throws after that.
// Ownership: made by EsmeLink::create() as a shared_ptr; pending operations keep it alive.
//            The LinkHandler is borrowed and must outlive the link (until the io_context
//            stops or stop() has ended in Idle).
#pragma once

#include <array>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <utility>  // before Asio's awaitable.hpp, which uses std::exchange without it
#include <variant>
#include <vector>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/steady_timer.hpp>

#include "smpp/session.hpp"

namespace mfigw::smpp {

// SMPP over TLS, as some operators offer it. The peer's certificate is verified against
// caFile (or the system's store when empty) and the endpoint's host name, unless verifyPeer
// is off (a test bench with a self-signed SMSC; never in production).
struct LinkTls {
  bool enabled = false;
  bool verifyPeer = true;
  std::string caFile;
  std::string serverName;  // name to verify and send as SNI; empty: the endpoint host
  std::string certFile;    // client certificate (PEM), when the operator asks for one
  std::string keyFile;     // its private key (PEM); secret
};

struct LinkEndpoint {
  LinkEndpoint() = default;
  LinkEndpoint(std::string h, std::uint16_t p, LinkTls t = {})
      : host(std::move(h)), port(p), tls(std::move(t)) {}

  std::string host;
  std::uint16_t port = 2775;
  LinkTls tls;
};

// What a link reports to its owner (the gateway's sender and MO service).
class LinkHandler {
 public:
  virtual ~LinkHandler() = default;
  // An MO message or a delivery receipt. Commit it, then call link.acknowledge(seq, status)
  // (ESME_RMSGQFUL when it could not be stored): the SMSC redelivers what we never answer.
  virtual void onDeliver(std::variant<DeliverSm, DataSm> pdu) = 0;
  virtual void onSubmitAcked(std::uint64_t localId, const std::string& smscMessageId) = 0;
  virtual void onSubmitFailed(std::uint64_t localId, CommandStatus status, bool permanent) = 0;
  // Messages the link gives back unsent or unacknowledged (stop, credentials refused).
  virtual void onRequeue(std::vector<OutgoingMessage> messages) = 0;
  virtual void onStateChanged(SessionState from, SessionState to) = 0;
  virtual void onBindRejected(CommandStatus status, bool credentials) = 0;
  virtual void onEvent(EventKind kind, const std::string& text) = 0;
};

class EsmeLink : public std::enable_shared_from_this<EsmeLink> {
 public:
  static std::shared_ptr<EsmeLink> create(boost::asio::io_context& io, LinkEndpoint endpoint,
                                          SessionOptions options, LinkHandler& handler);
  ~EsmeLink();
  EsmeLink(const EsmeLink&) = delete;
  EsmeLink& operator=(const EsmeLink&) = delete;

  void start();
  void submit(OutgoingMessage message);
  void acknowledge(std::uint32_t sequenceNumber, CommandStatus status);
  // Unbinds and closes; every queued or unacknowledged message comes back through
  // onRequeue, and the state ends in Idle.
  void stop();

  [[nodiscard]] SessionState state() const { return session_.state(); }
  [[nodiscard]] std::size_t inFlight() const { return session_.inFlight(); }
  [[nodiscard]] std::size_t queued() const { return session_.queued(); }
  [[nodiscard]] const LinkEndpoint& endpoint() const { return endpoint_; }

 private:
  struct PrivateTag {};

 public:
  EsmeLink(PrivateTag, boost::asio::io_context& io, LinkEndpoint endpoint, SessionOptions options,
           LinkHandler& handler);

 private:
  static constexpr std::size_t kTimerCount = 6;

  void execute(Actions actions);
  void connect();
  boost::asio::awaitable<bool> handshake(std::uint64_t generation);
  void readLoop(std::uint64_t generation);
  void flushWrites(std::uint64_t generation);
  void arm(TimerId id, Session::TimePoint at);
  void closeSocket();
  void lost(std::uint64_t generation);

  boost::asio::io_context& io_;
  LinkEndpoint endpoint_;
  LinkHandler& handler_;
  Session session_;
  boost::asio::ip::tcp::resolver resolver_;
  boost::asio::ip::tcp::socket socket_;
  // TLS: a context for the link's life, a stream over socket_ per connection. Shared, so
  // an operation still completing after a close keeps its stream alive.
  using TlsStream = boost::asio::ssl::stream<boost::asio::ip::tcp::socket&>;
  std::unique_ptr<boost::asio::ssl::context> tlsContext_;
  std::shared_ptr<TlsStream> tls_;
  std::array<boost::asio::steady_timer, kTimerCount> timers_;
  std::deque<std::string> writes_;
  std::string writeBatch_;  // what the writer is sending now; reused to avoid allocations
  bool writing_ = false;
  // Bumped on every close, so completions of an old connection are recognised and ignored.
  std::uint64_t generation_ = 0;
  std::array<char, 16 * 1024> readBuffer_{};
};

}  // namespace mfigw::smpp
