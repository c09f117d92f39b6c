// Golden transcripts of the shipped menu through the engine: every walk of golden_walks.hpp
// in every language, run with menus::begin/step over a fixed DataSource (the borrower of
// golden_walks.hpp on a fixed day: no clock), compared with tests/menus/golden/*.txt. The
// tree is paged with the daemon's budget (182 GSM 7-bit on the air), and every page shown
// must fit the safe budget (160 GSM 7-bit, 80 UCS-2). A deliberate menu change is
// `MFIGW_REGENERATE=1 menus_test --gtest_filter='GoldenTranscript.*'` and a reviewed diff.
// The daemon's test (tests/integration/ussd_golden_test.cpp) compares its SMPP and HTTP
// pages with the same files.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>

#include "menus/engine.hpp"
#include "menus/menu_loader.hpp"
#include "smpp/text_split.hpp"
#include "tests/menus/golden_walks.hpp"
#include "tests/menus/test_support.hpp"

namespace mfigw::menus {
namespace {

// 2024-06-01: a fixed "today" for the engine (the daemon uses the real one).
const std::int64_t kToday =
    std::chrono::sys_days(std::chrono::year_month_day(std::chrono::year(2024),
                                                      std::chrono::month(6), std::chrono::day(1)))
        .time_since_epoch()
        .count();

bool regenerating() {
  const char* flag = std::getenv("MFIGW_REGENERATE");
  return flag != nullptr && std::string(flag) == "1";
}

class GoldenTranscript : public ::testing::Test {
 protected:
  void SetUp() override {
    // Paged as the daemon pages (gateway/ussd_page_measure.hpp: 160 GSM 7-bit, 80 UCS-2), so
    // its pages can equal these; every page shown is checked against the same budget below.
    auto loaded = loadMenuFile(test::shippedTreePath(), test::smppMeasure(160, 80));
    ASSERT_TRUE(loaded.ok()) << loaded.errorText();
    tree_ = loaded.tree;
    // What the gateway's BorrowerData answers for the seeded loan book (gateway/borrower_data.cpp).
    data_.values = {{"client_name", golden::kClientName},
                    {"balance", std::to_string(golden::kOutstanding)},
                    {"next_amount", std::to_string(golden::kInstallment)},
                    {"next_due", golden::isoDate(kToday + golden::kNextDueInDays)},
                    {"second_amount", std::to_string(golden::kInstallment)},
                    {"second_due", golden::isoDate(kToday + golden::kSecondDueInDays)},
                    {"has_second", "1"},
                    {"as_of", golden::isoDate(kToday)},
                    {"can_borrow", "1"},
                    {"can_defer", "1"},
                    {"loan_min", std::to_string(golden::kDisbursed / 4)},
                    {"loan_max", std::to_string(golden::kDisbursed + golden::kDisbursed / 2)},
                    {"officer_name", golden::kOfficer},
                    {"home_branch", std::to_string(golden::kHomeBranch)},
                    {"loan_count", "1"},
                    {"has_loan1", "1"},
                    {"has_loan2", "0"},
                    {"has_loan3", "0"},
                    {"loan1_acct", golden::kAccountTail},
                    {"loan1_out", std::to_string(golden::kOutstanding)},
                    {"loan1_late", "0"},
                    {"loan1_next_amount", std::to_string(golden::kInstallment)},
                    {"loan1_next_due", golden::isoDate(kToday + golden::kNextDueInDays)},
                    {"loan1_officer", golden::kOfficer},
                    {"loan1_as_of", golden::isoDate(kToday)},
                    {"in_group", "1"},
                    {"group_name", golden::kGroupName},
                    {"group_members", std::to_string(golden::groupMembers())},
                    {"group_meeting", golden::isoDate(kToday + golden::kGroupMeetingInDays)}};
    for (const auto& p : golden::points())
      data_.points[std::to_string(p.near)].push_back({p.name, p.meters, p.hours, ""});
    data_.pinStatus = PinOutcome::Ok;
    data_.pin = golden::kPin;
  }

  // The walk through the engine as a transcript; also checks every page's budget.
  std::string transcript(const golden::Walk& walk, const std::string& language) {
    std::string out = golden::transcriptHeader(walk.name, language);
    const auto record = [&](std::string_view input, const StepResult& r) {
      EXPECT_NE(r.status, StepStatus::Error) << walk.name << "." << language << ": " << r.problem;
      EXPECT_FALSE(r.trimmed) << r.text;
      const auto size = golden::measurePage(r.text);
      EXPECT_NE(std::string(size.encoding), "invalid") << r.text;
      EXPECT_LE(size.units, std::string(size.encoding) == "gsm7" ? 160u : 80u)
          << walk.name << "." << language << " after " << input << ":\n"
          << r.text;
      out += golden::transcriptStep(input, r.text, !r.continues(), size.encoding, kToday);
    };
    StepResult r = begin(*tree_, language, data_);
    record(golden::kServiceCode, r);
    for (const auto& input : golden::inputsFor(walk, language)) {
      EXPECT_TRUE(r.continues()) << walk.name << "." << language << ": ended before " << input;
      if (!r.continues()) break;
      r = step(*tree_, r.session, input, data_);
      record(input, r);
    }
    return out;
  }

  MenuTreePtr tree_;
  test::MapData data_;
};

TEST_F(GoldenTranscript, EveryWalkInEveryLanguageMatchesItsFile) {
  const bool regenerate = regenerating();
  for (const auto& walk : golden::walks()) {
    for (const auto& language : golden::languages()) {
      SCOPED_TRACE(std::string(walk.name) + "." + language);
      const std::string actual = transcript(walk, language);
      const std::string path = golden::goldenPath(walk.name, language);
      if (regenerate) {
        std::filesystem::create_directories(std::filesystem::path(path).parent_path());
        std::ofstream(path, std::ios::binary | std::ios::trunc) << actual;
        continue;
      }
      const std::string expected = golden::readGolden(path);
      ASSERT_FALSE(expected.empty()) << path << " is missing: run with MFIGW_REGENERATE=1";
      EXPECT_EQ(expected == actual, true) << path << "\n"
                                          << golden::describeDifference(expected, actual);
    }
  }
}

// Every file in golden/ belongs to a walk and a language (no stale file after a rename).
TEST_F(GoldenTranscript, NoStrayFiles) {
  std::set<std::string> known;
  for (const auto& walk : golden::walks())
    for (const auto& language : golden::languages())
      known.insert(std::filesystem::path(golden::goldenPath(walk.name, language)).filename());
  const auto dir = std::filesystem::path(golden::goldenPath("x", "en")).parent_path();
  std::size_t files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    EXPECT_EQ(known.count(entry.path().filename()), 1u) << entry.path();
    ++files;
  }
  EXPECT_EQ(files, known.size());
}

// The walks pass through every service of the welcome menu, and a walk's inputs differ per
// language only where it picks a language.
TEST_F(GoldenTranscript, WalksCoverEveryWelcomeOption) {
  std::set<std::string> firstKeys;
  for (const auto& walk : golden::walks())
    firstKeys.insert(walk.inputs.front());
  const auto& welcome = tree_->screens.at(tree_->start);
  for (const auto& option : welcome.options)
    EXPECT_EQ(firstKeys.count(option.key), 1u) << "no walk takes option " << option.key;
}

}  // namespace
}  // namespace mfigw::menus
