// tests/menus/golden_walks.hpp: the golden transcript walks of the shipped USSD menu.
//
// Purpose:   One table of walks (service -> inputs), the borrower every path shows (the
//            engine test's DataSource and the daemon's seeded loan book hold the same
//            values), and the transcript format: per step `> INPUT`, the page exactly,
//            then `[continue|end, N chars, gsm7|ucs2]`. Dates depend on the day, so both
//            paths replace them by `{next_due}`, `{second_due}`, `{as_of}`; the count is
//            taken before, on the page as sent (a date always renders 10 characters).
//            The files live in tests/menus/golden/<walk>.<lang>.txt; menus_test writes
//            them with MFIGW_REGENERATE=1, integration_test only compares.
// Threading: Test code; single thread.
// Errors:    None; a page that is neither GSM 7-bit nor UCS-2 is labelled "invalid".
// Ownership: Plain values.
#pragma once

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "smpp/text_encoding.hpp"
#include "smpp/text_gsm7.hpp"

namespace mfigw::golden {

inline const std::vector<std::string>& languages() {
  static const std::vector<std::string> all{"en", "fr", "es", "ar"};
  return all;
}

// The borrower. Loan bounds come from the last loan: a quarter of it to half again it.
inline constexpr const char* kClientName = "Amina";
inline constexpr const char* kOfficer = "Joseph";
inline constexpr const char* kPin = "4321";
inline constexpr const char* kNewPin = "5678";
inline constexpr std::int64_t kDisbursed = 2000000;    // KES 20,000.00
inline constexpr std::int64_t kOutstanding = 1250000;  // the balance
inline constexpr std::int64_t kInstallment = 250000;   // each of the two upcoming ones
inline constexpr int kNextDueInDays = 5;               // after today
inline constexpr int kSecondDueInDays = 35;
inline constexpr std::uint16_t kHomeBranch = 12;  // "near my branch"
inline constexpr std::uint16_t kAreaBranch = 34;  // typed as the area code
inline constexpr const char* kAreaCode = "34";
inline constexpr const char* kServiceCode = "*123#";
inline constexpr const char* kAccountTail = "1234";  // the loan's account number ends so
inline constexpr const char* kFriendPhone = "0712000111";
// A village bank: every golden borrower is a member (both channels, every walk and language).
inline constexpr const char* kGroupName = "Umoja Women";
inline constexpr int kGroupMeetingInDays = 3;

// Payment points. The daemon places a branch at the centre of that branch's own points (one
// each here) and measures great-circle metres; the others stand due north (branch 90, so
// they do not move the centre), `meters` being what the daemon computes for them.
struct GoldenPoint {
  const char* name;
  const char* hours;
  std::uint16_t branch;
  std::int32_t latitudeE6;
  std::int32_t longitudeE6;
  std::uint32_t meters;  // from the centre of the cluster's branch
  std::uint16_t near;    // the branch whose cluster it belongs to
};

inline const std::vector<GoldenPoint>& points() {
  static const std::vector<GoldenPoint> all{
      {"Branch office", "Mon-Fri 8-17", kHomeBranch, -100000, 34750000, 0, kHomeBranch},
      {"Equity Agent", "Mon-Sat 8-18", 90, -88000, 34750000, 1334, kHomeBranch},
      {"M-Pesa Shop 12", "8-20", 90, -79000, 34750000, 2335, kHomeBranch},
      {"Post office", "8-17", 90, -67000, 34750000, 3669, kHomeBranch},
      {"Duka la Mama", "7-21", 90, -53000, 34750000, 5226, kHomeBranch},
      {"Sacco kiosk", "Daily 7-19", 90, -39000, 34750000, 6782, kHomeBranch},
      {"Market agent", "Mon-Sat 7-18", kAreaBranch, 900000, 34750000, 0, kAreaBranch},
      {"Bus park agent", "6-22", 90, 912000, 34750000, 1334, kAreaBranch},
      {"Chemist agent", "8-20", 90, 921000, 34750000, 2335, kAreaBranch},
      {"Hardware shop", "8-18", 90, 933000, 34750000, 3669, kAreaBranch},
      {"School canteen", "Mon-Fri 9-16", 90, 947000, 34750000, 5226, kAreaBranch},
      {"Fuel station", "24h", 90, 961000, 34750000, 6782, kAreaBranch},
  };
  return all;
}

struct Walk {
  const char* name;
  std::vector<std::string> inputs;  // after dialling kServiceCode; "LANG": see inputsFor
};

// Every service of the welcome menu, plus one bad-input walk (letters for the amount, the
// term and the PIN: each repeats its screen with the reason).
inline const std::vector<Walk>& walks() {
  static const std::vector<Walk> all{
      {"balance", {"1", kPin}},
      {"loan", {"2", "1", "8000", "2", "1", kPin}},
      {"delay", {"3", "2", "2", "2", "1", kPin}},
      {"points_branch", {"4", "1", "98", "0"}},
      {"points_area_sms", {"4", "2", kAreaCode, "98", "1"}},
      {"points_area_menu", {"4", "3", "6"}},  // Kasarani: area 34 (kAreaBranch)
      {"officer", {"5", "1"}},
      {"language", {"6", "LANG"}},
      {"set_pin", {"7", kPin, kNewPin, kNewPin}},
      {"my_loans", {"8", kPin, "1", "1"}},
      {"my_group", {"9"}},
      {"refer", {"10", kFriendPhone, "1"}},
      {"exit", {"11"}},
      {"bad_input", {"2", "x", "1", "abc", "8000", "x", "00", "1", "abcd"}},
  };
  return all;
}

inline std::size_t groupMembers() {
  return 2 * walks().size() * languages().size();
}

// The language walk picks French from English, English from the others.
inline std::vector<std::string> inputsFor(const Walk& walk, std::string_view language) {
  std::vector<std::string> out = walk.inputs;
  for (auto& input : out)
    if (input == "LANG") input = language == "en" ? "2" : "1";
  return out;
}

inline std::string goldenPath(std::string_view walk, std::string_view language) {
  return std::string(MFIGW_SOURCE_DIR) + "/tests/menus/golden/" + std::string(walk) + "." +
         std::string(language) + ".txt";
}

inline std::string readGolden(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// Days since 1970-01-01 as YYYY-MM-DD and as the menu shows it (DD/MM/YYYY, every language).
inline std::string isoDate(std::int64_t day) {
  const std::chrono::year_month_day ymd{std::chrono::sys_days(std::chrono::days(day))};
  char out[64];
  std::snprintf(out, sizeof out, "%04d-%02u-%02u", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()));
  return out;
}

inline std::string shownDate(std::int64_t day) {
  const std::string iso = isoDate(day);
  return iso.substr(8, 2) + "/" + iso.substr(5, 2) + "/" + iso.substr(0, 4);
}

// The day-dependent dates of a page, replaced by the names of their variables.
inline std::string normaliseDates(std::string page, std::int64_t today) {
  const std::pair<std::int64_t, const char*> dates[] = {
      {today + kNextDueInDays, "{next_due}"},
      {today + kSecondDueInDays, "{second_due}"},
      {today + kGroupMeetingInDays, "{group_meeting}"},
      {today, "{as_of}"}};
  for (const auto& [day, name] : dates) {
    const std::string shown = shownDate(day);
    for (auto at = page.find(shown); at != std::string::npos; at = page.find(shown, at))
      page.replace(at, shown.size(), name);
  }
  return page;
}

struct PageSize {
  std::size_t units = 0;
  const char* encoding = "invalid";
};

// What a page costs on the air: GSM 7-bit septets when it fits that alphabet, else UCS-2.
inline PageSize measurePage(std::string_view page) {
  if (const auto septets = smpp::gsm7Length(page)) return {*septets, "gsm7"};
  if (const auto units = smpp::ucs2Length(page)) return {*units, "ucs2"};
  return {};
}

inline std::string transcriptHeader(std::string_view walk, std::string_view language) {
  return "# golden transcript: walk " + std::string(walk) + ", language " + std::string(language) +
         " (MFIGW_REGENERATE=1 menus_test --gtest_filter='GoldenTranscript.*' rewrites it)\n";
}

// One step: `input` typed (the dial string first), the page as sent, its end flag, and the
// encoding the page went in (SMPP: from data_coding; engine and HTTP: from the text).
inline std::string transcriptStep(std::string_view input, const std::string& page, bool ends,
                                  std::string_view encoding, std::int64_t today) {
  std::ostringstream out;
  out << "\n> " << input << "\n"
      << normaliseDates(page, today) << "\n[" << (ends ? "end" : "continue") << ", "
      << measurePage(page).units << " chars, " << encoding << "]\n";
  return out.str();
}

// A readable difference: the first line that differs, then the whole actual transcript.
inline std::string describeDifference(const std::string& expected, const std::string& actual) {
  std::istringstream e(expected), a(actual);
  std::string el, al;
  int line = 0;
  std::ostringstream out;
  while (true) {
    ++line;
    const bool he = static_cast<bool>(std::getline(e, el));
    const bool ha = static_cast<bool>(std::getline(a, al));
    if (!he && !ha) break;
    if (!he || !ha || el != al) {
      out << "first difference at line " << line
          << ":\n  golden: " << (he ? el : std::string("<end of file>"))
          << "\n  actual: " << (ha ? al : std::string("<end of transcript>")) << "\n";
      break;
    }
  }
  out << "--- actual transcript ---\n" << actual;
  return out.str();
}

}  // namespace mfigw::golden
