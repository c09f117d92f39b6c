#include "smpp/esme_link.hpp"

#include <random>
#include <stdexcept>

#include <openssl/ssl.h>

#include <boost/asio/buffer.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

namespace mfigw::smpp {

namespace asio = boost::asio;
using boost::system::error_code;

namespace {

template <class... Fs>
struct Overloaded : Fs... {
  using Fs::operator()...;
};
template <class... Fs>
Overloaded(Fs...) -> Overloaded<Fs...>;

Session::TimePoint now() {
  return Session::Clock::now();
}

// A thread-local engine seeded once: jitter only has to spread reconnects of many boxes.
double uniformRandom() {
  thread_local std::minstd_rand engine{std::random_device{}()};
  return std::uniform_real_distribution<double>(0.0, 1.0)(engine);
}

// The TLS context of a link: loaded once, so a bad file fails at start-up, not at 3 a.m.
std::unique_ptr<asio::ssl::context> makeTlsContext(const LinkTls& tls) {
  auto ctx = std::make_unique<asio::ssl::context>(asio::ssl::context::tls_client);
  ctx->set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                   asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 |
                   asio::ssl::context::no_tlsv1_1);
  error_code ec;
  const auto fail = [&](const std::string& what, const std::string& file) {
    throw std::runtime_error("smpp tls: cannot load " + what + " '" + file + "': " + ec.message());
  };
  if (tls.caFile.empty()) {
    ctx->set_default_verify_paths(ec);
    if (ec) fail("the system CA store", "");
  } else {
    ctx->load_verify_file(tls.caFile, ec);
    if (ec) fail("CA file", tls.caFile);
  }
  if (!tls.certFile.empty()) {
    ctx->use_certificate_chain_file(tls.certFile, ec);
    if (ec) fail("client certificate", tls.certFile);
    ctx->use_private_key_file(tls.keyFile.empty() ? tls.certFile : tls.keyFile,
                              asio::ssl::context::pem, ec);
    if (ec) fail("client key", tls.keyFile);  // the message names the file, never its content
  }
  ctx->set_verify_mode(tls.verifyPeer ? asio::ssl::verify_peer : asio::ssl::verify_none);
  return ctx;
}

bool isIpAddress(const std::string& host) {
  error_code ec;
  asio::ip::make_address(host, ec);
  return !ec;
}

}  // namespace

std::shared_ptr<EsmeLink> EsmeLink::create(asio::io_context& io, LinkEndpoint endpoint,
                                           SessionOptions options, LinkHandler& handler) {
  return std::make_shared<EsmeLink>(PrivateTag{}, io, std::move(endpoint), std::move(options),
                                    handler);
}

EsmeLink::EsmeLink(PrivateTag, asio::io_context& io, LinkEndpoint endpoint, SessionOptions options,
                   LinkHandler& handler)
    : io_(io),
      endpoint_(std::move(endpoint)),
      handler_(handler),
      session_(std::move(options), uniformRandom),
      resolver_(io),
      socket_(io),
      timers_{asio::steady_timer(io), asio::steady_timer(io), asio::steady_timer(io),
              asio::steady_timer(io), asio::steady_timer(io), asio::steady_timer(io)} {
  if (endpoint_.tls.enabled) tlsContext_ = makeTlsContext(endpoint_.tls);
}

EsmeLink::~EsmeLink() = default;

void EsmeLink::start() {
  execute(session_.start(now()));
}

void EsmeLink::submit(OutgoingMessage message) {
  execute(session_.submit(std::move(message), now()));
}

void EsmeLink::acknowledge(std::uint32_t sequenceNumber, CommandStatus status) {
  execute(session_.acknowledge(sequenceNumber, status, now()));
}

void EsmeLink::stop() {
  execute(session_.stop(now()));
}

void EsmeLink::execute(Actions actions) {
  // Handler calls may re-enter (a handler that submits from onRequeue): `actions` is ours,
  // so nothing here is invalidated by that.
  for (Action& next : actions) {
    std::visit(
        Overloaded{
            [this](action::Write& w) {
              writes_.push_back(std::move(w.bytes));
              if (!writing_) {
                writing_ = true;
                flushWrites(generation_);
              }
            },
            [this](action::ArmTimer& t) { arm(t.id, t.at); },
            [this](action::CancelTimer& t) { timers_.at(static_cast<std::size_t>(t.id)).cancel(); },
            [this](action::Connect&) { connect(); },
            [this](action::Close&) { closeSocket(); },
            [this](action::Deliver& d) { handler_.onDeliver(std::move(d.pdu)); },
            [this](action::SubmitAcked& a) { handler_.onSubmitAcked(a.localId, a.smscMessageId); },
            [this](action::SubmitFailed& f) {
              handler_.onSubmitFailed(f.localId, f.status, f.permanent);
            },
            [this](action::Requeue& r) { handler_.onRequeue(std::move(r.messages)); },
            [this](action::StateChanged& s) { handler_.onStateChanged(s.from, s.to); },
            [this](action::BindRejected& b) { handler_.onBindRejected(b.status, b.credentials); },
            [this](action::Event& e) { handler_.onEvent(e.kind, e.text); },
        },
        next);
  }
}

