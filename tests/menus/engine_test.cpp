// The engine: pages, paging with 98, back and main, conditions, validators, actions and
// their effects, the locator, languages, stale sessions and the last-resort fit.
#include "menus/engine.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "menus/menu_loader.hpp"
#include "tests/menus/test_support.hpp"

namespace mfigw::menus {
namespace {

using test::MapData;

class EngineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto loaded = loadMenuFile(test::dataPath("engine.yaml"), test::smppMeasure());
    ASSERT_TRUE(loaded.ok()) << loaded.errorText();
    tree_ = loaded.tree;
    data_.values = {{"client_name", "Amina"},
                    {"eligible", "1"},
                    {"loan_min", "50000"},
                    {"loan_max", "2000000"},
                    {"installment", "INST-7"}};
    const std::string hours = "8-18";
    data_.points["101"] = {{"Kiosk A", 850, hours, ""},
                           {"Kiosk B", 1234, hours, ""},
                           {"Kiosk C", 2000, hours, ""},
                           {"Kiosk D", 3100, hours, ""},
                           {"Kiosk E", 4000, hours, ""}};
  }

  // Steps through `inputs` from the start, expecting the dialog to go on until the last.
  StepResult walk(const std::vector<std::string>& inputs, std::string_view language = "en") {
    return run(*tree_, language, inputs, data_);
  }
  StepResult next(const StepResult& from, std::string_view input) {
    return step(*tree_, from.session, input, data_);
  }
  bool fits(const std::string& text) const {
    const auto m = tree_->measure(text);
    return m.units <= m.budget;
  }

  MenuTreePtr tree_;
  MapData data_;
};

TEST_F(EngineTest, StartPageShowsVisibleOptionsOnly) {
  const StepResult r = begin(*tree_, "en", data_);
  EXPECT_EQ(r.status, StepStatus::Continue);
  EXPECT_EQ(r.text,
            "Hi Amina\n1 Borrow\n3 Loan term\n4 Birthday\n5 Refer a friend\n6 Agent code\n"
            "7 Delay a payment\n8 Payment points\n9 Language");
  EXPECT_EQ(r.session.screen, "main");
  EXPECT_EQ(r.session.treeVersion, tree_->version);
  EXPECT_TRUE(r.session.backStack.empty());

  data_.values["eligible"] = "0";
  const StepResult notEligible = begin(*tree_, "en", data_);
  EXPECT_NE(notEligible.text.find("2 Why not eligible"), std::string::npos);
  EXPECT_EQ(notEligible.text.find("1 Borrow"), std::string::npos);
  // A hidden option cannot be chosen by typing its number.
  const StepResult typed = next(notEligible, "1");
  EXPECT_EQ(typed.text, "Invalid choice.\n" + notEligible.text);
  EXPECT_EQ(typed.session.screen, "main");
}

TEST_F(EngineTest, UnknownLanguageFallsBackToTheDefault) {
  EXPECT_EQ(begin(*tree_, "sw", data_).session.language, "en");
  EXPECT_EQ(begin(*tree_, "", data_).session.language, "en");
  EXPECT_EQ(begin(*tree_, "ar", data_).session.language, "ar");
}

TEST_F(EngineTest, ArabicMenuIsPagedWithMoreAndBack) {
  const StepResult first = begin(*tree_, "ar", data_);
  ASSERT_EQ(first.status, StepStatus::Continue);
  EXPECT_EQ(first.text.rfind("مرحبا Amina\n1 اقتراض\n", 0), 0u) << first.text;
  EXPECT_NE(first.text.find("\n98 المزيد"), std::string::npos);
  EXPECT_EQ(first.text.find("9 اللغة"), std::string::npos);
  EXPECT_EQ(first.text.find("0 رجوع"), std::string::npos);  // nothing to go back to
  EXPECT_TRUE(fits(first.text));

  StepResult page = first;
  std::vector<std::string> pages{first.text};
  while (page.text.find("\n98 المزيد") != std::string::npos) {
    page = next(page, "98");
    ASSERT_EQ(page.status, StepStatus::Continue);
    EXPECT_EQ(page.text.find("مرحبا"), std::string::npos);      // header on the first page only
    EXPECT_NE(page.text.find("0 رجوع"), std::string::npos);     // back to the previous page
    EXPECT_EQ(page.text.find("00 رئيسية"), std::string::npos);  // already on the main menu
    EXPECT_TRUE(fits(page.text)) << page.text;
    pages.push_back(page.text);
    ASSERT_LT(pages.size(), 10u);
  }
  EXPECT_GE(pages.size(), 3u);
  EXPECT_NE(pages.back().find("9 اللغة"), std::string::npos);
  // 98 on the last page is not an option.
  EXPECT_EQ(next(page, "98").text, "خيار خاطئ.\n" + pages.back());
  // Back walks the pages in reverse.
  for (std::size_t i = pages.size() - 1; i-- > 0;) {
    page = next(page, "0");
    EXPECT_EQ(page.text, pages[i]);
  }
  // An option on a later page can be typed on the first.
  const StepResult term = next(first, "3");
  EXPECT_EQ(term.session.screen, "term");
  EXPECT_EQ(term.text, "الأشهر (1-12)\n0 رجوع 00 رئيسية");
}

