#include "gateway/import_cells.hpp"

#include <gtest/gtest.h>

#include <string>

#include "store/client.hpp"

namespace mfigw::gateway {
namespace {

std::optional<std::int64_t> amount(std::string_view text, std::uint8_t decimals = 2,
                                   bool commas = true) {
  return parseAmount(text, decimals, commas).value;
}

std::string amountError(std::string_view text, std::uint8_t decimals = 2, bool commas = true) {
  const auto parsed = parseAmount(text, decimals, commas);
  EXPECT_FALSE(parsed.value) << text;
  return parsed.error;
}

TEST(CsvCells, AmountsInMajorUnitsBecomeMinorUnits) {
  EXPECT_EQ(amount("1500"), 150000);
  EXPECT_EQ(amount("1500.5"), 150050);
  EXPECT_EQ(amount("1500.50"), 150050);
  EXPECT_EQ(amount("1,500.50"), 150050);
  EXPECT_EQ(amount("12,345,678.09"), 1234567809);
  EXPECT_EQ(amount("0"), 0);
  EXPECT_EQ(amount("0.01"), 1);
  EXPECT_EQ(amount("007"), 700);
  EXPECT_EQ(amount("1500.500"), 150050);   // extra zeros are exact
  EXPECT_EQ(amount("250000", 0), 250000);  // UGX
  EXPECT_EQ(amount("1.234", 3), 1234);     // KWD
}

TEST(CsvCells, AmbiguousOrInexactAmountsAreRefused) {
  EXPECT_NE(amountError("1500,50").find("thousands"), std::string::npos);
  EXPECT_NE(amountError("1,5").find("thousands"), std::string::npos);
  EXPECT_NE(amountError("15,00,000").find("thousands"), std::string::npos);
  EXPECT_NE(amountError(",500").find("thousands"), std::string::npos);
  EXPECT_NE(amountError("1,500", 2, false).find("ambiguous"), std::string::npos);
  EXPECT_NE(amountError("1500.505").find("3 decimal places; the currency has 2"),
            std::string::npos);
  EXPECT_NE(amountError("1500.5", 0).find("the currency has no decimal places"), std::string::npos);
  EXPECT_NE(amountError("-5").find("negative"), std::string::npos);
  for (const char* bad : {"", "+5", "1 500", "KES 1500", "1500.", ".5", "1e3", "1.5.0", "abc"}) {
    EXPECT_FALSE(amount(bad)) << bad;
  }
  EXPECT_NE(amountError("99999999999999999999").find("too large"), std::string::npos);
  EXPECT_NE(amountError("92233720368547758.08").find("too large"), std::string::npos);
}

TEST(CsvCells, DatesAreIsoCalendarDays) {
  EXPECT_EQ(parseDate("2026-12-05").value, store::toDayNumber(2026, 12, 5));
  EXPECT_EQ(parseDate("1970-01-02").value, 1);
  EXPECT_EQ(parseDate("2028-02-29").value, store::toDayNumber(2028, 2, 29));
  EXPECT_EQ(parseDate("2026-02-29").error, "is not a calendar date");
  EXPECT_EQ(parseDate("2026-13-01").error, "is not a calendar date");
  EXPECT_EQ(parseDate("1970-01-01").error, "must be after 1970-01-01");
  EXPECT_NE(parseDate("05/12/2026").error.find("ambiguous"), std::string::npos);
  EXPECT_NE(parseDate("05.12.2026").error.find("ambiguous"), std::string::npos);
  for (const char* bad : {"2026-1-5", "2026-12-5", "20261205", "2026-12-05T00:00", "Dec 5"}) {
    EXPECT_FALSE(parseDate(bad).value) << bad;
  }
}

TEST(CsvCells, TimesOfDay) {
  EXPECT_EQ(parseTimeOfDay("09:00").value, 540);
  EXPECT_EQ(parseTimeOfDay("9:00").value, 540);
  EXPECT_EQ(parseTimeOfDay("14:30:00").value, 870);
  EXPECT_EQ(parseTimeOfDay("23:59").value, 1439);
  for (const char* bad : {"24:00", "12:60", "9", "9am", "12:3", "12:30:15", ":30"}) {
    EXPECT_FALSE(parseTimeOfDay(bad).value) << bad;
  }
}

TEST(CsvCells, DegreesToMicrodegrees) {
  EXPECT_EQ(parseDegrees("-1.286389").value, -1286389);
  EXPECT_EQ(parseDegrees("36.8172").value, 36817200);
  EXPECT_EQ(parseDegrees("180").value, 180000000);
  EXPECT_EQ(parseDegrees("1.28638950").value, 1286390);  // rounded half away from zero
  EXPECT_EQ(parseDegrees("-1.28638949").value, -1286389);
  for (const char* bad : {"1,28", "1.", "N1.2", "1°17'", "1234.5", "--1", "+1.0"}) {
    EXPECT_FALSE(parseDegrees(bad).value) << bad;
  }
}

TEST(CsvCells, WholeNumbers) {
  EXPECT_EQ(parseWholeNumber("65535", 65535).value, 65535u);
  EXPECT_FALSE(parseWholeNumber("65536", 65535).value);
  EXPECT_EQ(parseWholeNumber("18446744073709551615", UINT64_MAX).value, UINT64_MAX);
  EXPECT_FALSE(parseWholeNumber("18446744073709551616", UINT64_MAX).value);
  EXPECT_FALSE(parseWholeNumber("1.0", 10).value);
  EXPECT_FALSE(parseWholeNumber("-1", 10).value);
}

TEST(CsvCells, Enums) {
  EXPECT_EQ(parseLoanStatus("Active").value, store::LoanStatus::Active);
  EXPECT_EQ(parseLoanStatus("R").value, store::LoanStatus::Arrears);
  EXPECT_EQ(parseLoanStatus("Written-off").value, store::LoanStatus::WrittenOff);
  EXPECT_EQ(parseLoanStatus("written off").value, store::LoanStatus::WrittenOff);
  EXPECT_FALSE(parseLoanStatus("open").value);

  EXPECT_EQ(parseLoanFlags("deferral_pending").value,
            static_cast<std::uint8_t>(store::LoanFlag::DeferralPending));
  EXPECT_EQ(parseLoanFlags("Paused | NPA").value,
            static_cast<std::uint8_t>(store::LoanFlag::Paused) |
                static_cast<std::uint8_t>(store::LoanFlag::Npa));
  EXPECT_EQ(parseLoanFlags("none").value, 0);
  EXPECT_FALSE(parseLoanFlags("paused deferred").value);

  EXPECT_EQ(parseConsent("reminders marketing").value,
            static_cast<std::uint8_t>(store::Consent::ReminderSms) |
                static_cast<std::uint8_t>(store::Consent::Marketing));
  EXPECT_EQ(parseConsent("None").value, 0);
  EXPECT_FALSE(parseConsent("sms").value);

  EXPECT_EQ(parseWeekday("Tuesday").value, store::Weekday::Tuesday);
  EXPECT_EQ(parseWeekday("sat").value, store::Weekday::Saturday);
  EXPECT_EQ(parseWeekday("7").value, store::Weekday::Sunday);
  EXPECT_FALSE(parseWeekday("8").value);
  EXPECT_FALSE(parseWeekday("tues").value);

  EXPECT_EQ(parsePointKind("Mobile money").value, store::PaymentPointKind::MobileMoney);
  EXPECT_EQ(parsePointKind("AGENT").value, store::PaymentPointKind::Agent);
  EXPECT_FALSE(parsePointKind("shop").value);

  EXPECT_EQ(parseYesNo("Yes").value, true);
  EXPECT_EQ(parseYesNo("0").value, false);
  EXPECT_FALSE(parseYesNo("maybe").value);
}

TEST(CsvCells, CleanCellTrimsFoldsAndRefusesControlsAndBadUtf8) {
  EXPECT_EQ(cleanCell("  Kenyatta Ave \r\n opp. GPO\t").value, "Kenyatta Ave opp. GPO");
  EXPECT_EQ(cleanCell("Ol Kalou – Njabini").value, "Ol Kalou – Njabini");
  EXPECT_EQ(cleanCell("").value, "");
  EXPECT_EQ(cleanCell(" \n ").value, "");
  EXPECT_EQ(cleanCell(std::string("a\0b", 3)).error, "contains a control character");
  EXPECT_EQ(cleanCell("a\x7F").error, "contains a control character");
  for (const char* bad : {"caf\xE9", "\xC0\xAF", "\xED\xA0\x80", "\xF4\x90\x80\x80", "\xE2\x82"}) {
    EXPECT_NE(cleanCell(bad).error.find("UTF-8"), std::string::npos) << bad;
  }
}

TEST(CsvCells, FoldName) {
  EXPECT_EQ(foldName("Loan ID"), "loan_id");
  EXPECT_EQ(foldName("  Inst 1 - Due "), "inst_1_due");
  EXPECT_EQ(foldName("account.no"), "account_no");
  EXPECT_EQ(foldName("TOUT"), "tout");
}

TEST(CsvCells, CurrencyDecimals) {
  EXPECT_EQ(currencyDecimals("KES"), 2);
  EXPECT_EQ(currencyDecimals("UGX"), 0);
  EXPECT_EQ(currencyDecimals("XOF"), 0);
  EXPECT_EQ(currencyDecimals("KWD"), 3);
  EXPECT_FALSE(currencyDecimals("XYZ"));
  EXPECT_FALSE(currencyDecimals("kes"));
}

}  // namespace
}  // namespace mfigw::gateway
