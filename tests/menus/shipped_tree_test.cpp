// The shipped microfinance menu (menus/mfi/menu.yaml): it loads under the safe budget
// (160 GSM 7-bit, 80 UCS-2), every screen is reached through the engine in every language
// with every page fitting, and the loan request walks end to end to one credit_request.
// Balance, credit and deferral are behind the PIN; "My PIN" sets or changes it.
#include <gtest/gtest.h>

#include <deque>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "menus/dial_through.hpp"
#include "menus/engine.hpp"
#include "menus/menu_loader.hpp"
#include "tests/menus/test_support.hpp"

namespace mfigw::menus {
namespace {

using test::MapData;

class ShippedTree : public ::testing::Test {
 protected:
  void SetUp() override {
    auto loaded = loadMenuFile(test::shippedTreePath(), test::smppMeasure(160, 80));
    ASSERT_TRUE(loaded.ok()) << loaded.errorText();
    tree_ = loaded.tree;
    data_.values = {{"client_name", "Wanjiru Kamau"},
                    {"balance", "4500000"},
                    {"next_amount", "500000"},
                    {"next_due", "2024-06-12"},
                    {"second_amount", "500000"},
                    {"second_due", "2024-07-12"},
                    {"has_second", "1"},
                    {"as_of", "2024-06-01"},
                    {"can_borrow", "1"},
                    {"can_defer", "1"},
                    {"loan_min", "100000"},
                    {"loan_max", "5000000"},
                    {"officer_name", "Peter Otieno"},
                    {"home_branch", "KSM"},
                    {"has_loan1", "1"},
                    {"has_loan2", "1"},
                    {"loan1_acct", "0417"},
                    {"loan1_out", "3000000"},
                    {"loan1_late", "0"},
                    {"loan1_next_amount", "500000"},
                    {"loan1_next_due", "2024-06-12"},
                    {"loan1_officer", "Peter Otieno"},
                    {"loan1_as_of", "2024-06-01"},
                    {"loan2_acct", "0933"},
                    {"loan2_out", "1500000"},
                    {"loan2_late", "250000"},
                    {"loan2_next_amount", "250000"},
                    {"loan2_next_due", "2024-06-20"},
                    {"loan2_officer", "Grace Njeri"},
                    {"loan2_as_of", "2024-05-31"},
                    {"loan_count", "4"},
                    {"has_loan3", "1"},
                    {"loan3_acct", "1288"},
                    {"loan3_out", "99999999"},
                    {"loan3_late", "99999999"},
                    {"loan3_next_amount", "99999999"},
                    {"loan3_next_due", "2024-12-31"},
                    {"loan3_officer", "Abdallah Mwinyi"},
                    {"loan3_as_of", "2024-05-30"},
                    {"in_group", "1"},
                    {"group_name", "Umoja Women"},
                    {"group_members", "24"},
                    {"group_meeting", "2024-06-14"},
                    {"has_cell", "1"},
                    {"cell_place", "cell"}};
    data_.points["KSM"] = {{"Equity Agent Oginga", 850, "Mon-Sat 8-18", ""},
                           {"M-Pesa Shop 12", 1400, "8-20", ""},
                           {"Post office", 2300, "8-17", ""},
                           {"Duka la Mama", 4100, "7-21", ""}};
    data_.points["401"] = data_.points["KSM"];
    data_.points["cell"] = data_.points["KSM"];
    data_.pinStatus = PinOutcome::Ok;
    data_.pin = "1234";
  }

