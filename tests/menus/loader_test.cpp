// The menu loader: a valid tree loads; each kind of mistake is reported at its exact
// FILE:LINE:COL, all of them collected in one pass.
#include "menus/menu_loader.hpp"

#include <gtest/gtest.h>

#include <initializer_list>
#include <regex>
#include <string>
#include <string_view>
#include <vector>

#include "menus/engine.hpp"
#include "tests/menus/test_support.hpp"

namespace mfigw::menus {
namespace {

using test::dataPath;
using test::smppMeasure;

std::vector<std::string> errorLines(const std::string& file) {
  std::vector<std::string> out;
  for (const auto& e : loadMenuFile(dataPath(file), smppMeasure()).errors) {
    std::string line = e.toString();
    // Test data paths depend on the checkout; keep the file name only.
    line.erase(0, line.find("data/") + 5);
    out.push_back(line);
  }
  return out;
}

TEST(MenuLoader, TinyTreeLoads) {
  const auto result = loadMenuFile(dataPath("tiny.yaml"), smppMeasure());
  ASSERT_TRUE(result.ok()) << result.errorText();
  const MenuTree& tree = *result.tree;
  EXPECT_EQ(tree.label, "tiny-1");
  EXPECT_EQ(tree.version.rfind("tiny-1@", 0), 0u) << tree.version;
  EXPECT_EQ(tree.version.size(), std::string("tiny-1@").size() + 16);
  ASSERT_EQ(tree.languages.size(), 3u);
  EXPECT_EQ(tree.languages[1].code, "fr");
  EXPECT_EQ(tree.languages[1].thousands, " ");
  EXPECT_EQ(tree.start, "main");
  ASSERT_NE(tree.screen("main"), nullptr);
  EXPECT_EQ(tree.screen("main")->options.size(), 2u);
  EXPECT_EQ(tree.screen("main")->options[1].key, "2");  // numbered by position
  EXPECT_TRUE(tree.screen("balance")->ends());
  EXPECT_EQ(tree.var("balance")->currency, "KES");
  EXPECT_EQ(tree.var("balance")->decimals, 2);
  // One page per language: two short options fit.
  for (const auto& pages : tree.screen("main")->pages)
    EXPECT_EQ(pages.size(), 1u);
}

TEST(MenuLoader, VersionChangesWithTheText) {
  const std::string text = test::readFile(dataPath("tiny.yaml"));
  const auto a = loadMenuText(text, "a.yaml", smppMeasure());
  const auto b = loadMenuText(text + "# edited\n", "a.yaml", smppMeasure());
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_NE(a.tree->version, b.tree->version);
  EXPECT_EQ(a.tree->label, b.tree->label);
}

TEST(MenuLoader, DanglingTarget) {
  EXPECT_EQ(errorLines("broken_dangling.yaml"),
            (std::vector<std::string>{
                "broken_dangling.yaml:27:63: screens.main.options[0].target: unknown screen "
                "'balanse'",
                "broken_dangling.yaml:29:3: screens.balance: unreachable: no path leads here from "
                "the start screen 'main'",
            }));
}

TEST(MenuLoader, UnreachableScreen) {
  EXPECT_EQ(errorLines("broken_unreachable.yaml"),
            (std::vector<std::string>{
                "broken_unreachable.yaml:35:3: screens.orphan: unreachable: no path leads here "
                "from the start screen 'main'",
            }));
}

TEST(MenuLoader, MissingAndUnknownTranslations) {
  EXPECT_EQ(errorLines("broken_translation.yaml"),
            (std::vector<std::string>{
                "broken_translation.yaml:12:9: labels.more: missing translation for 'ar'",
                "broken_translation.yaml:34:59: screens.bye.text.de: 'de' is not a configured "
                "language",
            }));
}

TEST(MenuLoader, ReservedAndRepeatedOptionKeys) {
  EXPECT_EQ(errorLines("broken_reserved.yaml"),
            (std::vector<std::string>{
                "broken_reserved.yaml:28:15: screens.main.options[1].key: key \"0\" is reserved "
                "for 'back' (navigation.back)",
                "broken_reserved.yaml:29:15: screens.main.options[2].key: key \"98\" is reserved "
                "for 'more' (navigation.more)",
                "broken_reserved.yaml:30:15: screens.main.options[3].key: duplicate key \"1\" "
                "(first at line 27)",
            }));
}

TEST(MenuLoader, DuplicateIds) {
  EXPECT_EQ(errorLines("broken_duplicate.yaml"),
            (std::vector<std::string>{
                "broken_duplicate.yaml:22:3: vars.name: duplicate variable 'name' (first given at "
                "line 20)",
                "broken_duplicate.yaml:36:3: screens.bye: duplicate screen id 'bye' (first given "
                "at line 33)",
            }));
}

TEST(MenuLoader, UnknownKeysAtEveryLevel) {
  EXPECT_EQ(errorLines("broken_unknown_key.yaml"),
            (std::vector<std::string>{
                "broken_unknown_key.yaml:8:36: currency.symbol: unknown key 'symbol'",
                "broken_unknown_key.yaml:26:5: screens.main.optoins: unknown key 'optoins'; did "
                "you mean 'options'?",
                "broken_unknown_key.yaml:28:10: screens.main.options[0].lable: unknown key "
                "'lable'; did you mean 'label'?",
            }));
}

// The same display fits in English and French (GSM 7-bit, 182 septets) but not in Arabic
// (UCS-2, 80 characters) once {balance} takes its declared 16 characters.
TEST(MenuLoader, WorstCasePageOverBudgetInArabicOnly) {
  EXPECT_EQ(errorLines("broken_budget.yaml"),
            (std::vector<std::string>{
                "broken_budget.yaml:29:3: screens.balance: the page in 'ar' needs 98 units in the "
                "worst case; the budget is 80",
            }));
  // With room for Arabic the same file loads: only the budget was wrong.
  const auto roomy = loadMenuFile(dataPath("broken_budget.yaml"), smppMeasure(182, 100));
  EXPECT_TRUE(roomy.ok()) << roomy.errorText();
}

// The declared maximum of a variable is what the proof uses: a longer max tips the page.
TEST(MenuLoader, DeclaredMaximumDecidesTheWorstCase) {
  std::string text = test::readFile(dataPath("broken_budget.yaml"));
  const auto roomy = loadMenuText(text, "b.yaml", smppMeasure(182, 98));
  EXPECT_TRUE(roomy.ok()) << roomy.errorText();
  const std::string from = "balance: {type: money, max: 16}";
  text.replace(text.find(from), from.size(), "balance: {type: money, max: 17}");
  const auto tight = loadMenuText(text, "b.yaml", smppMeasure(182, 98));
  ASSERT_EQ(tight.errors.size(), 1u);
  EXPECT_EQ(tight.errors[0].toString(),
            "b.yaml:29:3: screens.balance: the page in 'ar' needs 99 units in the worst case; the "
            "budget is 98");
}

// A YAML text built from lines, so tests can say which line a mistake is on.
std::string lines(std::initializer_list<std::string_view> ls) {
  std::string out;
  for (const auto l : ls) {
    out += l;
    out += '\n';
  }
  return out;
}

const std::initializer_list<std::string_view> kHead = {
    "version: t",                        // 1
    "start: main",                       // 2
    "languages: {en: {name: English}}",  // 3
    "labels: {back: {en: Back}, main: {en: Main}, more: {en: More}, yes: {en: Y}, no: {en: N}}",
    "messages: {invalid_option: {en: Bad.}, invalid_input: {en: Bad.}, unavailable: {en: Off.}}",
};

std::vector<std::string> errorsOf(std::initializer_list<std::string_view> body) {
  std::string text = lines(kHead) + lines(body);
  std::vector<std::string> out;
  for (const auto& e : loadMenuText(text, "t.yaml", smppMeasure()).errors)
    out.push_back(e.toString());
  return out;
}

TEST(MenuLoader, SyntaxErrorHasAPosition) {
  const auto errors = errorsOf({
      "screens:",                                // 6
      "  main: {type: end, text: {en: [oops}}",  // 7
  });
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].rfind("t.yaml:7:", 0), 0u) << errors[0];
}