TEST_F(EngineTest, BackAndMainNavigation) {
  StepResult r = walk({"8"});
  EXPECT_EQ(r.session.screen, "area");
  EXPECT_EQ(r.text, "Area code\n0 Back 00 Main");
  r = next(r, "101");
  EXPECT_EQ(r.session.screen, "points");
  ASSERT_EQ(r.session.backStack.size(), 2u);
  r = next(r, "0");  // back to the area prompt
  EXPECT_EQ(r.session.screen, "area");
  EXPECT_EQ(r.text, "Area code\n0 Back 00 Main");
  r = next(r, "101");
  r = next(r, "00");  // main, from two screens deep
  EXPECT_EQ(r.session.screen, "main");
  EXPECT_TRUE(r.session.backStack.empty());
  EXPECT_EQ(r.text, begin(*tree_, "en", data_).text);
  // On the start screen there is nowhere to go back to.
  EXPECT_EQ(next(r, "0").text, "Invalid choice.\n" + r.text);
  EXPECT_EQ(next(r, "00").text, "Invalid choice.\n" + r.text);
}

TEST_F(EngineTest, CreditRequestDialogEndToEnd) {
  StepResult r = walk({"1"});
  EXPECT_EQ(r.text, "Amount (KES 500.00 to KES 20,000.00):\n0 Back 00 Main");
  r = next(r, "499");
  EXPECT_EQ(r.text, "Amount out of range.\nAmount (KES 500.00 to KES 20,000.00):\n0 Back 00 Main");
  EXPECT_EQ(r.session.screen, "amount");
  r = next(r, "20001");
  EXPECT_EQ(r.session.screen, "amount");
  r = next(r, "1500");
  EXPECT_EQ(r.text, "Borrow KES 1,500.00?\n1 Yes\n2 No\n0 Back 00 Main");
  EXPECT_EQ(r.session.vars.at("loan_amount"), "150000");
  r = next(r, "1");
  EXPECT_EQ(r.text, "Enter your PIN\n0 Back 00 Main");
  r = next(r, "12");
  EXPECT_EQ(r.text, "Invalid entry.\nEnter your PIN\n0 Back 00 Main");
  EXPECT_TRUE(r.effects.empty());
  r = next(r, "4321");
  EXPECT_EQ(r.status, StepStatus::Continue);
  EXPECT_EQ(r.session.screen, "sent");
  // The action is a commit point: no way back to the confirm screen.
  EXPECT_EQ(r.text, "Request received.\n00 Main");
  EXPECT_TRUE(r.session.backStack.empty());
  ASSERT_EQ(r.effects.size(), 1u);
  const Effect& effect = r.effects[0];
  EXPECT_EQ(effect.screen, "send");
  EXPECT_EQ(effect.tag, "app");
  EXPECT_EQ(effect.language, "en");
  EXPECT_EQ(effect.step, r.session.steps);
  const auto* credit = std::get_if<CreditRequest>(&effect.value);
  ASSERT_NE(credit, nullptr);
  EXPECT_EQ(credit->amountMinor, 150000);
  EXPECT_EQ(credit->currency, "KES");
  EXPECT_FALSE(credit->termDays.has_value());
  EXPECT_EQ(credit->pin, "4321");
  // The PIN never stays in the session, and describe() never shows it.
  EXPECT_EQ(r.session.vars.count("pin"), 0u);
  EXPECT_EQ(encodeSession(r.session).find("4321"), std::string::npos);
  EXPECT_EQ(describe(effect),
            "credit_request amount=150000 currency=KES pin=(given) tag=app "
            "screen=send step=7");  // the seventh input
  // Any input moves the display on, to the main menu.
  r = next(r, "0");
  EXPECT_EQ(r.session.screen, "main");
  EXPECT_TRUE(r.effects.empty());
}

TEST_F(EngineTest, ConfirmNoGoesBackWithoutEffects) {
  const StepResult r = walk({"1", "1500", "2"});
  EXPECT_EQ(r.session.screen, "main");
  EXPECT_TRUE(r.effects.empty());
  EXPECT_EQ(walk({"1", "1500", "3"}).text,
            "Invalid choice.\nBorrow KES 1,500.00?\n1 Yes\n2 No\n0 Back 00 Main");
}