void EsmeLink::connect() {
  const std::uint64_t generation = generation_;
  asio::co_spawn(
      io_,
      [self = shared_from_this(), generation]() -> asio::awaitable<void> {
        error_code ec;
        // Named, not a temporary in the co_await: g++ 12 may destroy such temporaries twice.
        const std::string service = std::to_string(self->endpoint_.port);
        auto results = co_await self->resolver_.async_resolve(
            self->endpoint_.host, service, asio::redirect_error(asio::use_awaitable, ec));
        if (generation != self->generation_) co_return;  // closed meanwhile (bind timeout)
        if (!ec) {
          co_await asio::async_connect(self->socket_, results,
                                       asio::redirect_error(asio::use_awaitable, ec));
          if (generation != self->generation_) co_return;
        }
        if (ec) {
          self->handler_.onEvent(EventKind::ConnectFailed,
                                 self->endpoint_.host + ":" + std::to_string(self->endpoint_.port) +
                                     ": " + ec.message());
          self->lost(generation);
          co_return;
        }
        // Small PDUs, latency matters more than packet count.
        self->socket_.set_option(asio::ip::tcp::no_delay(true), ec);
        if (self->tlsContext_ && !co_await self->handshake(generation)) co_return;
        self->execute(self->session_.onConnected(now()));
        self->readLoop(generation);
      },
      asio::detached);
}

asio::awaitable<bool> EsmeLink::handshake(std::uint64_t generation) {
  const LinkTls& tls = endpoint_.tls;
  const std::string& name = tls.serverName.empty() ? endpoint_.host : tls.serverName;
  const auto stream = tls_ = std::make_shared<TlsStream>(socket_, *tlsContext_);
  // SNI carries names only; an IP address is checked against the certificate's IP SANs.
  if (!isIpAddress(name)) {
    // SSL_set_tlsext_host_name() is a macro with a C cast; this is what it expands to.
    SSL_ctrl(stream->native_handle(), SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name,
             const_cast<char*>(name.c_str()));
  }
  if (tls.verifyPeer) stream->set_verify_callback(asio::ssl::host_name_verification(name));
  error_code ec;
  co_await stream->async_handshake(asio::ssl::stream_base::client,
                                   asio::redirect_error(asio::use_awaitable, ec));
  if (generation != generation_) co_return false;
  if (ec) {
    std::string why = ec.message();
    const long verify = SSL_get_verify_result(stream->native_handle());
    if (verify != X509_V_OK) why += std::string(" (") + X509_verify_cert_error_string(verify) + ")";
    handler_.onEvent(EventKind::TlsFailed, name + ": " + why);
    lost(generation);
    co_return false;
  }
  co_return true;
}

void EsmeLink::readLoop(std::uint64_t generation) {
  asio::co_spawn(
      io_,
      [self = shared_from_this(), generation]() -> asio::awaitable<void> {
        error_code ec;
        const std::shared_ptr<TlsStream> tls = self->tls_;  // this connection's, if any
        for (;;) {
          const auto buffer = asio::buffer(self->readBuffer_);
          auto token = asio::redirect_error(asio::use_awaitable, ec);
          const std::size_t n = tls ? co_await tls->async_read_some(buffer, token)
                                    : co_await self->socket_.async_read_some(buffer, token);
          if (generation != self->generation_) co_return;
          if (ec) {
            self->lost(generation);
            co_return;
          }
          self->execute(
              self->session_.onBytes(std::string_view(self->readBuffer_.data(), n), now()));
          if (generation != self->generation_) co_return;  // the bytes made the Session close
        }
      },
      asio::detached);
}

void EsmeLink::flushWrites(std::uint64_t generation) {
  asio::co_spawn(
      io_,
      [self = shared_from_this(), generation]() -> asio::awaitable<void> {
        error_code ec;
        const std::shared_ptr<TlsStream> tls = self->tls_;  // this connection's, if any
        while (!self->writes_.empty() && generation == self->generation_) {
          // Everything queued goes out in one write: under load that is one syscall for a
          // window's worth of PDUs instead of one per PDU.
          std::string& batch = self->writeBatch_;
          batch.clear();
          for (const std::string& pdu : self->writes_)
            batch += pdu;
          self->writes_.clear();
          auto token = asio::redirect_error(asio::use_awaitable, ec);
          if (tls) {
            co_await asio::async_write(*tls, asio::buffer(batch), token);
          } else {
            co_await asio::async_write(self->socket_, asio::buffer(batch), token);
          }
          if (generation != self->generation_) co_return;
          if (ec) {
            self->writing_ = false;
            self->lost(generation);
            co_return;
          }
        }
        if (generation == self->generation_) self->writing_ = false;
      },
      asio::detached);
}

void EsmeLink::arm(TimerId id, Session::TimePoint at) {
  asio::steady_timer& timer = timers_.at(static_cast<std::size_t>(id));
  timer.expires_at(at);  // cancels an earlier wait on this timer: ArmTimer replaces it
  timer.async_wait([self = shared_from_this(), id](const error_code& ec) {
    if (ec) return;
    self->execute(self->session_.onTimer(id, now()));
  });
}

void EsmeLink::closeSocket() {
  ++generation_;
  // What the Session wrote just before closing (unbind_resp, generic_nack) is worth a
  // best-effort, non-blocking attempt; the link is going away either way.
  // (Plain TCP only: a TLS record cut short by a non-blocking write is worse than none.)
  if (socket_.is_open() && !writes_.empty() && !tls_) {
    error_code ec;
    socket_.non_blocking(true, ec);
    for (const std::string& bytes : writes_) {
      if (ec) break;
      asio::write(socket_, asio::buffer(bytes), ec);
    }
  }
  writes_.clear();
  writing_ = false;
  error_code ignored;
  resolver_.cancel();
  socket_.shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
  socket_.close(ignored);
  tls_.reset();  // a new connection needs a new TLS session; pending operations hold theirs
}

void EsmeLink::lost(std::uint64_t generation) {
  if (generation != generation_) return;
  closeSocket();
  execute(session_.onDisconnected(now()));
}

}  // namespace mfigw::smpp