TEST(MenuLoader, TemplatesNameDeclaredShowableVariables) {
  EXPECT_EQ(errorsOf({
                "vars: {ok: {type: flag}}",                                     // 6
                "screens:",                                                     // 7
                "  main: {type: end, text: {en: \"Hi {who}, {ok} {{x}} {\"}}",  // 8
                "  other: {type: end, text: {en: \"Hi {who} and {ok}\"}}",      // 9
            }),
            (std::vector<std::string>{
                "t.yaml:8:32: screens.main.text.en: unclosed '{' (write '{{' for a literal brace)",
                "t.yaml:9:3: screens.other: unreachable: no path leads here from the start screen "
                "'main'",
                "t.yaml:9:33: screens.other.text.en: unknown variable '{who}'; declare it under "
                "vars",
                "t.yaml:9:33: screens.other.text.en: '{ok}' is a flag variable and cannot be shown",
            }));
}

TEST(MenuLoader, ActionsChecked) {
  EXPECT_EQ(
      errorsOf({
          "vars: {amt: {type: text, max: 5}, pin: {type: secret}}",  // 6
          "screens:",                                                // 7
          "  main:",                                                 // 8
          "    type: menu",                                          // 9
          "    options:",                                            // 10
          "      - {label: {en: A}, target: a1}",                    // 11
          "      - {label: {en: B}, target: sms}",                   // 12
          "  a1: {type: action, effect: credit_request, params: {amount: amt, pin: pin}, next: a2}",
          "  a2: {type: action, effect: referral, next: a1}",                         // 14
          "  sms: {type: action, effect: send_sms, next: main, params: {who: pin}}",  // 15
          "  bye: {type: action, effect: wire_money, next: main}",                    // 16
      }),
      (std::vector<std::string>{
          "t.yaml:13:3: screens.a1: actions loop without showing a page (a1 -> a2 -> a1)",
          "t.yaml:13:63: screens.a1.params.amount: 'amt' is a text variable, which does not fit "
          "parameter 'amount'",
          "t.yaml:15:8: screens.sms: missing key 'message'",
          "t.yaml:15:62: screens.sms.params.who: unknown key 'who'; did you mean 'to'?",
          "t.yaml:16:3: screens.bye: unreachable: no path leads here from the start screen 'main'",
          "t.yaml:16:31: screens.bye.effect: unknown effect 'wire_money' (credit_request, "
          "deferral_request, referral, survey_answer, send_sms, pin_set)",
      }));
}