TEST_F(EngineTest, MissingBoundIsAnErrorNotAGuess) {
  data_.values.erase("loan_max");
  const StepResult r = walk({"1", "1500"});
  EXPECT_EQ(r.status, StepStatus::Error);
  EXPECT_EQ(r.text, "Service unavailable.");
  EXPECT_TRUE(r.session.ended);
  EXPECT_TRUE(r.effects.empty());
  EXPECT_NE(r.problem.find("loan_max"), std::string::npos) << r.problem;
}

TEST_F(EngineTest, IntegerValidator) {
  for (const char* bad : {"13", "abc", "1.5", "", "-3", "99999999999999"})
    EXPECT_EQ(walk({"3", bad}).session.screen, "term") << bad;
  // "0" is the back key on every screen, before any validator sees it.
  EXPECT_EQ(walk({"3", "0"}).session.screen, "main");
  const StepResult r = walk({"3", "012"});
  EXPECT_EQ(r.status, StepStatus::End);
  EXPECT_EQ(r.text, "Term: 12 months.");
  EXPECT_TRUE(r.session.ended);
}

TEST_F(EngineTest, DateValidator) {
  for (const char* bad : {"31022024", "29022023", "1012024", "00012024", "32012024", "01132024"})
    EXPECT_EQ(walk({"4", bad}).session.screen, "birthday") << bad;
  EXPECT_EQ(walk({"4", "29022024"}).text, "Born 29/02/2024.");
  EXPECT_EQ(walk({"4", "29022024"}, "ar").text, "ولدت 29/02/2024.");
}

TEST_F(EngineTest, PhoneValidatorAndTheGatewayHook) {
  EXPECT_EQ(walk({"5", "12345678"}).session.screen, "friend");       // too short
  EXPECT_EQ(walk({"5", "0712345678901"}).session.screen, "friend");  // too long
  data_.refusedPhones.insert("0700000000");
  EXPECT_EQ(walk({"5", "0700000000"}).session.screen, "friend");  // refused by the gateway
  const StepResult r = walk({"5", "0712345678"});
  EXPECT_EQ(r.text, "We will call 0712345678.");
  ASSERT_EQ(r.effects.size(), 1u);
  EXPECT_EQ(std::get<Referral>(r.effects[0].value).phone, "0712345678");
  EXPECT_EQ(r.effects[0].tag, "friend");
}

TEST_F(EngineTest, RegexValidator) {
  EXPECT_EQ(walk({"6", "1299"}).text, "Agent 1299.");
  EXPECT_EQ(walk({"6", "1399"}).session.screen, "code");
  EXPECT_EQ(walk({"6", "12999"}).session.screen, "code");
  // An option's `set` ran when the language option was chosen, not here.
  EXPECT_EQ(walk({"9"}).session.vars.at("code"), "0000");
}

TEST_F(EngineTest, ChoiceValidatorAndDeferralRequest) {
  StepResult r = walk({"7"});
  EXPECT_EQ(r.text, "Delay INST-7 by\n1 7 days\n2 14 days\n0 Back 00 Main");
  EXPECT_EQ(next(r, "3").session.screen, "days");
  r = next(r, "2");
  EXPECT_EQ(r.text, "Asked for 14 more days.");
  ASSERT_EQ(r.effects.size(), 1u);
  const auto& deferral = std::get<DeferralRequest>(r.effects[0].value);
  EXPECT_EQ(deferral.installment, "INST-7");
  EXPECT_EQ(deferral.days, 14);
}

TEST_F(EngineTest, LocatorPagesAndSmsList) {
  StepResult r = walk({"8", "101"});
  EXPECT_EQ(r.text,
            "Near 101:\nKiosk A 850 m 8-18\nKiosk B 1.2 km 8-18\n1 SMS me the list\n98 More\n"
            "0 Back 00 Main");
  r = next(r, "98");
  EXPECT_EQ(r.text,
            "Kiosk C 2.0 km 8-18\nKiosk D 3.1 km 8-18\n1 SMS me the list\n98 More\n0 Back 00 Main");
  r = next(r, "98");
  EXPECT_EQ(r.text, "Kiosk E 4.0 km 8-18\n1 SMS me the list\n0 Back 00 Main");
  EXPECT_EQ(next(r, "98").text, "Invalid choice.\n" + r.text);
  EXPECT_EQ(next(r, "0").text,
            "Kiosk C 2.0 km 8-18\nKiosk D 3.1 km 8-18\n1 SMS me the list\n98 More\n0 Back 00 Main");
  const StepResult sms = next(r, "1");
  EXPECT_EQ(sms.status, StepStatus::End);
  EXPECT_EQ(sms.text, "The list is on its way by SMS.");
  ASSERT_EQ(sms.effects.size(), 1u);
  EXPECT_EQ(std::get<SendSms>(sms.effects[0].value).text,
            "Near 101:\nKiosk A 850 m 8-18\nKiosk B 1.2 km 8-18\nKiosk C 2.0 km 8-18\n"
            "Kiosk D 3.1 km 8-18\nKiosk E 4.0 km 8-18");
  EXPECT_EQ(std::get<SendSms>(sms.effects[0].value).to, "");
}

