// PINs in the engine: a verifying PIN input asks the DataSource, answers a wrong PIN with the
// tries left, a locked PIN with the locked page, a missing PIN with the creation screens; every
// try is an effect (the engine never writes); a new PIN is typed twice and becomes a PinSet.
// No PIN ever reaches describe(), the page text or the encoded session.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "menus/engine.hpp"
#include "menus/menu_loader.hpp"
#include "menus/session.hpp"
#include "tests/menus/test_support.hpp"

namespace mfigw::menus {
namespace {

class PinEngineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto loaded = loadMenuFile(test::dataPath("pin.yaml"), test::smppMeasure());
    ASSERT_TRUE(loaded.ok()) << loaded.errorText();
    tree_ = loaded.tree;
    data_.values = {{"balance", "1250000"}};
    data_.pinStatus = PinOutcome::Ok;
    data_.pin = "482913";
  }
  StepResult next(const StepResult& from, std::string_view input) {
    return step(*tree_, from.session, input, data_);
  }
  // Asserts no trace of `pin` in what leaves the engine for storage or logs.
  static void expectNoPin(const StepResult& r, const std::string& pin) {
    EXPECT_EQ(r.text.find(pin), std::string::npos) << r.text;
    EXPECT_EQ(encodeSession(r.session).find(pin), std::string::npos);
    for (const auto& [name, value] : r.session.vars)
      EXPECT_NE(value, pin) << name;
    for (const Effect& e : r.effects)
      EXPECT_EQ(describe(e).find(pin), std::string::npos) << describe(e);
  }

  MenuTreePtr tree_;
  test::MapData data_;
};

std::vector<PinAttempt> attempts(const StepResult& r) {
  std::vector<PinAttempt> out;
  for (const Effect& e : r.effects)
    if (const auto* a = std::get_if<PinAttempt>(&e.value)) out.push_back(*a);
  return out;
}

TEST_F(PinEngineTest, TheRightPinOpensTheBalanceAndReportsAnOkAttempt) {
  StepResult r = run(*tree_, "en", {"1"}, data_);
  EXPECT_EQ(r.text, "Enter your PIN\n0 Back 00 Main");
  r = next(r, "482913");
  EXPECT_EQ(r.status, StepStatus::End);
  EXPECT_EQ(r.text, "Balance: KES 12,500.00");
  ASSERT_EQ(r.effects.size(), 1u);
  EXPECT_EQ(std::get<PinAttempt>(r.effects[0].value), PinAttempt{true});
  EXPECT_EQ(describe(r.effects[0]), "pin_attempt ok=1 screen=balance_pin step=2");
  EXPECT_EQ(data_.checkedPins, (std::vector<std::string>{"482913"}));
  expectNoPin(r, "482913");
  EXPECT_TRUE(r.session.secrets.empty());
}

TEST_F(PinEngineTest, AWrongPinRepeatsTheScreenWithTheTriesLeft) {
  StepResult r = run(*tree_, "en", {"1", "111111"}, data_);
  EXPECT_EQ(r.status, StepStatus::Continue);
  EXPECT_EQ(r.text, "Wrong PIN, 2 tries left.\nEnter your PIN\n0 Back 00 Main");
  EXPECT_EQ(attempts(r), (std::vector<PinAttempt>{PinAttempt{false}}));
  expectNoPin(r, "111111");
  // Arabic shows its own line, and still fits its page.
  StepResult ar = run(*tree_, "ar", {"1", "111111"}, data_);
  EXPECT_EQ(ar.text.rfind("رمز خاطئ، بقي 2.", 0), 0u) << ar.text;
  const auto m = tree_->measure(ar.text);
  EXPECT_LE(m.units, m.budget);
  // A PIN of the wrong shape is not a try: no effect, the usual error line.
  r = next(r, "12ab");
  EXPECT_EQ(r.text, "Invalid entry.\nEnter your PIN\n0 Back 00 Main");
  EXPECT_TRUE(r.effects.empty());
  EXPECT_EQ(data_.checkedPins.size(), 2u);
  // Then the right one goes through.
  r = next(r, "482913");
  EXPECT_EQ(r.text, "Balance: KES 12,500.00");
}

