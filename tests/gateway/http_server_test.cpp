#include "gateway/http_server.hpp"

#include <gtest/gtest.h>

#include <array>
#include <chrono>
#include <future>
#include <sstream>
#include <thread>

#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/write.hpp>
#include <nlohmann/json.hpp>

#include "gateway/admin_client.hpp"
#include "gateway/admin_routes.hpp"
#include "gateway/metrics.hpp"
#include "tests/gateway/metrics_parser_test.hpp"

namespace mfigw::gateway {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using namespace std::chrono_literals;

constexpr std::string_view kToken = "tok-9f8e7d6c5b4a39281706";
// Every wait in these tests is bounded by this, far above what any step needs.
constexpr auto kBound = 10s;

// A raw client connection for the cases AdminClient cannot express (half requests,
// keep-alive, idle sockets). Every read runs on a private io_context with a bound.
class RawConnection {
 public:
  explicit RawConnection(std::uint16_t port) : socket_(ioc_) {
    socket_.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
  }
  void send(std::string_view bytes) { asio::write(socket_, asio::buffer(bytes)); }

  // Reads until the peer closes (or the bound passes). Returns what arrived and whether
  // the connection ended with EOF.
  std::pair<std::string, bool> readToEof() {
    std::string data;
    boost::system::error_code ec;
    bool done = false;
    asio::async_read(socket_, asio::dynamic_buffer(data),
                     [&](boost::system::error_code e, std::size_t) {
                       ec = e;
                       done = true;
                     });
    ioc_.restart();
    ioc_.run_for(kBound);
    return {data, done && ec == asio::error::eof};
  }

  // Reads one response whose body length is given by Content-Length.
  std::string readResponse() {
    boost::system::error_code ec;
    bool done = false;
    asio::async_read_until(socket_, asio::dynamic_buffer(pending_), "\r\n\r\n",
                           [&](boost::system::error_code e, std::size_t) {
                             ec = e;
                             done = true;
                           });
    ioc_.restart();
    ioc_.run_for(kBound);
    if (!done || ec) {
      return {};
    }
    const auto headEnd = pending_.find("\r\n\r\n") + 4;
    const auto cl = pending_.find("Content-Length: ");
    const std::size_t length = cl < headEnd ? std::stoul(pending_.substr(cl + 16)) : 0;
    if (pending_.size() < headEnd + length) {
      done = false;
      asio::async_read(socket_, asio::dynamic_buffer(pending_),
                       asio::transfer_exactly(headEnd + length - pending_.size()),
                       [&](boost::system::error_code e, std::size_t) {
                         ec = e;
                         done = true;
                       });
      ioc_.restart();
      ioc_.run_for(kBound);
      if (!done || ec) {
        return {};
      }
    }
    std::string response = pending_.substr(0, headEnd + length);
    pending_.erase(0, headEnd + length);
    return response;
  }

 private:
  asio::io_context ioc_;
  tcp::socket socket_;
  std::string pending_;
};

class HttpServerTest : public ::testing::Test {
 protected:
  HttpServerTest() {
    context_.readyFn = [] { return true; };
    context_.statusFn = [] {
      AdminStatus s;
      s.version = "0.1.0";
      s.ready = true;
      s.links = {{"mno-a", true, "bound"}};
      return s;
    };
    context_.metricsFn = [this] { return metrics_.renderPrometheus(); };
    logger_->set_level(spdlog::level::debug);
    routes_.add(
        HttpMethod::Post, "/echo",
        [](const AdminRequest& request, AdminContext&) {
          return AdminResponse::text(200, request.body);
        },
        Auth::None);
    routes_.add(
        HttpMethod::Get, "/boom",
        [](const AdminRequest&, AdminContext&) -> AdminResponse {
          throw std::runtime_error("handler exploded");
        },
        Auth::None);
  }

  ~HttpServerTest() override {
    stopServer();
    // Secrets never reach a log line, not even at debug level.
    EXPECT_EQ(logText_.str().find(kToken), std::string::npos);
    EXPECT_EQ(logText_.str().find("Bearer"), std::string::npos);
  }