TEST_F(EngineTest, LocatorInArabicShowsFewerPointsAPage) {
  const StepResult r = walk({"8", "101"}, "ar");
  EXPECT_EQ(r.text, "قرب 101\nKiosk A 850 m\n1 أرسل\n98 المزيد\n0 رجوع 00 رئيسية");
  EXPECT_TRUE(fits(r.text));
}

TEST_F(EngineTest, LocatorWithNothingNear) {
  const StepResult r = walk({"8", "999"});
  EXPECT_EQ(r.text, "No point near 999.\n0 Back 00 Main");
  EXPECT_EQ(next(r, "1").text, "Invalid choice.\nNo point near 999.\n0 Back 00 Main");
}

TEST_F(EngineTest, LanguageChoiceSwitchesPagesAndIsAnEffect) {
  StepResult r = walk({"9"});
  EXPECT_EQ(r.text, "Language\n1 English\n2 العربية\n0 Back 00 Main");
  EXPECT_EQ(next(r, "3").session.screen, "language");
  r = next(r, "2");
  EXPECT_EQ(r.session.language, "ar");
  EXPECT_EQ(r.session.screen, "main");
  EXPECT_EQ(r.text, begin(*tree_, "ar", data_).text);
  ASSERT_EQ(r.effects.size(), 1u);
  EXPECT_EQ(std::get<LanguageChosen>(r.effects[0].value).language, "ar");
}

TEST_F(EngineTest, EndedSessionsAndOtherTreesAreErrors) {
  const StepResult ended = walk({"3", "5"});
  ASSERT_EQ(ended.status, StepStatus::End);
  const StepResult again = next(ended, "1");
  EXPECT_EQ(again.status, StepStatus::Error);
  EXPECT_EQ(again.text, "Service unavailable.");

  // The same file with one more comment is another version: the live session refuses it.
  const auto edited = loadMenuText(test::readFile(test::dataPath("engine.yaml")) + "# v2\n",
                                   "engine.yaml", test::smppMeasure());
  ASSERT_TRUE(edited.ok());
  const StepResult live = walk({"1"});
  const StepResult stale = step(*edited.tree, live.session, "1500", data_);
  EXPECT_EQ(stale.status, StepStatus::Error);
  EXPECT_NE(stale.problem.find("tree version"), std::string::npos);
  // ...while the tree it started on carries on.
  EXPECT_EQ(next(live, "1500").session.screen, "confirm");
}

TEST_F(EngineTest, SessionSurvivesEncodingBetweenSteps) {
  StepResult r = walk({"1", "1500"});
  const auto decoded = decodeSession(encodeSession(r.session));
  ASSERT_TRUE(decoded.has_value());
  EXPECT_EQ(*decoded, r.session);
  const StepResult a = step(*tree_, *decoded, "1", data_);
  const StepResult b = next(r, "1");
  EXPECT_EQ(a.text, b.text);
  EXPECT_EQ(a.session, b.session);
}

TEST_F(EngineTest, ValuesBeyondTheirDeclarationAreCutToFit) {
  // client_name is declared gsm7 with max 12: a longer name is cut to 12 characters...
  data_.values["client_name"] = "Wanjiru Njeri Kamau";
  EXPECT_EQ(begin(*tree_, "en", data_).text.rfind("Hi Wanjiru Njer\n", 0), 0u);
  // ...and an Arabic name breaks the gsm7 promise: the page goes UCS-2 (80), so the
  // engine trims it rather than send a page the network would refuse.
  data_.values["client_name"] = "أمينة";
  const StepResult r = begin(*tree_, "en", data_);
  EXPECT_TRUE(r.trimmed);
  EXPECT_TRUE(fits(r.text));
  EXPECT_EQ(r.text.rfind("Hi أمينة\n1 Borrow\n", 0), 0u);
  data_.values["client_name"] = "Amina";
  EXPECT_FALSE(begin(*tree_, "en", data_).trimmed);
}

TEST_F(EngineTest, OverlongInputIsInvalid) {
  const StepResult r = walk({"6", std::string(200, '1')});
  EXPECT_EQ(r.session.screen, "code");
  EXPECT_EQ(r.text.rfind("Invalid entry.\n", 0), 0u);
}

}  // namespace
}  // namespace mfigw::menus
