// smpp/sim/sim_server.cpp: Asio (C++20 coroutines, one io_context) around SmscSimulator.
#include "smpp/sim/sim_server.hpp"

#include <array>
#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <deque>
#include <set>
#include <stdexcept>

namespace mfigw::smpp::sim {

namespace asio = boost::asio;
using asio::ip::tcp;

struct SimServer::Impl {
  using TlsStream = asio::ssl::stream<tcp::socket&>;
  struct Conn {
    explicit Conn(tcp::socket s) : socket(std::move(s)) {}
    tcp::socket socket;
    std::unique_ptr<TlsStream> tls;  // set when the server speaks TLS
    std::deque<std::string> outbox;
    bool writing = false;
    bool closeAfterWrites = false;
  };

  Impl(SimulatorOptions options, const std::string& host, std::uint16_t port,
       const std::optional<SimTls>& tlsFiles)
      : acceptor(io, tcp::endpoint(asio::ip::make_address(host), port)),
        timer(io),
        sim(std::move(options)) {
    if (tlsFiles) {
      tls = std::make_unique<asio::ssl::context>(asio::ssl::context::tls_server);
      boost::system::error_code ec;
      tls->use_certificate_chain_file(tlsFiles->certFile, ec);
      if (ec) throw std::runtime_error("cannot load TLS certificate '" + tlsFiles->certFile + "'");
      tls->use_private_key_file(tlsFiles->keyFile, asio::ssl::context::pem, ec);
      if (ec) throw std::runtime_error("cannot load TLS key '" + tlsFiles->keyFile + "'");
    }
  }

  asio::io_context io;
  std::unique_ptr<asio::ssl::context> tls;
  tcp::acceptor acceptor;
  asio::steady_timer timer;
  std::optional<TimePoint> timerAt;
  SmscSimulator sim;
  std::map<ConnectionId, std::shared_ptr<Conn>> conns;
  std::set<std::shared_ptr<Conn>> handshaking;  // TLS not yet up: closed on shutdown too
  bool stopping = false;

  // After every simulator call: write, close, and follow its next deadline.
  void execute(Actions actions) {
    for (auto& a : actions) {
      if (auto* w = std::get_if<action::Write>(&a)) {
        const auto it = conns.find(w->connection);
        if (it == conns.end()) continue;
        it->second->outbox.push_back(std::move(w->bytes));
        if (!it->second->writing) {
          it->second->writing = true;
          asio::co_spawn(io, writer(w->connection, it->second), asio::detached);
        }
      } else if (auto* c = std::get_if<action::Close>(&a)) {
        const auto it = conns.find(c->connection);
        if (it == conns.end()) continue;
        if (it->second->writing) {
          // The unbind_resp (or the last response before a drop) goes out first.
          it->second->closeAfterWrites = true;
        } else {
          closeSocket(*it->second);
          conns.erase(it);
        }
      }
      // ArmTimer: followed through nextTimer() below, which is always right.
    }
    const auto next = sim.nextTimer();
    if (next != timerAt) {
      timerAt = next;
      timer.cancel();
    }
  }

  static void closeSocket(Conn& c) {
    boost::system::error_code ignored;
    c.socket.shutdown(tcp::socket::shutdown_both, ignored);
    c.socket.close(ignored);
  }

  asio::awaitable<void> writer(ConnectionId id, std::shared_ptr<Conn> c) {
    boost::system::error_code ec;
    while (!c->outbox.empty() && !ec) {
      auto token = asio::redirect_error(asio::use_awaitable, ec);
      if (c->tls) {
        co_await asio::async_write(*c->tls, asio::buffer(c->outbox.front()), token);
      } else {
        co_await asio::async_write(c->socket, asio::buffer(c->outbox.front()), token);
      }
      if (!ec) c->outbox.pop_front();
    }
    c->writing = false;
    if (ec) {
      // The reader sees the error too and tells the simulator.
      closeSocket(*c);
    } else if (c->closeAfterWrites) {
      closeSocket(*c);
      const auto it = conns.find(id);
      if (it != conns.end() && it->second == c) conns.erase(it);
    }
  }

