// Loopback tests of SimServer with a minimal blocking client (Asio socket + our Framer/codec).
#include "smpp/sim/sim_server.hpp"

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/time.h>

#include <boost/asio.hpp>
#include <chrono>
#include <deque>
#include <optional>
#include <set>
#include <string>
#include <thread>

#include "smpp/codec.hpp"
#include "smpp/framer.hpp"

namespace mfigw::smpp::sim {
namespace {

using namespace std::chrono_literals;
namespace asio = boost::asio;
using asio::ip::tcp;

// Every read is bounded (SO_RCVTIMEO): a silent server fails the test instead of hanging it.
class Client {
 public:
  explicit Client(std::uint16_t port) : socket_(io_) {
    socket_.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
    timeval tv{};
    tv.tv_sec = 5;
    ::setsockopt(socket_.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  }

  void send(const Pdu& pdu) { asio::write(socket_, asio::buffer(encode(pdu))); }

  // The next PDU, or nullopt on timeout / EOF.
  std::optional<Pdu> next() {
    while (pending_.empty()) {
      char buf[4096];
      const ssize_t n = ::recv(socket_.native_handle(), buf, sizeof buf, 0);
      if (n <= 0) return std::nullopt;
      for (auto& raw : framer_.feed(std::string_view(buf, static_cast<std::size_t>(n))).pdus) {
        DecodeResult r = decode(raw);
        EXPECT_TRUE(r.ok());
        if (r.ok()) pending_.push_back(r.pdu());
      }
    }
    Pdu p = std::move(pending_.front());
    pending_.pop_front();
    return p;
  }

  // True when the server closed the connection (EOF) within the read timeout.
  bool closedByPeer() {
    char buf[256];
    for (;;) {
      const ssize_t n = ::recv(socket_.native_handle(), buf, sizeof buf, 0);
      if (n == 0) return true;
      if (n < 0) return false;
    }
  }

  void bind() {
    BindTransceiver b;
    b.sequenceNumber = 1;
    b.systemId = "mfi";
    b.password = "secret";
    send(b);
    const auto resp = next();
    ASSERT_TRUE(resp);
    ASSERT_EQ(commandStatusOf(*resp), CommandStatus::Ok);
  }

 private:
  asio::io_context io_;
  tcp::socket socket_;
  Framer framer_;
  std::deque<Pdu> pending_;
};

SimulatorOptions options() {
  SimulatorOptions o;
  o.accounts = {{"mfi", "secret"}};
  o.receiptDelay = 5ms;
  return o;
}

// Polls the server's counters until pred holds or 5 s pass.
template <typename Pred>
bool eventually(SimServer& server, Pred pred) {
  const auto deadline = std::chrono::steady_clock::now() + 5s;
  while (std::chrono::steady_clock::now() < deadline) {
    if (pred(server.counters())) return true;
    std::this_thread::sleep_for(2ms);
  }
  return false;
}

TEST(SimServerTest, HundredSubmitsWindowTenHundredReceipts) {
  SimServer server(options());
  ASSERT_NE(server.port(), 0);
  server.start();
  Client client(server.port());
  client.bind();

  constexpr std::uint32_t kTotal = 100;
  constexpr std::uint32_t kWindow = 10;
  std::uint32_t sent = 0;
  std::uint32_t resps = 0;
  std::uint32_t receipts = 0;
  std::uint32_t inFlight = 0;
  std::set<std::string> ids;
  while (resps < kTotal || receipts < kTotal) {
    while (sent < kTotal && inFlight < kWindow) {
      SubmitSm s;
      s.sequenceNumber = 100 + sent;
      s.source.addr = "MFI";
      s.destination.addr = "2547000" + std::to_string(10000 + sent);
      s.registeredDelivery = 1;
      s.shortMessage = "reminder " + std::to_string(sent);
      client.send(s);
      ++sent;
      ++inFlight;
    }
    const auto pdu = client.next();
    ASSERT_TRUE(pdu) << "timed out after " << resps << " resps, " << receipts << " receipts";
    if (const auto* r = std::get_if<SubmitSmResp>(&*pdu)) {
      ASSERT_EQ(r->commandStatus, CommandStatus::Ok);
      ids.insert(r->messageId);
      ++resps;
      --inFlight;
    } else if (const auto* d = std::get_if<DeliverSm>(&*pdu)) {
      ASSERT_EQ(d->esmClass, 0x04);
      ASSERT_TRUE(d->tlvs.receiptedMessageId());
      EXPECT_EQ(ids.count(*d->tlvs.receiptedMessageId()), 1U);
      client.send(makeResponse(*d, CommandStatus::Ok));
      ++receipts;
    }
  }
  EXPECT_EQ(ids.size(), kTotal);
  EXPECT_TRUE(eventually(server, [](const Counters& c) { return c.receiptsAcked == kTotal; }));
  const Counters c = server.counters();
  EXPECT_EQ(c.binds, 1U);
  EXPECT_EQ(c.submits, kTotal);
  EXPECT_EQ(c.respsWithStatus(CommandStatus::Ok), kTotal);
  EXPECT_EQ(c.receiptsSent, kTotal);
  EXPECT_EQ(server.inspect([](const SmscSimulator& s) { return s.unacknowledgedDeliveries(); }),
            0U);
  server.stop();
}

TEST(SimServerTest, MoUssdCommandsAndDrop) {
  SimServer server(options());
  server.start();
  // Nobody bound yet.
  EXPECT_FALSE(server.injectMo({"254700000002", "22384", "BAL", 0, ""}));
  Client client(server.port());
  client.bind();

  const auto mo = server.injectMo({"254700000002", "22384", "BAL", 0, ""});
  ASSERT_TRUE(mo);
  auto pdu = client.next();
  ASSERT_TRUE(pdu);
  const auto& d = std::get<DeliverSm>(*pdu);
  EXPECT_EQ(d.shortMessage, "BAL");
  EXPECT_EQ(d.sequenceNumber, mo->second);
  client.send(makeResponse(d, CommandStatus::Ok));
  EXPECT_TRUE(eventually(server, [](const Counters& c) { return c.moAcked == 1; }));

  const std::string session("\x00\x07", 2);
  ASSERT_TRUE(server.startUssd("254700000003", "*384#", session));
  pdu = client.next();
  ASSERT_TRUE(pdu);
  EXPECT_EQ(std::get<DeliverSm>(*pdu).tlvs.ussdServiceOp(), 0x01);
  SubmitSm menu;
  menu.sequenceNumber = 50;
  menu.serviceType = "USSD";
  menu.destination.addr = "254700000003";
  menu.shortMessage = "1. Balance";
  menu.tlvs.setUssdServiceOp(0x02);
  menu.tlvs.setItsSessionInfo(session);
  client.send(menu);
  pdu = client.next();
  ASSERT_TRUE(pdu);
  EXPECT_EQ(commandStatusOf(*pdu), CommandStatus::Ok);
  const auto replies = server.inspect([](const SmscSimulator& s) { return s.ussdReplies(); });
  ASSERT_EQ(replies.size(), 1U);
  EXPECT_EQ(replies[0].text, "1. Balance");

  // A command from this (non-io) thread takes effect before the next PDU.
  server.failNext(1, CommandStatus::MsgQFul);
  menu.sequenceNumber = 51;
  client.send(menu);
  pdu = client.next();
  ASSERT_TRUE(pdu);
  EXPECT_EQ(commandStatusOf(*pdu), CommandStatus::MsgQFul);

  server.dropAll();
  EXPECT_TRUE(client.closedByPeer());
  EXPECT_TRUE(eventually(server, [](const Counters& c) { return c.connectionsClosed == 1; }));
  server.stop();
}

}  // namespace
}  // namespace mfigw::smpp::sim
