// The shipped unit passes `systemd-analyze verify` and rates 2.0 or lower on
// `systemd-analyze security --offline=true`. Skipped where systemd-analyze is missing.
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <regex>
#include <string>

#include <gtest/gtest.h>

namespace {

struct CommandRun {
  int status = -1;
  std::string output;
};

CommandRun runShell(const std::string& command) {
  CommandRun result;
  std::unique_ptr<FILE, int (*)(FILE*)> pipe(::popen((command + " 2>&1").c_str(), "r"), ::pclose);
  if (!pipe) return result;
  char buf[4096];
  while (std::fgets(buf, sizeof buf, pipe.get()) != nullptr)
    result.output += buf;
  result.status = ::pclose(pipe.release());
  return result;
}

bool haveSystemdAnalyze() {
  return runShell("command -v systemd-analyze").status == 0;
}

TEST(SystemdUnit, VerifyAcceptsIt) {
  if (!haveSystemdAnalyze()) GTEST_SKIP() << "systemd-analyze not installed";
  const CommandRun r = runShell(std::string("systemd-analyze verify ") + MFIGW_TEST_UNIT_PATH);
  EXPECT_EQ(r.status, 0) << r.output;
  EXPECT_EQ(r.output.find("mfi-gateway.service:"), std::string::npos) << r.output;
}

TEST(SystemdUnit, SecurityExposureIsAtMostTwo) {
  if (!haveSystemdAnalyze()) GTEST_SKIP() << "systemd-analyze not installed";
  const CommandRun r = runShell(std::string("systemd-analyze security --offline=true --no-pager ") +
                                MFIGW_TEST_UNIT_PATH);
  std::smatch m;
  const std::regex overall(R"(Overall exposure level for mfi-gateway\.service: ([0-9]+\.[0-9]+))");
  ASSERT_TRUE(std::regex_search(r.output, m, overall)) << r.output;
  const double exposure = std::stod(m[1].str());
  EXPECT_LE(exposure, 2.0) << r.output;
}

}  // namespace
