// The daemon as systemd and an operator see it: readiness, watchdog, reload, stop, and
// clear refusals of bad input.
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fstream>
#include <regex>
#include <thread>

#include <gtest/gtest.h>

#include "daemon_process.hpp"

namespace mfigw::testing {
namespace {

using namespace std::chrono_literals;

TEST(DaemonLifecycle, NotifiesReadyThenFeedsTheWatchdog) {
  DaemonProcess d;
  d.writeConfig();
  d.enableNotifySocket(200ms);
  d.start();
  std::string all;
  bool ready = false;
  bool watchdogAfterReady = false;
  for (int i = 0; i < 200 && !watchdogAfterReady; ++i) {
    const auto msg = d.receiveNotify(5s);
    ASSERT_TRUE(msg) << "no notification; stderr:\n" << d.stderrText();
    all += *msg + "|";
    if (msg->find("READY=1") != std::string::npos) ready = true;
    if (ready && msg->find("WATCHDOG=1") != std::string::npos) watchdogAfterReady = true;
  }
  EXPECT_TRUE(ready) << all;
  EXPECT_TRUE(watchdogAfterReady) << all;
  // READY=1 comes only once the admin API answers.
  EXPECT_EQ(d.client().get("/readyz").status, 200);

  d.signal(SIGTERM);
  const auto exit = d.waitExit(20s);
  ASSERT_TRUE(exit);
  EXPECT_TRUE(exit->exited);
  EXPECT_EQ(exit->code, 0);
  bool stopping = false;
  while (const auto msg = d.receiveNotify(100ms)) {
    if (msg->find("STOPPING=1") != std::string::npos) stopping = true;
  }
  EXPECT_TRUE(stopping);
}

TEST(DaemonLifecycle, SigtermDrainsAndExitsCleanly) {
  DaemonProcess d;
  d.writeConfig();
  d.start();
  ASSERT_TRUE(d.waitReady()) << d.stderrText();
  d.signal(SIGTERM);
  const auto exit = d.waitExit(20s);
  ASSERT_TRUE(exit) << "daemon did not stop";
  EXPECT_TRUE(exit->exited);
  EXPECT_EQ(exit->code, 0);
  EXPECT_NE(d.stderrText().find("stopped"), std::string::npos);
}

TEST(DaemonLifecycle, SighupReloadsAndABrokenFileIsRefusedWithoutStopping) {
  DaemonProcess d;
  d.writeConfig();
  d.start();
  ASSERT_TRUE(d.waitReady()) << d.stderrText();
  auto client = d.client();

  d.writeConfig("phone:\n  default_region: SN\n");
  d.signal(SIGHUP);
  std::string metrics;
  for (int i = 0; i < 200; ++i) {
    metrics = client.get("/metrics").body;
    if (metrics.find("mfigw_config_reloads_total{result=\"ok\"} 1") != std::string::npos) break;
    std::this_thread::sleep_for(20ms);
  }
  EXPECT_NE(metrics.find("mfigw_config_reloads_total{result=\"ok\"} 1"), std::string::npos)
      << metrics;

  d.writeRawConfig("store: [this is: not valid\n");
  d.signal(SIGHUP);
  for (int i = 0; i < 200; ++i) {
    metrics = client.get("/metrics").body;
    if (metrics.find("mfigw_config_reloads_total{result=\"error\"} 1") != std::string::npos) break;
    std::this_thread::sleep_for(20ms);
  }
  EXPECT_NE(metrics.find("mfigw_config_reloads_total{result=\"error\"} 1"), std::string::npos);
  EXPECT_EQ(client.get("/readyz").status, 200);  // still serving on the old config
  EXPECT_NE(d.stderrText().find("reload refused"), std::string::npos);
}

TEST(DaemonLifecycle, AdminApiRefusesMissingOrWrongToken) {
  DaemonProcess d;
  d.writeConfig();
  d.start();
  ASSERT_TRUE(d.waitReady()) << d.stderrText();
  gateway::AdminClient anonymous("127.0.0.1", d.adminPort(), gateway::Secret(), 5s);
  EXPECT_EQ(anonymous.get("/api/v1/status").status, 401);
  EXPECT_EQ(anonymous.get("/metrics").status, 401);
  gateway::AdminClient wrong("127.0.0.1", d.adminPort(), gateway::Secret("not-the-token"), 5s);
  EXPECT_EQ(wrong.get("/api/v1/status").status, 401);
  const auto status = d.client().get("/api/v1/status");
  EXPECT_EQ(status.status, 200);
  EXPECT_NE(status.body.find("\"ready\":true"), std::string::npos) << status.body;
  // The token never reaches the log.
  EXPECT_EQ(d.stderrText().find(std::string(d.token().reveal())), std::string::npos);
}

// One line, non-zero exit: what systemd's journal shows the operator.
void expectOneLineRefusal(DaemonProcess& d, const std::string& needle) {
  d.start();
  const auto exit = d.waitExit(20s);
  ASSERT_TRUE(exit) << "daemon kept running";
  EXPECT_TRUE(exit->exited);
  EXPECT_NE(exit->code, 0);
  const std::string err = d.stderrText();
  EXPECT_NE(err.find(needle), std::string::npos) << err;
  EXPECT_NE(err.find("cannot start"), std::string::npos) << err;
}

TEST(DaemonLifecycle, MalformedConfigExitsNonZero) {
  DaemonProcess d;
  d.writeRawConfig("store:\n  map_size: lots\nadmin: {listen: 127.0.0.1:1\n");
  expectOneLineRefusal(d, "gateway.yaml:");
}

TEST(DaemonLifecycle, UnusableStoreDirectoryExitsNonZero) {
  DaemonProcess d;
  // A regular file where the store directory should be: unusable even for root.
  std::ofstream(d.statePath()) << "not a directory";
  d.writeConfig();
  expectOneLineRefusal(d, d.statePath().string());
}

TEST(DaemonLifecycle, PortInUseExitsNonZero) {
  DaemonProcess d;
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  const int one = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(d.adminPort());
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  ASSERT_EQ(::listen(fd, 1), 0);
  d.writeConfig();
  expectOneLineRefusal(d, "cannot listen on 127.0.0.1:" + std::to_string(d.adminPort()));
  ::close(fd);
}

TEST(DaemonLifecycle, CheckConfigPrintsEveryMistakeWithItsPosition) {
  DaemonProcess d;
  d.writeRawConfig(
      "log:\n"
      "  level: loud\n"  // 2:10 not a level
      "store:\n"
      "  map_size: 12 parsecs\n"  // 4:13 not a size
      "admin:\n"
      "  listen: 127.0.0.1:8470\n"
      "  colour: blue\n");  // 7:3 unknown key
  const auto result = runCommand({MFIGW_DAEMON_PATH, "--check-config", d.configPath().string()});
  EXPECT_TRUE(result.status.exited);
  EXPECT_NE(result.status.code, 0);
  const std::string file = d.configPath().string();
  EXPECT_NE(result.output.find(file + ":2:10: log.level:"), std::string::npos) << result.output;
  EXPECT_NE(result.output.find(file + ":4:13: store.map_size:"), std::string::npos)
      << result.output;
  EXPECT_NE(result.output.find(file + ":7:3: admin.colour:"), std::string::npos) << result.output;
}

TEST(DaemonLifecycle, CheckConfigAcceptsTheShippedExample) {
  const auto result = runCommand(
      {MFIGW_DAEMON_PATH, "--check-config", MFIGW_SOURCE_DIR "/systemd/gateway.yaml.example"});
  EXPECT_TRUE(result.status.exited);
  EXPECT_EQ(result.status.code, 0) << result.output;
}

}  // namespace
}  // namespace mfigw::testing
