// Templates, value formatting per language and the UTF-8 helpers the menus rely on.
#include "menus/value_format.hpp"

#include <gtest/gtest.h>

#include <string>

#include "menus/text_template.hpp"
#include "menus/utf8_text.hpp"

namespace mfigw::menus {
namespace {

Locale english() {
  Locale l;
  l.code = "en";
  return l;
}

Locale french() {
  Locale l;
  l.code = "fr";
  l.thousands = " ";
  l.decimal = ",";
  l.moneyPattern = "{amount} {code}";
  return l;
}

TEST(TextTemplate, ParsesVariablesAndEscapedBraces) {
  const auto parsed = parseTemplate("Pay {amount} by {due_date} {{ok}}");
  ASSERT_TRUE(parsed.error.empty()) << parsed.error;
  EXPECT_EQ(parsed.value.variables(), (std::vector<std::string>{"amount", "due_date"}));
  const std::string out = renderTemplate(parsed.value, [](std::string_view name) {
    return name == "amount" ? std::string("500") : std::string("Friday");
  });
  EXPECT_EQ(out, "Pay 500 by Friday {ok}");
}

TEST(TextTemplate, RejectsMalformedTemplates) {
  EXPECT_FALSE(parseTemplate("Hello {name").error.empty());
  EXPECT_FALSE(parseTemplate("Hello name}").error.empty());
  EXPECT_FALSE(parseTemplate("Hello {}").error.empty());
  EXPECT_FALSE(parseTemplate("Hello {Name}").error.empty());
  EXPECT_FALSE(parseTemplate("Hello {1st}").error.empty());
  EXPECT_TRUE(parseTemplate("Hello }} {{").error.empty());
}

TEST(ValueFormat, NumbersAndMoneyPerLanguage) {
  EXPECT_EQ(formatNumber("1234567", english()), "1,234,567");
  EXPECT_EQ(formatNumber("-1234", french()), "-1 234");
  EXPECT_EQ(formatNumber("007", english()), "7");
  EXPECT_EQ(formatNumber("n/a", english()), "n/a");
  EXPECT_EQ(formatMoney("125000", 2, "KES", english()), "KES 1,250.00");
  EXPECT_EQ(formatMoney("125000", 2, "KES", french()), "1 250,00 KES");
  EXPECT_EQ(formatMoney("5", 2, "KES", english()), "KES 0.05");
  EXPECT_EQ(formatMoney("-5", 2, "KES", english()), "KES -0.05");
  EXPECT_EQ(formatMoney("2500000", 0, "XOF", french()), "2 500 000 XOF");
}

TEST(ValueFormat, DatesAndDistances) {
  Locale iso = english();
  iso.datePattern = "YYYY-MM-DD";
  EXPECT_EQ(formatDate("2024-06-12", english()), "12/06/2024");
  EXPECT_EQ(formatDate("2024-06-12", iso), "2024-06-12");
  EXPECT_EQ(formatDate("12 June", english()), "12 June");
  EXPECT_EQ(formatDistance("850", english()), "850 m");
  EXPECT_EQ(formatDistance("1250", english()), "1.3 km");
  EXPECT_EQ(formatDistance("12340", french()), "12,3 km");
}

TEST(ValueFormat, TextIsCutToItsMaximumAndWorstCaseIsTheMaximum) {
  VarSpec name;
  name.type = VarType::Text;
  name.max = 5;
  EXPECT_EQ(formatValue(name, "Wanjiru", english()), "Wanji");
  EXPECT_EQ(formatValue(name, "مرحبا بك", english()), "مرحبا");
  EXPECT_EQ(utf16Units(worstCaseValue(name, english())), 5u);
  name.alphabet = Alphabet::Gsm7;
  EXPECT_EQ(worstCaseValue(name, english()), "WWWWW");
  VarSpec due;
  due.type = VarType::Date;
  EXPECT_EQ(worstCaseValue(due, english()), "88/88/8888");
  VarSpec money;
  money.type = VarType::Money;
  money.max = 12;
  money.decimals = 2;
  money.currency = "KES";
  EXPECT_EQ(worstCaseValue(money, english()).size(), 12u);
  // Numbers are never cut: a wrong amount is worse than a long page.
  EXPECT_EQ(formatValue(money, "123456789012", english()), "KES 1,234,567,890.12");
}

TEST(Utf8Text, LengthsAndCuts) {
  EXPECT_TRUE(validUtf8("Bonjour é ش 😀"));
  EXPECT_FALSE(validUtf8("\xC0\xAF"));            // overlong '/'
  EXPECT_FALSE(validUtf8("\xED\xA0\x80"));        // surrogate
  EXPECT_FALSE(validUtf8("abc\xE2\x82"));         // truncated
  EXPECT_EQ(utf16Units("aé😀"), 4u);               // the emoji needs a surrogate pair
  EXPECT_EQ(prefixWithinUnits("aé😀b", 3), "aé");  // the emoji does not fit in one unit
  EXPECT_EQ(dropLastCharacter("aé"), "a");
  EXPECT_EQ(dropLastCharacter("a😀"), "a");
  EXPECT_EQ(dropLastCharacter(""), "");
}

}  // namespace
}  // namespace mfigw::menus