  void startServer(HttpServerOptions options = {}) {
    options.listen = "127.0.0.1:0";
    if (options.readTimeout == HttpServerOptions{}.readTimeout) {
      options.readTimeout = 200ms;
    }
    server_ = std::make_unique<HttpServer>(ioc_, options, routes_, *logger_, &metrics_);
    server_->bind();
    ASSERT_NE(server_->port(), 0);
    server_->start();
    runner_ = std::async(std::launch::async, [this] { ioc_.run(); });
  }

  // Graceful stop: after stop() the io_context must run dry by itself (no ioc.stop()).
  void stopServer() {
    if (!runner_.valid()) {
      return;
    }
    asio::post(ioc_, [this] { server_->stop(); });
    const bool drained = runner_.wait_for(kBound) == std::future_status::ready;
    EXPECT_TRUE(drained) << "server did not wind down after stop()";
    if (!drained) {
      ioc_.stop();
    }
    runner_.get();
    server_.reset();
  }

  AdminClient client(std::string_view token = kToken) {
    return AdminClient("127.0.0.1", server_->port(), Secret(std::string(token)),
                       std::chrono::duration_cast<std::chrono::milliseconds>(kBound));
  }

  std::size_t connectionCountOnLoop() {
    std::promise<std::size_t> count;
    asio::post(ioc_, [&] { count.set_value(server_->connectionCount()); });
    auto f = count.get_future();
    EXPECT_EQ(f.wait_for(kBound), std::future_status::ready);
    return f.get();
  }

