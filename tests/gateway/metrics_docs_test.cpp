#include <cstdlib>
#include <fstream>
#include <iterator>
#include <string>

#include <gtest/gtest.h>

#include "gateway/metrics.hpp"

namespace mfigw::gateway {
namespace {

// docs/metrics.md is generated from the metric table; this keeps it from drifting.
TEST(MetricsDocs, MarkdownIsUpToDate) {
  const std::string path = std::string(MFIGW_SOURCE_DIR) + "/docs/metrics.md";
  const std::string rendered = renderMetricsMarkdown();
  const char* regenerate = std::getenv("MFIGW_REGENERATE");
  if (regenerate != nullptr && std::string(regenerate) == "1") {
    std::ofstream(path, std::ios::binary) << rendered;
  }
  std::ifstream in(path, std::ios::binary);
  const std::string checkedIn{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  EXPECT_EQ(checkedIn, rendered) << "docs/metrics.md is out of date. Regenerate it with:\n"
                                    "  MFIGW_REGENERATE=1 <build>/tests/gateway/gateway_test "
                                    "--gtest_filter='MetricsDocs.*'";
}

TEST(MetricsDocs, EveryMetricHasARow) {
  const std::string md = renderMetricsMarkdown();
  for (const MetricDesc& m : metricTable()) {
    EXPECT_NE(md.find("| `" + std::string(m.name) + "` |"), std::string::npos) << m.name;
  }
}

}  // namespace
}  // namespace mfigw::gateway