TEST(MenuLoader, InputsChecked) {
  EXPECT_EQ(
      errorsOf({
          "vars: {n: {type: number, max: 5}, when: {type: date}}",  // 6
          "screens:",                                               // 7
          "  main:",                                                // 8
          "    type: input",                                        // 9
          "    text: {en: How much}",                               // 10
          "    store: n",                                           // 11
          "    validate: {type: amount, min: 10, max: limit}",      // 12
          "    next: day",                                          // 13
          "  day:",                                                 // 14
          "    type: input",                                        // 15
          "    text: {en: Which day}",                              // 16
          "    store: when",                                        // 17
          "    validate: {type: regex, pattern: \"[0-9\"}",         // 18
          "    next: main",                                         // 19
      }),
      (std::vector<std::string>{
          "t.yaml:11:12: screens.main.store: an amount input stores into a money variable; "
          "'n' is number",
          "t.yaml:12:44: screens.main.validate.max: expected an amount or a money variable, "
          "got \"limit\"",
          "t.yaml:17:12: screens.day.store: a regex input stores into a text variable; "
          "'when' is date",
          std::string("t.yaml:18:38: screens.day.validate.pattern: bad regular expression: ") +
              [] {
                try {
                  std::regex r("[0-9");
                } catch (const std::regex_error& e) {
                  return std::string(e.what());
                }
                return std::string();
              }(),
      }));
}