  asio::awaitable<void> reader(ConnectionId id, std::shared_ptr<Conn> c) {
    std::array<char, 16 * 1024> buf{};
    for (;;) {
      boost::system::error_code ec;
      auto token = asio::redirect_error(asio::use_awaitable, ec);
      const std::size_t n = c->tls ? co_await c->tls->async_read_some(asio::buffer(buf), token)
                                   : co_await c->socket.async_read_some(asio::buffer(buf), token);
      if (ec) break;
      execute(sim.onBytes(id, std::string_view(buf.data(), n), Clock::now()));
      const auto it = conns.find(id);
      if (it == conns.end() || it->second != c) co_return;  // we closed it
    }
    const auto it = conns.find(id);
    if (it != conns.end() && it->second == c) {
      closeSocket(*c);
      conns.erase(it);
      sim.onClosed(id, Clock::now());
      execute({});
    }
  }

  asio::awaitable<void> acceptLoop() {
    while (!stopping) {
      boost::system::error_code ec;
      tcp::socket s = co_await acceptor.async_accept(asio::redirect_error(asio::use_awaitable, ec));
      if (ec) {
        if (stopping || ec == asio::error::operation_aborted) co_return;
        continue;  // e.g. too many open files: keep serving the others
      }
      s.set_option(tcp::no_delay(true), ec);
      auto c = std::make_shared<Conn>(std::move(s));
      asio::co_spawn(io, serve(c), asio::detached);
    }
  }

  // One connection: the TLS handshake if any, then the simulator sees it.
  asio::awaitable<void> serve(std::shared_ptr<Conn> c) {
    if (tls) {
      c->tls = std::make_unique<TlsStream>(c->socket, *tls);
      boost::system::error_code ec;
      handshaking.insert(c);
      co_await c->tls->async_handshake(asio::ssl::stream_base::server,
                                       asio::redirect_error(asio::use_awaitable, ec));
      handshaking.erase(c);
      if (ec || stopping) {
        closeSocket(*c);
        co_return;
      }
    }
    const ConnectionId id = sim.accept(Clock::now());
    conns.emplace(id, c);
    co_await reader(id, c);
  }

  asio::awaitable<void> timerLoop() {
    while (!stopping) {
      timer.expires_at(timerAt ? *timerAt : TimePoint::max());
      boost::system::error_code ec;
      co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
      if (stopping) co_return;
      const TimePoint now = Clock::now();
      if (timerAt && now >= *timerAt) execute(sim.onTimer(now));
    }
  }

  void spawn() {
    asio::co_spawn(io, acceptLoop(), asio::detached);
    asio::co_spawn(io, timerLoop(), asio::detached);
  }

