#include "gateway/admin_client.hpp"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

namespace mfigw::gateway {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using namespace std::chrono_literals;

TEST(ParseHostPort, AcceptsHostPortForms) {
  auto hp = parseHostPort("127.0.0.1:8470");
  ASSERT_TRUE(hp);
  EXPECT_EQ(hp->host, "127.0.0.1");
  EXPECT_EQ(hp->port, 8470);
  hp = parseHostPort("[::1]:0");
  ASSERT_TRUE(hp);
  EXPECT_EQ(hp->host, "::1");
  EXPECT_EQ(hp->port, 0);
  hp = parseHostPort("localhost:65535");
  ASSERT_TRUE(hp);
  EXPECT_EQ(hp->port, 65535);
}

TEST(ParseHostPort, RejectsMalformed) {
  for (const std::string_view bad : {"", "8470", "host", "host:", ":8470", "host:65536", "host:84x",
                                     "host:-1", "::1:8470", "[::1]", "[::1]8470"}) {
    EXPECT_FALSE(parseHostPort(bad)) << bad;
  }
}

TEST(FormatHostPort, BracketsIpv6) {
  EXPECT_EQ(formatHostPort("127.0.0.1", 8470), "127.0.0.1:8470");
  EXPECT_EQ(formatHostPort("::1", 8470), "[::1]:8470");
}

TEST(AdminClient, ConnectionRefusedIsOneClearLine) {
  // A port that was free a moment ago: bind to 0, note the port, close.
  asio::io_context ioc;
  tcp::acceptor probe(ioc, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  const auto port = probe.local_endpoint().port();
  probe.close();
  AdminClient client("127.0.0.1", port, Secret("t"));
  try {
    (void)client.get("/healthz");
    ADD_FAILURE() << "connected to a closed port";
  } catch (const AdminClientError& e) {
    EXPECT_EQ(std::string(e.what()),
              "cannot connect to 127.0.0.1:" + std::to_string(port) + ": Connection refused");
  }
}

TEST(AdminClient, SilentServerTimesOut) {
  // The kernel completes the handshake from the backlog; nobody ever answers.
  asio::io_context ioc;
  tcp::acceptor silent(ioc, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  AdminClient client("127.0.0.1", silent.local_endpoint().port(), Secret("t"), 200ms);
  try {
    (void)client.get("/healthz");
    ADD_FAILURE() << "got an answer from a silent server";
  } catch (const AdminClientError& e) {
    EXPECT_NE(std::string(e.what()).find("timed out"), std::string::npos) << e.what();
    EXPECT_EQ(std::string(e.what()).find("Bearer"), std::string::npos);
  }
}

TEST(AdminClient, RejectsBadTargets) {
  AdminClient client("127.0.0.1", 1, Secret{});
  EXPECT_THROW((void)client.get("healthz"), AdminClientError);
  EXPECT_THROW((void)client.get("/a b"), AdminClientError);
  EXPECT_THROW((void)client.get("/a\r\nX: y"), AdminClientError);
}

}  // namespace
}  // namespace mfigw::gateway
