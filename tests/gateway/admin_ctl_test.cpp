// mfi-gatewayctl against a real admin server in this process. The tool is a separate
// executable; when it has not been built (only gateway_test was asked for) these tests skip.
#include <gtest/gtest.h>

#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <future>

#include <spdlog/sinks/null_sink.h>
#include <spdlog/spdlog.h>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <nlohmann/json.hpp>

#include "gateway/admin_client.hpp"
#include "gateway/admin_routes.hpp"
#include "gateway/http_server.hpp"

namespace mfigw::gateway {
namespace {

namespace asio = boost::asio;
namespace fs = std::filesystem;
using namespace std::chrono_literals;

const fs::path kCtl = fs::path(MFIGW_BINARY_DIR) / "gateway" / "mfi-gatewayctl";
constexpr std::string_view kToken = "ctl-test-token-42";

struct RunResult {
  int exitCode = -1;
  std::string out;
};

RunResult run(const std::string& args) {
  // stdout and stderr together: the messages matter as much as the exit code.
  const std::string command = kCtl.string() + " " + args + " 2>&1";
  RunResult result;
  std::FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) {
    return result;
  }
  std::array<char, 512> buf{};
  std::size_t n = 0;
  while ((n = std::fread(buf.data(), 1, buf.size(), pipe)) > 0) {
    result.out.append(buf.data(), n);
  }
  const int status = ::pclose(pipe);
  result.exitCode = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

class AdminCtlTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!fs::exists(kCtl)) {
      GTEST_SKIP() << kCtl << " not built";
    }
    dir_ = fs::temp_directory_path() / ("mfigw-ctl-test-" + std::to_string(::getpid()));
    fs::create_directories(dir_);
    std::ofstream(dir_ / "token") << kToken << "\n";
    std::ofstream(dir_ / "wrong") << "nope\n";
    context_.readyFn = [this] { return ready_.load(); };
    context_.statusFn = [this] {
      AdminStatus s;
      s.version = "0.1.0";
      s.ready = ready_.load();
      s.uptimeSeconds = 3725;
      s.stores = {{"durable", 256u << 20, 3u << 20}};
      s.links = {{"mno-a", true, "bound"}};
      return s;
    };
    HttpServerOptions options;
    options.listen = "127.0.0.1:0";
    server_ = std::make_unique<HttpServer>(ioc_, options, routes_, *logger_);
    server_->bind();
    server_->start();
    runner_ = std::async(std::launch::async, [this] { ioc_.run(); });
  }

  void TearDown() override {
    stopServer();
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  void stopServer() {
    if (runner_.valid()) {
      asio::post(ioc_, [this] { server_->stop(); });
      if (runner_.wait_for(10s) != std::future_status::ready) {
        ADD_FAILURE() << "server did not stop";
        ioc_.stop();
      }
      runner_.get();
    }
  }

  std::string common(const char* tokenFile = "token") const {
    return "--admin 127.0.0.1:" + std::to_string(server_->port()) + " --token-file " +
           (dir_ / tokenFile).string();
  }

  std::atomic<bool> ready_{true};
  fs::path dir_;
  CallbackAdminContext context_;
  AdminRoutes routes_{context_, Secret(std::string(kToken))};
  std::shared_ptr<spdlog::logger> logger_ =
      std::make_shared<spdlog::logger>("http", std::make_shared<spdlog::sinks::null_sink_st>());
  asio::io_context ioc_;
  std::unique_ptr<HttpServer> server_;
  std::future<void> runner_;
};

TEST_F(AdminCtlTest, StatusReadyExitsZeroWithSummary) {
  const auto r = run(common() + " status");
  EXPECT_EQ(r.exitCode, 0) << r.out;
  EXPECT_NE(r.out.find("mfi-gatewayd 0.1.0 at 127.0.0.1:"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find(": ready"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("01:02:05"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("mno-a: up (bound)"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("3.0 MiB used of 256.0 MiB"), std::string::npos) << r.out;
}

TEST_F(AdminCtlTest, StatusNotReadyExitsOne) {
  ready_ = false;
  const auto r = run(common() + " status");
  EXPECT_EQ(r.exitCode, 1) << r.out;
  EXPECT_NE(r.out.find("NOT READY"), std::string::npos) << r.out;
}

TEST_F(AdminCtlTest, JsonPrintsTheRawAnswer) {
  const auto r = run("status --json " + common());  // options after the command work too
  ASSERT_EQ(r.exitCode, 0) << r.out;
  const auto json = nlohmann::json::parse(r.out);
  EXPECT_EQ(json.at("version"), "0.1.0");
}

TEST_F(AdminCtlTest, WrongTokenOrMissingFileOrNoDaemonExitsTwo) {
  auto r = run(common("wrong") + " status");
  EXPECT_EQ(r.exitCode, 2) << r.out;
  EXPECT_NE(r.out.find("401"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("nope"), std::string::npos) << r.out;  // the token is not echoed

  r = run(common("missing") + " status");
  EXPECT_EQ(r.exitCode, 2) << r.out;
  EXPECT_NE(r.out.find("cannot read token file"), std::string::npos) << r.out;

  // A port nobody listens on: our own, after the server is stopped.
  const std::string args = common() + " status";
  stopServer();
  r = run(args);
  EXPECT_EQ(r.exitCode, 2) << r.out;
  EXPECT_NE(r.out.find("cannot connect to 127.0.0.1:"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("Connection refused"), std::string::npos) << r.out;
}

TEST_F(AdminCtlTest, ReadyAndWait) {
  EXPECT_EQ(run(common() + " ready").exitCode, 0);
  EXPECT_EQ(run(common() + " --wait 5 status").exitCode, 0);
  ready_ = false;
  EXPECT_EQ(run(common() + " ready").exitCode, 1);
  const auto r = run(common() + " --wait 0.3 ready");
  EXPECT_EQ(r.exitCode, 1) << r.out;
  EXPECT_NE(r.out.find("not ready after"), std::string::npos) << r.out;
}

TEST_F(AdminCtlTest, UsageErrors) {
  EXPECT_EQ(run("--help").exitCode, 0);
  EXPECT_NE(run("--help").out.find("status"), std::string::npos);
  EXPECT_EQ(run("").exitCode, 2);
  EXPECT_EQ(run("frobnicate").exitCode, 2);
  EXPECT_EQ(run("--admin nonsense status").exitCode, 2);
  EXPECT_EQ(run("--bogus status").exitCode, 2);
  EXPECT_EQ(run(common() + " status extra").exitCode, 2);
}

}  // namespace
}  // namespace mfigw::gateway