TEST_F(PinEngineTest, TheTryThatLocksEndsWithTheLockedPage) {
  data_.triesLeftAfterWrong = 0;
  const StepResult r = run(*tree_, "en", {"1", "222222"}, data_);
  EXPECT_EQ(r.status, StepStatus::End);
  EXPECT_EQ(r.text, "PIN locked. Try again later.");
  EXPECT_EQ(attempts(r), (std::vector<PinAttempt>{PinAttempt{false}}));
}

TEST_F(PinEngineTest, ALockedPinIsToldOnEntryWithoutATry) {
  data_.pinStatus = PinOutcome::Locked;
  const StepResult r = run(*tree_, "en", {"1"}, data_);
  EXPECT_EQ(r.status, StepStatus::End);
  EXPECT_EQ(r.text, "PIN locked. Try again later.");
  EXPECT_TRUE(r.effects.empty());
  EXPECT_TRUE(data_.checkedPins.empty());
}

TEST_F(PinEngineTest, NoPinYetGoesToTheCreationScreensAndEndsInPinSet) {
  data_.pinStatus = PinOutcome::NotSet;
  StepResult r = run(*tree_, "en", {"1"}, data_);
  EXPECT_EQ(r.text, "New PIN (4 to 6 digits)\n0 Back 00 Main");
  EXPECT_EQ(r.session.screen, "pin_new");
  r = next(r, "975310");
  EXPECT_EQ(r.text, "Repeat the new PIN\n0 Back 00 Main");
  EXPECT_TRUE(r.effects.empty());
  // The new PIN waits for its repeat outside the encoded session.
  EXPECT_EQ(r.session.secrets.count("pin_new"), 1u);
  expectNoPin(r, "975310");
  const Session stored = *decodeSession(encodeSession(r.session));
  EXPECT_TRUE(stored.secrets.empty());
  r = next(r, "975310");
  EXPECT_EQ(r.status, StepStatus::End);
  EXPECT_EQ(r.text, "Your PIN is set.");
  ASSERT_EQ(r.effects.size(), 1u);
  EXPECT_EQ(std::get<PinSet>(r.effects[0].value).pin, "975310");
  EXPECT_EQ(describe(r.effects[0]), "pin_set pin=(given) screen=pin_save step=3");
  expectNoPin(r, "975310");
  EXPECT_TRUE(r.session.secrets.empty());
  EXPECT_TRUE(data_.checkedPins.empty());  // nothing to verify without a PIN
}

TEST_F(PinEngineTest, ChangingThePinAsksTheOldOneFirst) {
  StepResult r = run(*tree_, "en", {"2"}, data_);
  EXPECT_EQ(r.text, "Current PIN\n0 Back 00 Main");
  r = next(r, "482913");
  EXPECT_EQ(r.text, "New PIN (4 to 6 digits)\n0 Back 00 Main");
  EXPECT_EQ(attempts(r), (std::vector<PinAttempt>{PinAttempt{true}}));
  EXPECT_TRUE(r.session.secrets.empty());  // the old PIN is not kept
  r = next(r, "1357");
  r = next(r, "1357");
  EXPECT_EQ(r.text, "Your PIN is set.");
  ASSERT_EQ(r.effects.size(), 1u);
  EXPECT_EQ(std::get<PinSet>(r.effects[0].value).pin, "1357");
}

TEST_F(PinEngineTest, DifferentRepeatGoesToTheMismatchPageAndStartsOver) {
  data_.pinStatus = PinOutcome::NotSet;
  StepResult r = run(*tree_, "en", {"2", "1357"}, data_);
  r = next(r, "1358");
  EXPECT_EQ(r.text, "The PINs differ.\n0 Back 00 Main");
  EXPECT_TRUE(r.effects.empty());
  EXPECT_TRUE(r.session.secrets.empty());
  r = next(r, "x");  // any input moves the display on
  EXPECT_EQ(r.session.screen, "pin_new");
  // A repeat whose first PIN was lost (a daemon restart between the two) mismatches too.
  r = next(r, "2468");
  Session lost = r.session;
  lost.secrets.clear();
  r = step(*tree_, lost, "2468", data_);
  EXPECT_EQ(r.session.screen, "pin_differ");
  EXPECT_TRUE(r.effects.empty());
}

}  // namespace
}  // namespace mfigw::menus