  MenuTreePtr tree_;
  MapData data_;
};

TEST_F(ShippedTree, LoadsInFourLanguagesUnderTheSafeBudget) {
  std::vector<std::string> codes;
  for (const auto& l : tree_->languages)
    codes.push_back(l.code);
  EXPECT_EQ(codes, (std::vector<std::string>{"en", "fr", "es", "ar"}));
  EXPECT_TRUE(checkMenuFile(test::shippedTreePath(), test::smppMeasure(160, 80)).empty());
  // The proof is not vacuous: smaller budgets break it (menus re-page themselves, so it
  // takes a budget that the longest prompts and confirmations cannot meet).
  EXPECT_FALSE(checkMenuFile(test::shippedTreePath(), test::smppMeasure(90, 80)).empty());
  EXPECT_FALSE(checkMenuFile(test::shippedTreePath(), test::smppMeasure(160, 70)).empty());
}

// Explores the dialog breadth-first with a handful of inputs (every option and choice key,
// "more", and one valid value for each kind of input screen) and checks that every screen
// is reached and every page fits, in every language.
TEST_F(ShippedTree, EveryScreenIsReachedAndEveryPageFitsInEveryLanguage) {
  const std::vector<std::string> inputs{"1",    "2",    "3",   "4",    "5",         "6",
                                        "7",    "8",    "9",   "10",   "11",        "98",
                                        "2000", "1234", "401", "4321", "0712345678"};
  std::set<std::string> shownScreens;
  for (const auto& l : tree_->languages) {
    SCOPED_TRACE(l.code);
    std::set<std::string> reached;
    std::set<std::tuple<std::string, uint32_t, std::string>> seen;  // screen, page, language
    std::deque<StepResult> queue{begin(*tree_, l.code, data_)};
    int pages = 0;
    while (!queue.empty()) {
      const StepResult r = std::move(queue.front());
      queue.pop_front();
      ASSERT_NE(r.status, StepStatus::Error) << r.problem;
      EXPECT_FALSE(r.trimmed) << r.text;
      const auto m = tree_->measure(r.text);
      EXPECT_LE(m.units, m.budget) << r.text;
      EXPECT_TRUE(m.budget == 160 || m.budget == 80);
      ++pages;
      reached.insert(r.session.screen);
      if (!r.continues()) continue;
      // Only explore each (screen, page) once per language; choosing another language on
      // the language screen is covered when that language is the one explored.
      if (!seen.emplace(r.session.screen, r.session.page, r.session.language).second) continue;
      if (r.session.language != l.code) continue;
      for (const auto& input : inputs)
        queue.push_back(step(*tree_, r.session, input, data_));
    }
    for (const auto& [id, screen] : tree_->screens) {
      if (screen.type != ScreenType::Action) {
        EXPECT_EQ(reached.count(id), 1u) << id;
      }
    }
    EXPECT_GT(pages, 50);
  }
}

TEST_F(ShippedTree, LoanRequestEndToEndInEnglish) {
  StepResult r = begin(*tree_, "en", data_);
  EXPECT_EQ(r.text,
            "Welcome Wanjiru Kamau\n1 Balance & next due\n2 Request a loan\n3 Delay a payment\n"
            "4 Payment points\n5 Talk to my officer\n6 Language\n98 More");
  EXPECT_EQ(step(*tree_, r.session, "98", data_).text,
            "7 My PIN\n8 My loans\n9 My group\n10 Refer a friend\n11 Exit\n0 Back");
  const std::vector<std::pair<std::string, std::string>> transcript{
      {"2", "Which loan?\n1 Business 3%\n2 School fees 2%\n3 Farming 2.5%\n0 Back 00 Main"},
      {"3", "Amount from KES 1,000.00 to KES 50,000.00:\n0 Back 00 Main"},
      {"60000", "Amount out of range.\nAmount from KES 1,000.00 to KES 50,000.00:\n0 Back 00 Main"},
      {"2000", "Repay in\n1 30 days\n2 60 days\n3 90 days\n0 Back 00 Main"},
      // Farming at 2.5%: the fee and the total are computed by the engine.
      {"2",
       "Borrow KES 2,000.00 for 60 days\nFee: KES 50.00\nTotal to repay: KES 2,050.00\n"
       "1 Confirm\n2 Cancel\n0 Back 00 Main"},
      {"1", "Enter your PIN to confirm\n0 Back 00 Main"},
      {"1234", "Request sent. You will get an SMS with the decision."},
  };
  std::vector<Effect> effects;
  for (const auto& [input, page] : transcript) {
    r = step(*tree_, r.session, input, data_);
    EXPECT_EQ(r.text, page) << "after " << input;
    effects.insert(effects.end(), r.effects.begin(), r.effects.end());
  }
  EXPECT_EQ(r.status, StepStatus::End);
  // The PIN was verified (the gateway resets its count), then the request and its receipt.
  ASSERT_EQ(effects.size(), 3u);
  EXPECT_EQ(std::get<PinAttempt>(effects[0].value), PinAttempt{true});
  EXPECT_EQ(effects[0].screen, "loan_pin");
  EXPECT_EQ(data_.checkedPins, (std::vector<std::string>{"1234"}));
  const auto& credit = std::get<CreditRequest>(effects[1].value);
  EXPECT_EQ(credit.amountMinor, 200000);
  EXPECT_EQ(credit.currency, "KES");
  EXPECT_EQ(credit.termDays, 60);
  EXPECT_EQ(credit.pin, "1234");
  EXPECT_EQ(credit.product, "farming");
  EXPECT_EQ(effects[1].screen, "loan_send");
  const auto& receipt = std::get<SendSms>(effects[2].value);
  EXPECT_TRUE(receipt.to.empty());  // to the caller
  EXPECT_EQ(receipt.text,
            "We received your loan request: KES 2,000.00 for 60 days, fee KES 50.00, total "
            "KES 2,050.00. It is not approved yet; the decision will come by SMS.");
  EXPECT_EQ(receipt.text.find("1234"), std::string::npos);
}

TEST_F(ShippedTree, DeferralInFrenchAndArabicLocatorPaging) {
  const StepResult fr = run(*tree_, "fr", {"3", "2", "2", "1", "1", "1234"}, data_);
  EXPECT_EQ(fr.text, "Demande enregistrée, pas encore approuvée. Vous recevrez un SMS.");
  ASSERT_EQ(fr.effects.size(), 3u);
  EXPECT_EQ(std::get<PinAttempt>(fr.effects[0].value), PinAttempt{true});
  const auto& deferral = std::get<DeferralRequest>(fr.effects[1].value);
  EXPECT_EQ(deferral.installment, "2");
  EXPECT_EQ(deferral.days, 14);
  EXPECT_EQ(deferral.reason, "illness");
  EXPECT_EQ(deferral.pin, "1234");
  EXPECT_EQ(std::get<SendSms>(fr.effects[2].value).text,
            "Demande de report de 14 jours reçue. Elle n'est pas encore approuvée : décision "
            "par SMS.");

  // Arabic pages hold one payment point each; all four are reached with 98.
  StepResult ar = run(*tree_, "ar", {"4", "1"}, data_);
  std::vector<std::string> names;
  for (int i = 0; i < 6 && ar.continues(); ++i) {
    for (const char* name : {"Equity Agent Ogi", "M-Pesa Shop 12", "Post office", "Duka la Mama"})
      if (ar.text.find(name) != std::string::npos) names.push_back(name);
    if (ar.text.find("98 المزيد") == std::string::npos) break;
    ar = step(*tree_, ar.session, "98", data_);
  }
  EXPECT_EQ(names, (std::vector<std::string>{"Equity Agent Ogi", "M-Pesa Shop 12", "Post office",
                                             "Duka la Mama"}));
}

TEST_F(ShippedTree, NotEligibleClientsDoNotSeeLoanOrDeferral) {
  data_.values["can_borrow"] = "0";
  data_.values.erase("can_defer");
  const StepResult r = begin(*tree_, "en", data_);
  EXPECT_EQ(r.text.find("Request a loan"), std::string::npos);
  EXPECT_EQ(r.text.find("Delay a payment"), std::string::npos);
  EXPECT_EQ(step(*tree_, r.session, "2", data_).text.rfind("Invalid choice.\n", 0), 0u);
}

TEST_F(ShippedTree, DialThroughShortcuts) {
  std::vector<std::string> listed;
  for (const auto& s : dialThroughShortcuts(*tree_, "*384#"))
    listed.push_back(s.dial + " " + s.target);
  EXPECT_EQ(listed, (std::vector<std::string>{
                        "*384*1# balance_pin",
                        "*384*2# loan_product",
                        "*384*3# delay_pick",
                        "*384*4# points_menu",
                        "*384*5# officer_confirm",
                        "*384*6# language",
                        "*384*7# pin_old",
                        "*384*8# loans_pin",
                        "*384*9# group_status",
                        "*384*10# refer_phone",
                        "*384*11# bye",
                        "*384*2*1# loan_amount",
                        "*384*2*2# loan_amount",
                        "*384*2*3# loan_amount",
                        "*384*3*1# delay_days",
                        "*384*3*2# delay_days",
                        "*384*4*1# points_branch",
                        "*384*4*2# points_area",
                        "*384*4*3# points_areas",
                        "*384*4*4# points_cell",
                        "*384*4*3*1# points_near",
                        "*384*4*3*2# points_near",
                        "*384*4*3*3# points_near",
                        "*384*4*3*4# points_near",
                        "*384*4*3*5# points_near",
                        "*384*4*3*6# points_near",
                    }));
  // Dialling *384*1# asks for the PIN at once; with the PIN in the string too, it shows the
  // balance and ends the dialog.
  const StepResult pin = run(*tree_, "en", *dialThroughInputs("*384*1#", "*384#"), data_);
  EXPECT_EQ(pin.text, "Enter your PIN\n0 Back 00 Main");
  const auto inputs = dialThroughInputs("*384*1*1234#", "*384#");
  ASSERT_TRUE(inputs.has_value());
  const StepResult r = run(*tree_, "en", *inputs, data_);
  EXPECT_EQ(r.status, StepStatus::End);
  EXPECT_EQ(r.text, "Balance: KES 45,000.00\nNext: KES 5,000.00 due 12/06/2024\nAs of 01/06/2024");
}

}  // namespace
}  // namespace mfigw::menus

