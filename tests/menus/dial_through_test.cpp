// Dial-through strings: into inputs, and derived from a tree.
#include "menus/dial_through.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "menus/engine.hpp"
#include "menus/menu_loader.hpp"
#include "tests/menus/test_support.hpp"

namespace mfigw::menus {
namespace {

using Inputs = std::vector<std::string>;

TEST(DialThrough, InputsFromADialledString) {
  EXPECT_EQ(dialThroughInputs("*123#", "*123#"), Inputs{});
  EXPECT_EQ(dialThroughInputs("*123*1#", "*123#"), Inputs{"1"});
  EXPECT_EQ(dialThroughInputs("*123*1*2*500#", "*123#"), (Inputs{"1", "2", "500"}));
  EXPECT_EQ(dialThroughInputs("*322*342*5000#", "*322*342#"), Inputs{"5000"});
  EXPECT_FALSE(dialThroughInputs("*124*1#", "*123#").has_value());
  EXPECT_FALSE(dialThroughInputs("*1234#", "*123#").has_value());
  EXPECT_FALSE(dialThroughInputs("*123*1", "*123#").has_value());
  EXPECT_FALSE(dialThroughInputs("*123**1#", "*123#").has_value());
  EXPECT_FALSE(dialThroughInputs("*123*#", "*123#").has_value());
  EXPECT_FALSE(dialThroughInputs("*123*1#", "123").has_value());
}

TEST(DialThrough, ShortcutsFollowMenusByTheirShortestPath) {
  const auto loaded = loadMenuFile(test::dataPath("nested.yaml"), test::smppMeasure());
  ASSERT_TRUE(loaded.ok()) << loaded.errorText();
  std::vector<std::string> listed;
  for (const auto& s : dialThroughShortcuts(*loaded.tree, "*123#"))
    listed.push_back(s.dial + " " + s.target + " " + s.label);
  EXPECT_EQ(listed, (std::vector<std::string>{
                        "*123*1# loans Loans",
                        "*123*2# help Help",
                        "*123*1*1# balance Balance",
                        "*123*1*2# savings Savings",
                        "*123*1*9# main Start",
                        "*123*1*2*1# help Deposit",
                        "*123*1*2*2# loans Loans",
                    }));
}

// What a shortcut promises, the engine does: dialling it lands on its target.
TEST(DialThrough, EveryShortcutLandsOnItsTarget) {
  const auto loaded = loadMenuFile(test::dataPath("nested.yaml"), test::smppMeasure());
  ASSERT_TRUE(loaded.ok());
  const test::MapData data;
  for (const auto& shortcut : dialThroughShortcuts(*loaded.tree, "*123#")) {
    const auto inputs = dialThroughInputs(shortcut.dial, "*123#");
    ASSERT_TRUE(inputs.has_value()) << shortcut.dial;
    EXPECT_EQ(*inputs, shortcut.keys);
    const StepResult r = run(*loaded.tree, "en", *inputs, data);
    EXPECT_NE(r.status, StepStatus::Error) << shortcut.dial;
    EXPECT_EQ(r.session.screen, shortcut.target) << shortcut.dial;
  }
}

}  // namespace
}  // namespace mfigw::menus
