// Computed variables: a fee as a share of an amount (basis points set by the option the
// caller chose) and a total as a sum, rendered with the money format; and the loader's
// errors for a formula that names the wrong things.
#include <gtest/gtest.h>

#include <string>

#include "menus/engine.hpp"
#include "menus/menu_loader.hpp"
#include "tests/menus/test_support.hpp"

namespace mfigw::menus {
namespace {

using test::MapData;
using test::smppMeasure;

// A product menu that sets the fee rate, an amount, and a summary with fee and total.
std::string tree(const std::string& extraVars = "", const std::string& writeFee = "") {
  return R"(version: fees-1
start: product
languages:
  en: {name: English}
  fr: {name: Français, thousands: " ", decimal: ",", money: "{amount} {code}"}
currency: {code: KES, decimals: 2}
labels:
  back: {en: Back, fr: Retour}
  main: {en: Main, fr: Menu}
  more: {en: More, fr: Suite}
  yes: {en: Confirm, fr: Confirmer}
  no: {en: Cancel, fr: Annuler}
messages:
  invalid_option: {en: Invalid choice., fr: Choix invalide.}
  invalid_input: {en: Invalid entry., fr: Saisie invalide.}
  unavailable: {en: Service unavailable., fr: Service indisponible.}
vars:
  amount: {type: money, max: 14}
  fee_bp: {type: number, max: 5}
  fee: {type: money, max: 14, share: {of: amount, basis_points: fee_bp}}
  total: {type: money, max: 14, sum: [amount, fee]}
)" + extraVars +
         R"(screens:
  product:
    type: menu
    text: {en: Product, fr: Produit}
    options:
      - {label: {en: Business 2.5%, fr: "Commerce 2,5%"}, target: amount, set: {fee_bp: "250"}}
      - {label: {en: School 1%, fr: Ecole 1%}, target: amount, set: {fee_bp: "100"}}
  amount:
    type: input
    text: {en: Amount, fr: Montant}
    store: amount
    validate: {type: amount, min: 100, max: 5000000}
    next: summary
  summary:
    type: confirm
    text: {en: "Fee {fee} Total {total}", fr: "Frais {fee} Total {total}"}
    on_yes: done
    on_no: product
)" + writeFee +
         R"(  done:
    type: end
    text: {en: Done., fr: Fini.}
)";
}

TEST(ComputedVars, AFeeIsAShareOfTheAmountAndTheTotalTheirSum) {
  const auto loaded = loadMenuText(tree(), "fees.yaml", smppMeasure());
  ASSERT_TRUE(loaded.ok()) << loaded.errorText();
  MapData data;
  // KES 8,000.00 at 250 bp: fee 200.00, total 8,200.00.
  StepResult r = run(*loaded.tree, "en", {"1", "8000"}, data);
  EXPECT_EQ(r.text.rfind("Fee KES 200.00 Total KES 8,200.00\n", 0), 0u) << r.text;
  // Rounding half up: 1,235.00 at 2.5% is 30.875 -> 30.88; the other product's rate.
  r = run(*loaded.tree, "en", {"1", "1235"}, data);
  EXPECT_EQ(r.text.rfind("Fee KES 30.88 Total KES 1,265.88\n", 0), 0u) << r.text;
  r = run(*loaded.tree, "en", {"2", "1235"}, data);
  EXPECT_EQ(r.text.rfind("Fee KES 12.35 Total KES 1,247.35\n", 0), 0u) << r.text;
  // Formatted per language like any money value.
  r = run(*loaded.tree, "fr", {"1", "8000"}, data);
  EXPECT_EQ(r.text.rfind("Frais 200,00 KES Total 8 200,00 KES\n", 0), 0u) << r.text;
  // Never stored in the session: only what the caller chose and typed is.
  EXPECT_EQ(r.session.vars.count("fee"), 0u);
  EXPECT_EQ(r.session.vars.count("total"), 0u);
  EXPECT_EQ(r.session.vars.at("fee_bp"), "250");
}

TEST(ComputedVars, AMissingOperandShowsADashNotAGuess) {
  const auto loaded = loadMenuText(tree(), "fees.yaml", smppMeasure());
  ASSERT_TRUE(loaded.ok()) << loaded.errorText();
  MapData data;
  // Straight to the summary through a session with no rate in it.
  StepResult r = run(*loaded.tree, "en", {"1", "8000"}, data);
  Session s = r.session;
  s.vars.erase("fee_bp");
  r = step(*loaded.tree, s, "9", data);  // invalid choice: the summary is shown again
  EXPECT_NE(r.text.find("Fee - Total -"), std::string::npos) << r.text;
}

TEST(ComputedVars, TheLoaderNamesABadFormulaWhereItIs) {
  const auto errors = [](const std::string& yaml) {
    const auto loaded = loadMenuText(yaml, "fees.yaml", smppMeasure());
    EXPECT_FALSE(loaded.ok());
    return loaded.errorText();
  };
  // An unknown operand, a text rate, a sum of sums, a computed text, both at once.
  std::string text =
      errors(tree("  bad1: {type: money, max: 14, share: {of: amount, "
                  "basis_points: nothing}}\n"
                  "  label: {type: text, max: 10}\n"
                  "  bad2: {type: money, max: 14, share: {of: amount, "
                  "basis_points: label}}\n"
                  "  bad3: {type: money, max: 14, sum: [total, fee]}\n"
                  "  bad4: {type: text, max: 14, sum: [amount, fee]}\n"
                  "  bad5: {type: money, max: 14, sum: [amount], share: "
                  "{of: amount, basis_points: fee_bp}}\n"));
  EXPECT_NE(text.find("fees.yaml:22:32: vars.bad1: unknown variable 'nothing'"), std::string::npos)
      << text;
  EXPECT_NE(text.find("vars.bad2: 'label' must be a number (basis points)"), std::string::npos)
      << text;
  EXPECT_NE(text.find("vars.bad3: 'total' is computed too; only a sum may name a share"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("vars.bad4.sum: only money and number variables can be computed"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("vars.bad5.sum: a variable is a share or a sum, not both"), std::string::npos)
      << text;
  // A screen that writes a computed value.
  text = errors(tree("",
                     "  typed_fee:\n    type: input\n    text: {en: Fee, fr: Frais}\n"
                     "    store: fee\n    validate: {type: integer, min: 1, max: 9}\n"
                     "    next: done\n"));
  EXPECT_NE(text.find("vars.fee: a computed variable cannot be written by a screen"),
            std::string::npos)
      << text;
}

}  // namespace
}  // namespace mfigw::menus