namespace mfigw::menus {
namespace {

// Wrong, locked and no PIN on the shipped tree, and setting a PIN, in English and Arabic.
TEST_F(ShippedTree, PinScreensInEnglishAndArabic) {
  StepResult r = run(*tree_, "en", {"1", "9999"}, data_);
  EXPECT_EQ(r.text, "Wrong PIN. Tries left: 2\nEnter your PIN\n0 Back 00 Main");
  data_.triesLeftAfterWrong = 0;
  r = step(*tree_, r.session, "8888", data_);
  EXPECT_EQ(r.status, StepStatus::End);
  EXPECT_EQ(r.text, "PIN locked after too many wrong tries. Please try again later.");
  data_.pinStatus = PinOutcome::Locked;
  r = run(*tree_, "ar", {"3", "1", "1", "4", "1"}, data_);  // deferral, confirmed: the PIN
  EXPECT_EQ(r.text, "تم قفل الرمز. حاول لاحقا.");
  data_.pinStatus = PinOutcome::NotSet;
  r = run(*tree_, "ar", {"98", "7", "5555", "5555"}, data_);
  EXPECT_EQ(r.text, "تم حفظ رمزك. لا تشاركه مع أحد.");
  ASSERT_EQ(r.effects.size(), 1u);
  EXPECT_EQ(std::get<PinSet>(r.effects[0].value).pin, "5555");
}

}  // namespace
}  // namespace mfigw::menus

