// EsmeLink over TLS against the simulator speaking TLS on 127.0.0.1: a verified bind carries
// traffic; a certificate from the wrong CA or for the wrong name never binds and says why.
// The certificates in data/ are self-signed test fixtures (100 years, CN smsc.test,
// SANs DNS:smsc.test and IP:127.0.0.1; other.crt is an unrelated one).
#include <gtest/gtest.h>
#include <boost/asio/io_context.hpp>

#include <functional>
#include <stdexcept>

#include "smpp/esme_link.hpp"
#include "smpp/sim/sim_server.hpp"

namespace mfigw::smpp {
namespace {

using namespace std::chrono_literals;

const std::string kData = MFIGW_SOURCE_DIR "/tests/smpp_sim/data/";

class TlsHandler final : public LinkHandler {
 public:
  std::size_t acked = 0;
  std::size_t binds = 0;
  std::vector<std::pair<EventKind, std::string>> events;

  void onDeliver(std::variant<DeliverSm, DataSm>) override {}
  void onSubmitAcked(std::uint64_t, const std::string&) override { ++acked; }
  void onSubmitFailed(std::uint64_t, CommandStatus, bool) override {}
  void onRequeue(std::vector<OutgoingMessage>) override {}
  void onStateChanged(SessionState, SessionState to) override {
    if (to == SessionState::Bound) ++binds;
  }
  void onBindRejected(CommandStatus, bool) override {}
  void onEvent(EventKind kind, const std::string& text) override {
    events.emplace_back(kind, text);
  }

  bool saw(EventKind kind, const std::string& part) const {
    for (const auto& [k, text] : events)
      if (k == kind && text.find(part) != std::string::npos) return true;
    return false;
  }
};

struct TlsHarness {
  sim::SimServer sim;
  boost::asio::io_context io;
  TlsHandler handler;
  std::shared_ptr<EsmeLink> link;

  TlsHarness()
      : sim(accounts(), "127.0.0.1", 0, sim::SimTls{kData + "smsc.crt", kData + "smsc.key"}) {
    sim.start();
  }
  ~TlsHarness() {
    if (link) {
      link->stop();
      runUntil([&] { return link->state() == SessionState::Idle; }, 5s);
    }
    sim.stop();
  }

  static sim::SimulatorOptions accounts() {
    sim::SimulatorOptions options;
    options.accounts.push_back({"mfi", "secret"});
    return options;
  }

  void open(LinkTls tls) {
    SessionOptions session;
    session.systemId = "mfi";
    session.password = "secret";
    session.tps = 100000;
    session.reconnectMin = 50ms;
    session.reconnectMax = 200ms;
    session.bindTimeout = 2s;
    link = EsmeLink::create(io, {"127.0.0.1", sim.port(), std::move(tls)}, session, handler);
    link->start();
  }

  bool runUntil(const std::function<bool()>& done, std::chrono::milliseconds limit) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (!done() && std::chrono::steady_clock::now() < deadline) {
      io.run_for(20ms);
      io.restart();
    }
    return done();
  }
};

SubmitSm message(std::uint64_t i) {
  SubmitSm pdu;
  pdu.source = {5, 0, "MFI"};
  pdu.destination = {1, 1, "254712" + std::to_string(300000 + i)};
  pdu.shortMessage = "over tls " + std::to_string(i);
  return pdu;
}

LinkTls verified(const std::string& ca, const std::string& serverName = "") {
  LinkTls tls;
  tls.enabled = true;
  tls.caFile = kData + ca;
  tls.serverName = serverName;
  return tls;
}

TEST(EsmeTls, VerifiedLinkBindsAndCarriesSubmits) {
  TlsHarness h;
  h.open(verified("smsc.crt"));  // checked against the certificate's IP SAN 127.0.0.1
  for (std::uint64_t i = 1; i <= 200; ++i)
    h.link->submit({i, message(i)});
  ASSERT_TRUE(h.runUntil([&] { return h.handler.acked == 200; }, 30s)) << h.handler.acked;
  EXPECT_EQ(h.handler.binds, 1u);
  EXPECT_EQ(h.sim.counters().submits, 200u);
}

TEST(EsmeTls, ServerNameIsVerifiedInsteadOfTheAddress) {
  TlsHarness h;
  h.open(verified("smsc.crt", "smsc.test"));
  ASSERT_TRUE(h.runUntil([&] { return h.handler.binds == 1; }, 10s));
}

TEST(EsmeTls, CertificateFromAnotherAuthorityNeverBinds) {
  TlsHarness h;
  h.open(verified("other.crt"));
  ASSERT_TRUE(h.runUntil([&] { return h.handler.events.size() >= 2; }, 10s));
  EXPECT_TRUE(h.handler.saw(EventKind::TlsFailed, "certificate")) << h.handler.events[0].second;
  EXPECT_EQ(h.handler.binds, 0u);
  EXPECT_EQ(h.sim.counters().binds, 0u);  // the simulator never saw a PDU
}

TEST(EsmeTls, CertificateForAnotherNameNeverBinds) {
  TlsHarness h;
  h.open(verified("smsc.crt", "smsc.example.org"));
  ASSERT_TRUE(h.runUntil([&] { return !h.handler.events.empty(); }, 10s));
  EXPECT_TRUE(h.handler.saw(EventKind::TlsFailed, "smsc.example.org"));
  EXPECT_EQ(h.handler.binds, 0u);
}

TEST(EsmeTls, VerificationOffAcceptsAnyCertificate) {
  TlsHarness h;
  LinkTls tls = verified("other.crt");
  tls.verifyPeer = false;
  h.open(tls);
  ASSERT_TRUE(h.runUntil([&] { return h.handler.binds == 1; }, 10s));
}

TEST(EsmeTls, PlainTcpToATlsPortNeverBinds) {
  TlsHarness h;
  h.open(LinkTls{});
  // The bind_transceiver bytes are not a TLS ClientHello: the server drops the connection.
  EXPECT_FALSE(h.runUntil([&] { return h.handler.binds > 0; }, 1500ms));
  EXPECT_EQ(h.sim.counters().binds, 0u);
}

TEST(EsmeTls, MissingCaFileFailsAtCreationNamingTheFile) {
  boost::asio::io_context io;
  TlsHandler handler;
  LinkTls tls = verified("no-such-ca.pem");
  try {
    EsmeLink::create(io, {"127.0.0.1", 2775, tls}, SessionOptions{}, handler);
    FAIL() << "created a link with a missing CA file";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("no-such-ca.pem"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace mfigw::smpp