TEST(MenuLoader, NavigationKeysAreConfigurableAndReserved) {
  EXPECT_EQ(errorsOf({
                "navigation: {back: \"1\", main: \"99\", more: \"99\", yes: \"5\"}",  // 6
                "screens:",                                                           // 7
                "  main: {type: menu, options: [{label: {en: A}, target: lang}]}",    // 8
                "  lang: {type: language, text: {en: L}, next: main}",                // 9
            }),
            (std::vector<std::string>{
                "t.yaml:6:43: navigation.more: 'main' and 'more' cannot both be key \"99\"",
                "t.yaml:8:32: screens.main.options[0].key: key \"1\" is reserved for 'back' "
                "(navigation.back)",
                "t.yaml:9:3: screens.lang: key \"1\" is reserved for 'back' (navigation.back)",
            }));
}

TEST(MenuLoader, RegexPatternsMustStayCheap) {
  const auto errors = errorsOf({
      "vars: {code: {type: text, max: 5}}",                          // 6
      "screens:",                                                    // 7
      "  main: {type: input, text: {en: A}, store: code, next: b,",  // 8
      "         validate: {type: regex, pattern: \"^(1)\\\\1$\"}}",  // 9
      "  b: {type: input, text: {en: B}, store: code, next: main,",  // 10
      "      validate: {type: regex, pattern: \"^[0-9]{31}$\"}}",    // 11
  });
  ASSERT_EQ(errors.size(), 2u);
  EXPECT_EQ(
      errors[0].rfind("t.yaml:9:43: screens.main.validate.pattern: bad regular expression", 0), 0u)
      << errors[0];
  EXPECT_EQ(errors[1],
            "t.yaml:11:40: screens.b.validate.pattern: repetition bound 31 is above 30 (the "
            "matcher expands repetitions)");
}

// A pattern that backtracks exponentially in a naive matcher still answers at once: the
// test would hang (and time out) otherwise.
TEST(MenuLoader, CatastrophicPatternStillMatchesQuickly) {
  const std::string text = lines(kHead) + lines({
                                              "vars: {code: {type: text, max: 5}}",
                                              "screens:",
                                              "  main: {type: input, text: {en: A}, store: code,",
                                              "         next: done, validate: {type: regex, "
                                              "pattern: \"^(1*)*2$\"}}",
                                              "  done: {type: end, text: {en: Ok}}",
                                          });
  const auto loaded = loadMenuText(text, "t.yaml", smppMeasure());
  ASSERT_TRUE(loaded.ok()) << loaded.errorText();
  const test::MapData data;
  const StepResult r = run(*loaded.tree, "en", {std::string(64, '1')}, data);
  EXPECT_EQ(r.session.screen, "main");
  EXPECT_EQ(run(*loaded.tree, "en", {"1112"}, data).session.screen, "done");
}

TEST(MenuLoader, StartMustExistAndShowAPage) {
  EXPECT_EQ(errorsOf({
                "screens:",                             // 6
                "  home: {type: end, text: {en: Hi}}",  // 7
            }),
            (std::vector<std::string>{
                "t.yaml:2:8: start: unknown screen 'main'",
            }));
}

TEST(MenuLoader, EverythingMissing) {
  const auto result = loadMenuText("", "e.yaml", smppMeasure());
  ASSERT_EQ(result.errors.size(), 1u);
  EXPECT_EQ(result.errors[0].toString(), "e.yaml:1:1: the menu file is empty");
  const auto noMeasure = loadMenuFile(dataPath("tiny.yaml"), TextMeasure{});
  ASSERT_EQ(noMeasure.errors.size(), 1u);
  EXPECT_EQ(noMeasure.errors[0].message, "no text measure given to the loader");
  const auto missing = checkMenuFile(dataPath("no-such-file.yaml"), smppMeasure());
  ASSERT_EQ(missing.size(), 1u);
  EXPECT_EQ(missing[0].line, 0);
  EXPECT_TRUE(checkMenuFile(dataPath("tiny.yaml"), smppMeasure()).empty());
}