namespace mfigw::menus {
namespace {

// My loans, group status and refer a friend, walked in every language: the same inputs
// reach the same screens, and each language's pages name the values given.
TEST_F(ShippedTree, MyLoansGroupAndReferralInEveryLanguage) {
  for (const auto& l : tree_->languages) {
    SCOPED_TRACE(l.code);
    // Page 2 of the welcome holds options 7..11 in every language.
    StepResult r = run(*tree_, l.code, {"98", "8", "1234"}, data_);
    EXPECT_EQ(r.session.screen, "loans_list");
    EXPECT_NE(r.text.find("0417"), std::string::npos) << r.text;
    // Arabic pages hold one loan each: option 2 works from any page.
    EXPECT_NE(r.text.find(": 4"), std::string::npos) << r.text;  // all open loans, 3 shown
    r = step(*tree_, r.session, "2", data_);
    EXPECT_EQ(r.session.screen, "loan2");
    EXPECT_NE(r.text.find("20"), std::string::npos) << r.text;  // next due 20/06/2024
    r = step(*tree_, r.session, "1", data_);
    EXPECT_EQ(r.session.screen, "loan2_more");
    EXPECT_EQ(r.status, StepStatus::End);
    EXPECT_NE(r.text.find("Grace Njeri"), std::string::npos) << r.text;
    EXPECT_NE(r.text.find("2024"), std::string::npos) << r.text;

    r = run(*tree_, l.code, {"98", "9"}, data_);
    EXPECT_EQ(r.session.screen, "group_status");
    EXPECT_EQ(r.status, StepStatus::End);
    EXPECT_NE(r.text.find("Umoja Women"), std::string::npos) << r.text;
    EXPECT_NE(r.text.find("24"), std::string::npos) << r.text;
    EXPECT_NE(r.text.find("14"), std::string::npos) << r.text;

    r = run(*tree_, l.code, {"98", "10", "0712345678", "1"}, data_);
    EXPECT_EQ(r.session.screen, "refer_done");
    EXPECT_EQ(r.status, StepStatus::End);
    ASSERT_EQ(r.effects.size(), 1u);
    const auto& referral = std::get<Referral>(r.effects[0].value);
    EXPECT_EQ(referral.phone, "0712345678");
    EXPECT_EQ(r.effects[0].tag, "friend");
  }
}

TEST_F(ShippedTree, MyLoansAndReferralInEnglish) {
  StepResult r = begin(*tree_, "en", data_);
  r = step(*tree_, r.session, "98", data_);
  EXPECT_EQ(r.text, "7 My PIN\n8 My loans\n9 My group\n10 Refer a friend\n11 Exit\n0 Back");
  r = run(*tree_, "en", {"98", "8", "1234"}, data_);
  EXPECT_EQ(r.text,
            "My loans: 4\n1 ...0417 KES 30,000.00\n2 ...0933 KES 15,000.00\n"
            "3 ...1288 KES 999,999.99\n0 Back 00 Main");
  r = step(*tree_, r.session, "1", data_);
  EXPECT_EQ(r.text,
            "Loan ...0417\nOwed: KES 30,000.00\nNext: KES 5,000.00\nDue: 12/06/2024\n"
            "0 Back 00 Main");
  r = step(*tree_, r.session, "1", data_);
  EXPECT_EQ(r.text, "Late: KES 0.00\nOfficer: Peter Otieno\nAs of 01/06/2024");

  // A number the gateway's libphonenumber check refuses repeats the screen.
  data_.refusedPhones.insert("0712345670");
  r = run(*tree_, "en", {"98", "10", "0712345670"}, data_);
  EXPECT_EQ(r.text, "Not a valid phone number.\nYour friend's phone number:\n0 Back 00 Main");
  r = step(*tree_, r.session, "0712345678", data_);
  EXPECT_EQ(r.text,
            "Refer 0712345678? An officer will call them.\n1 Confirm\n2 Cancel\n0 Back 00 Main");
  r = step(*tree_, r.session, "1", data_);
  EXPECT_EQ(r.text, "Thank you for your referral.");
}

TEST_F(ShippedTree, LoansAndGroupHiddenWithoutLoansOrGroup) {
  data_.values["has_loan1"] = "0";
  data_.values["in_group"] = "0";
  const StepResult r = run(*tree_, "en", {"98"}, data_);
  EXPECT_EQ(r.text, "7 My PIN\n10 Refer a friend\n11 Exit\n0 Back");
  EXPECT_EQ(step(*tree_, r.session, "8", data_).text.rfind("Invalid choice.\n", 0), 0u);
  EXPECT_EQ(step(*tree_, r.session, "9", data_).text.rfind("Invalid choice.\n", 0), 0u);
}

}  // namespace
}  // namespace mfigw::menus