  std::ostringstream logText_;
  std::shared_ptr<spdlog::logger> logger_ = std::make_shared<spdlog::logger>(
      "http", std::make_shared<spdlog::sinks::ostream_sink_st>(logText_));
  Metrics metrics_;
  CallbackAdminContext context_;
  AdminRoutes routes_{context_, Secret(std::string(kToken))};
  asio::io_context ioc_;
  std::unique_ptr<HttpServer> server_;
  std::future<void> runner_;
};

TEST_F(HttpServerTest, ServesHealthzAndLogsAccessWithoutHeaders) {
  startServer();
  const auto reply = client().get("/healthz");
  EXPECT_EQ(reply.status, 200);
  EXPECT_EQ(reply.body, "ok\n");
  EXPECT_EQ(reply.header("Cache-Control"), "no-store");
  stopServer();
  EXPECT_NE(logText_.str().find("request method=GET path=/healthz status=200 bytes="),
            std::string::npos)
      << logText_.str();
}

TEST_F(HttpServerTest, RefusesMissingOrWrongToken) {
  startServer();
  for (const std::string_view token : {std::string_view{}, std::string_view{"nope"}}) {
    const auto reply = client(token).get("/api/v1/status");
    EXPECT_EQ(reply.status, 401) << token;
    EXPECT_TRUE(reply.header("WWW-Authenticate").starts_with("Bearer"));
  }
  const auto reply = client().get("/api/v1/status");
  ASSERT_EQ(reply.status, 200);
  EXPECT_EQ(reply.contentType, "application/json");
  const auto json = nlohmann::json::parse(reply.body);
  EXPECT_EQ(json.at("ready"), true);
  EXPECT_EQ(json.at("links")[0].at("name"), "mno-a");
}

TEST_F(HttpServerTest, MetricsParseAndCountRequests) {
  startServer();
  ASSERT_EQ(client().get("/healthz").status, 200);
  ASSERT_EQ(client().get("/nowhere").status, 404);
  ASSERT_EQ(client("bad").get("/metrics").status, 401);
  const auto reply = client().get("/metrics");
  ASSERT_EQ(reply.status, 200);
  EXPECT_TRUE(reply.contentType.starts_with("text/plain; version=0.0.4")) << reply.contentType;
  const auto parsed = testing::ExpositionParser::parse(reply.body);
  EXPECT_EQ(parsed.value("mfigw_http_requests_total", {{"route", "/healthz"}, {"code", "200"}}),
            "1");
  EXPECT_EQ(parsed.value("mfigw_http_requests_total", {{"route", "none"}, {"code", "404"}}), "1");
  EXPECT_EQ(parsed.value("mfigw_http_requests_total", {{"route", "/metrics"}, {"code", "401"}}),
            "1");
}

TEST_F(HttpServerTest, BodyWithinLimitPassesBodyOverLimitIs413) {
  HttpServerOptions options;
  options.bodyLimit = 1024;
  startServer(options);
  const std::string small(1024, 'a');
  auto reply = client().post("/echo", small, "text/plain");
  EXPECT_EQ(reply.status, 200);
  EXPECT_EQ(reply.body, small);
  reply = client().post("/echo", std::string(1025, 'b'), "text/plain");
  EXPECT_EQ(reply.status, 413);
  EXPECT_EQ(nlohmann::json::parse(reply.body).at("error").at("status"), 413);
  // A much larger body too: the server drains what it refused so the client sees the 413.
  reply = client().post("/echo", std::string(256 << 10, 'c'), "text/plain");
  EXPECT_EQ(reply.status, 413);
  // And the server keeps serving.
  EXPECT_EQ(client().get("/healthz").status, 200);
}

TEST_F(HttpServerTest, StalledHalfRequestIsClosedAfterReadTimeout) {
  HttpServerOptions options;
  options.readTimeout = 200ms;
  startServer(options);
  RawConnection raw(server_->port());
  raw.send("GET /healthz HTTP/1.1\r\nHost: x\r\n");  // no blank line: the head never ends
  const auto [data, closed] = raw.readToEof();
  EXPECT_TRUE(closed) << "connection still open after the read timeout";
  EXPECT_EQ(data, "");
  EXPECT_EQ(connectionCountOnLoop(), 0u);
}

TEST_F(HttpServerTest, KeepAliveServesSeveralRequestsOnOneConnection) {
  startServer();
  RawConnection raw(server_->port());
  raw.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
  const std::string first = raw.readResponse();
  EXPECT_TRUE(first.starts_with("HTTP/1.1 200")) << first;
  EXPECT_TRUE(first.ends_with("ok\n"));
  // Two pipelined requests, the second one closing.
  raw.send(
      "GET /readyz HTTP/1.1\r\nHost: x\r\n\r\n"
      "GET /api/v1/status HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  EXPECT_TRUE(raw.readResponse().starts_with("HTTP/1.1 200"));
  const std::string third = raw.readResponse();
  EXPECT_TRUE(third.starts_with("HTTP/1.1 401")) << third;
  const auto [rest, closed] = raw.readToEof();
  EXPECT_TRUE(closed);
  EXPECT_EQ(rest, "");
}

TEST_F(HttpServerTest, MalformedRequestIs400) {
  startServer();
  RawConnection raw(server_->port());
  raw.send("GET /healthz HTTP/1.1\r\nBad Header Line\r\n\r\n");
  const auto [data, closed] = raw.readToEof();
  EXPECT_TRUE(data.starts_with("HTTP/1.1 400")) << data;
  EXPECT_TRUE(closed);
}

TEST_F(HttpServerTest, HandlerExceptionIs500AndServerCarriesOn) {
  startServer();
  const auto reply = client().get("/boom");
  EXPECT_EQ(reply.status, 500);
  EXPECT_EQ(reply.body.find("exploded"), std::string::npos);  // details stay in the log
  EXPECT_EQ(client().get("/healthz").status, 200);
  stopServer();
  EXPECT_NE(logText_.str().find("handler exploded"), std::string::npos);
}

TEST_F(HttpServerTest, DeferredRepliesFromAnotherThreadAreWaitedFor) {
  // Stands in for the store writer: completes on its own thread.
  std::vector<std::thread> writers;
  routes_.addAsync(
      HttpMethod::Post, "/api/v1/deferred",
      [&writers](const AdminRequest& request, AdminContext&, AdminRoutes::Reply reply) {
        writers.emplace_back([body = request.body, reply = std::move(reply)] {
          reply(AdminResponse::text(201, "stored " + body));
        });
      },
      Auth::None);
  routes_.addAsync(
      HttpMethod::Get, "/api/v1/never",
      [](const AdminRequest&, AdminContext&, AdminRoutes::Reply) {}, Auth::None);
  HttpServerOptions options;
  options.handlerTimeout = 200ms;
  startServer(options);
  const auto reply = client().post("/api/v1/deferred", "x1", "text/plain");
  EXPECT_EQ(reply.status, 201);
  EXPECT_EQ(reply.body, "stored x1");
  // A handler that never replies costs the client a 503, not a hung connection.
  EXPECT_EQ(client().get("/api/v1/never").status, 503);
  for (auto& t : writers) {
    t.join();
  }
}

TEST_F(HttpServerTest, NoContentAnswersCarryNoBody) {
  routes_.add(
      HttpMethod::Delete, "/api/v1/things/{id}",
      [](const AdminRequest&, AdminContext&) {
        return AdminResponse::text(204, "handlers may leave text here by mistake");
      },
      Auth::None);
  startServer();
  const auto reply = client().request("DELETE", "/api/v1/things/7", {}, {});
  EXPECT_EQ(reply.status, 204);
  EXPECT_EQ(reply.body, "");
  EXPECT_EQ(client().get("/healthz").status, 200);
}

TEST_F(HttpServerTest, ConnectionsOverTheLimitGet503) {
  HttpServerOptions options;
  options.maxConnections = 1;
  options.readTimeout = 30s;  // the idle connection must stay for the whole test
  startServer(options);
  {
    RawConnection idle(server_->port());
    const auto reply = client().get("/healthz");
    EXPECT_EQ(reply.status, 503);
    EXPECT_EQ(nlohmann::json::parse(reply.body).at("error").at("status"), 503);
    // The slot frees once the holder is done: finish it with a closing request.
    idle.send("GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    const auto [data, closed] = idle.readToEof();
    EXPECT_TRUE(data.starts_with("HTTP/1.1 200"));
    EXPECT_TRUE(closed);
  }
  EXPECT_EQ(client().get("/healthz").status, 200);
}

TEST_F(HttpServerTest, StopClosesIdleConnectionsAndTheListener) {
  HttpServerOptions options;
  options.readTimeout = 30s;  // so only stop() can end the idle connection
  startServer(options);
  const std::uint16_t port = server_->port();
  RawConnection idle(port);
  EXPECT_EQ(client().get("/healthz").status, 200);
  stopServer();  // bounded: fails if the idle connection kept the loop alive
  const auto [data, closed] = idle.readToEof();
  EXPECT_TRUE(closed);
  try {
    (void)AdminClient("127.0.0.1", port, Secret{}).get("/healthz");
    ADD_FAILURE() << "connected after stop()";
  } catch (const AdminClientError& e) {
    EXPECT_EQ(std::string(e.what()),
              "cannot connect to 127.0.0.1:" + std::to_string(port) + ": Connection refused");
  }
}

TEST_F(HttpServerTest, BindingAPortInUseThrowsOneLine) {
  startServer();
  const std::string listen = "127.0.0.1:" + std::to_string(server_->port());
  HttpServerOptions options;
  options.listen = listen;
  HttpServer second(ioc_, options, routes_, *logger_);
  try {
    second.bind();
    ADD_FAILURE() << "second bind succeeded";
  } catch (const std::runtime_error& e) {
    EXPECT_EQ(std::string(e.what()), "cannot listen on " + listen + ": Address already in use");
  }
}

TEST(HttpServerBind, RejectsMalformedListenAddress) {
  asio::io_context ioc;
  Metrics metrics;
  CallbackAdminContext context;
  AdminRoutes routes(context, Secret("t"));
  auto logger = std::make_shared<spdlog::logger>("http");
  for (const std::string_view listenView : {"nonsense", "127.0.0.1:99999", "127.0.0.1:", ":80"}) {
    const std::string listen(listenView);
    HttpServerOptions options;
    options.listen = listen;
    HttpServer server(ioc, options, routes, *logger, &metrics);
    try {
      server.bind();
      ADD_FAILURE() << listen;
    } catch (const std::runtime_error& e) {
      EXPECT_EQ(std::string(e.what()), "cannot listen on " + listen + ": expected HOST:PORT");
    }
    EXPECT_EQ(server.port(), 0);
  }
}

TEST(HttpServerOptionsFromConfig, CopiesTheAdminSection) {
  AdminConfig config;
  config.listen = "127.0.0.1:9999";
  config.bodyLimit = 100;
  config.readTimeout = Duration{1234};
  config.maxConnections = 3;
  const HttpServerOptions options = httpServerOptions(config);
  EXPECT_EQ(options.listen, "127.0.0.1:9999");
  EXPECT_EQ(options.bodyLimit, 100u);
  EXPECT_EQ(options.readTimeout, std::chrono::milliseconds(1234));
  EXPECT_EQ(options.maxConnections, 3u);
}

}  // namespace
}  // namespace mfigw::gateway