TEST(MenuLoader, SecondDocumentRejected) {
  std::string text = test::readFile(dataPath("tiny.yaml")) + "---\nversion: two\n";
  const auto result = loadMenuText(text, "d.yaml", smppMeasure());
  ASSERT_EQ(result.errors.size(), 1u);
  EXPECT_EQ(result.errors[0].message, "only one YAML document is allowed");
  EXPECT_EQ(result.errors[0].line, 36);  // tiny.yaml has 34 lines, then "---"
}

// A menu too long for one page is planned into pages, per language: Arabic (80 UCS-2
// characters) needs more pages than English (182 septets).
TEST(MenuLoader, LongMenusArePagedPerLanguage) {
  const auto result = loadMenuFile(dataPath("paged.yaml"), smppMeasure());
  ASSERT_TRUE(result.ok()) << result.errorText();
  const Screen& menu = *result.tree->screen("main");
  const auto& en = menu.pages[static_cast<std::size_t>(result.tree->languageIndex("en"))];
  const auto& ar = menu.pages[static_cast<std::size_t>(result.tree->languageIndex("ar"))];
  EXPECT_EQ(en.size(), 2u);
  EXPECT_GT(ar.size(), en.size());
  // Every option is on exactly one page, in order.
  for (const auto* pages : {&en, &ar}) {
    std::size_t expected = 0;
    for (const auto& page : *pages)
      for (const std::size_t option : page)
        EXPECT_EQ(option, expected++);
    EXPECT_EQ(expected, menu.options.size());
  }
}

}  // namespace
}  // namespace mfigw::menus

namespace mfigw::menus {
namespace {

TEST(MenuLoader, PinOptionsChecked) {
  EXPECT_EQ(
      errorsOf({
          "vars: {pin: {type: secret}, again: {type: secret}, n: {type: number, max: 2}}",  // 6
          "screens:",                                                                       // 7
          "  main:",                                                                        // 8
          "    type: menu",                                                                 // 9
          "    options:",                                                                   // 10
          "      - {label: {en: A}, target: check}",                                        // 11
          "      - {label: {en: B}, target: repeat}",                                       // 12
          "  check: {type: input, text: {en: P}, store: pin, validate: {type: pin, verify: true}, "
          "next: main}",  // 13
          "  repeat: {type: input, text: {en: R}, store: again, on_no_pin: main, validate: {type: "
          "pin, same_as: n}, next: main}",  // 14
          "  twice: {type: input, text: {en: R}, store: again, validate: {type: pin, verify: yes, "
          "same_as: pin}, on_no_pin: main, next: main}",  // 15
      }),
      (std::vector<std::string>{
          "t.yaml:5:11: messages: missing key 'pin_wrong' (the error line after a wrong PIN; a "
          "screen verifies one)",
          "t.yaml:5:11: messages: missing key 'pin_locked' (the page of a locked PIN; a screen "
          "verifies one)",
          "t.yaml:13:10: screens.check: missing key 'on_no_pin'",
          "t.yaml:14:54: screens.repeat.on_no_pin: 'on_no_pin' applies only to a pin input with "
          "verify",
          "t.yaml:14:102: screens.repeat.validate.same_as: 'n' is not a secret variable",
          "t.yaml:15:3: screens.twice: unreachable: no path leads here from the start screen "
          "'main'",
          "t.yaml:15:10: screens.twice: missing key 'on_mismatch'",
          "t.yaml:15:83: screens.twice.validate.verify: verify is true or false",
          "t.yaml:15:103: screens.twice.on_no_pin: 'on_no_pin' applies only to a pin input with "
          "verify",
      }));
}

}  // namespace
}  // namespace mfigw::menus