  void shutdown() {
    stopping = true;
    boost::system::error_code ignored;
    acceptor.close(ignored);
    timer.cancel();
    for (auto& [id, c] : conns)
      closeSocket(*c);
    conns.clear();
    for (const auto& c : handshaking)
      closeSocket(*c);
  }
};

SimServer::SimServer(SimulatorOptions options, const std::string& host, std::uint16_t port,
                     std::optional<SimTls> tls)
    : impl_(std::make_unique<Impl>(std::move(options), host, port, tls)),
      sim_(&impl_->sim),
      port_(impl_->acceptor.local_endpoint().port()) {}

SimServer::~SimServer() {
  stop();
}

void SimServer::start() {
  impl_->spawn();
  running_ = true;
  thread_ = std::thread([this] { impl_->io.run(); });
}

void SimServer::run() {
  impl_->spawn();
  running_ = true;
  impl_->io.run();
  running_ = false;
}

void SimServer::stop() {
  if (stopped_.exchange(true)) return;
  if (running_) {
    asio::post(impl_->io, [this] { impl_->shutdown(); });
  } else {
    impl_->shutdown();
  }
  if (thread_.joinable()) thread_.join();
  running_ = false;
}

void SimServer::call(std::function<void()> fn) {
  if (!running_ || stopped_ || impl_->io.get_executor().running_in_this_thread()) {
    fn();
    impl_->execute({});
    return;
  }
  std::promise<void> done;
  auto fut = done.get_future();
  asio::post(impl_->io, [&] {
    fn();
    impl_->execute({});  // a command may have changed the next deadline
    done.set_value();
  });
  fut.get();
}

void SimServer::throttleNext(std::size_t count) {
  call([&] { impl_->sim.throttleNext(count); });
}
void SimServer::failNext(std::size_t count, CommandStatus status) {
  call([&] { impl_->sim.failNext(count, status); });
}
void SimServer::setThrottleTps(double tps) {
  call([&] { impl_->sim.setThrottleTps(tps, Clock::now()); });
}
void SimServer::setResponseDelay(std::chrono::milliseconds delay) {
  call([&] { impl_->sim.setResponseDelay(delay); });
}
void SimServer::setReceiptDelay(std::chrono::milliseconds delay) {
  call([&] { impl_->sim.setReceiptDelay(delay); });
}
void SimServer::setReceiptOutcome(MessageState outcome, std::optional<double> deliveredRatio) {
  call([&] { impl_->sim.setReceiptOutcome(outcome, deliveredRatio); });
}
void SimServer::setAnswering(bool answering) {
  call([&] { impl_->sim.setAnswering(answering); });
}
void SimServer::dropAll() {
  call([&] { impl_->execute(impl_->sim.dropAll(Clock::now())); });
}
void SimServer::dropAfter(std::size_t count) {
  call([&] { impl_->sim.dropAfter(count); });
}

namespace {
std::optional<std::pair<ConnectionId, std::uint32_t>> sentTo(const Injection& inj) {
  if (!inj.connection) return std::nullopt;
  return std::make_pair(*inj.connection, inj.sequenceNumber);
}
}  // namespace

std::optional<std::pair<ConnectionId, std::uint32_t>> SimServer::injectMo(MoMessage mo) {
  std::optional<std::pair<ConnectionId, std::uint32_t>> result;
  call([&] {
    Injection inj = impl_->sim.injectMo(mo, Clock::now());
    result = sentTo(inj);
    impl_->execute(std::move(inj.actions));
  });
  return result;
}

std::optional<std::pair<ConnectionId, std::uint32_t>> SimServer::startUssd(
    std::string msisdn, std::string serviceCode, std::string sessionInfo) {
  std::optional<std::pair<ConnectionId, std::uint32_t>> result;
  call([&] {
    Injection inj = impl_->sim.startUssd(msisdn, serviceCode, sessionInfo, Clock::now());
    result = sentTo(inj);
    impl_->execute(std::move(inj.actions));
  });
  return result;
}

std::optional<std::pair<ConnectionId, std::uint32_t>> SimServer::ussdInput(
    std::string msisdn, std::string serviceCode, std::string input, std::string sessionInfo) {
  std::optional<std::pair<ConnectionId, std::uint32_t>> result;
  call([&] {
    Injection inj = impl_->sim.ussdInput(msisdn, serviceCode, input, sessionInfo, Clock::now());
    result = sentTo(inj);
    impl_->execute(std::move(inj.actions));
  });
  return result;
}

std::optional<std::pair<ConnectionId, std::uint32_t>> SimServer::ussdOp(std::string msisdn,
                                                                        std::string serviceCode,
                                                                        std::string text,
                                                                        std::uint8_t op,
                                                                        std::string sessionInfo) {
  std::optional<std::pair<ConnectionId, std::uint32_t>> result;
  call([&] {
    Injection inj = impl_->sim.ussdOp(msisdn, serviceCode, text, op, sessionInfo, Clock::now());
    result = sentTo(inj);
    impl_->execute(std::move(inj.actions));
  });
  return result;
}

std::optional<std::pair<ConnectionId, std::uint32_t>> SimServer::redeliverUssd(std::size_t index) {
  std::optional<std::pair<ConnectionId, std::uint32_t>> result;
  call([&] {
    Injection inj = impl_->sim.redeliverUssd(index, Clock::now());
    result = sentTo(inj);
    impl_->execute(std::move(inj.actions));
  });
  return result;
}

void SimServer::setUssdDialect(UssdDialectOptions dialect) {
  call([&] { impl_->sim.setUssdDialect(dialect); });
}

Counters SimServer::counters() {
  return inspect([](const SmscSimulator& s) { return s.counters(); });
}

}  // namespace mfigw::smpp::sim
