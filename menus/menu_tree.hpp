// menus/menu_tree.hpp: a loaded USSD menu tree (screens, texts in every language, variables).
//
// Purpose:   The immutable model the loader builds from a menu YAML file and the engine
//            walks. A tree is a set of screens with ids; every text exists in every
//            configured language; every template variable is declared with a type and a
//            maximum rendered length, so the loader can prove each page fits its budget.
//            Menu pages are planned at load time (per language, worst case), so the
//            engine only filters options by their conditions.
// Threading: Immutable after loading; share it as std::shared_ptr<const MenuTree> across
//            threads. The TextMeasure it holds must be a pure function.
// Errors:    None here (the loader reports; the engine returns values).
// Ownership: The tree owns everything it refers to. Screens refer to each other by id.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <regex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "menus/text_template.hpp"

namespace mfigw::menus {

// What a page of UTF-8 text costs on the air: `units` used and the `budget` of the encoding
// the text would be sent in (e.g. 182 septets for GSM 7-bit, 80 characters for UCS-2).
// Provided by the caller (built on smpp/text_encoding.hpp in the gateway), because menus/
// must not depend on smpp/. A text that cannot be measured (invalid UTF-8) should report
// units above its budget.
struct TextMeasurement {
  std::size_t units = 0;
  std::size_t budget = 0;
};
using TextMeasure = std::function<TextMeasurement(std::string_view utf8)>;

// A position in the menu file, 1-based (0 when unknown).
struct SourcePos {
  int line = 0;
  int column = 0;
};

// How values are written in one language.
struct Locale {
  std::string code;                              // "en"
  std::string name;                              // "English", shown on the language screen
  std::string thousands = ",";                   // grouping separator ("" for none)
  std::string decimal = ".";                     // decimal separator
  std::string datePattern = "DD/MM/YYYY";        // DD, MM, YYYY replaced; the rest literal
  std::string moneyPattern = "{code} {amount}";  // {code} and {amount} replaced
};

enum class VarType : uint8_t {
  Text,      // free text; `max` in UTF-16 units (what a UCS-2 page counts)
  Number,    // integer, shown grouped; `max` = rendered characters
  Money,     // integer minor units, shown with decimals and currency code
  Date,      // ISO YYYY-MM-DD, shown with the language's date pattern
  Distance,  // integer metres, shown as "850 m" or "1.2 km"
  Flag,      // boolean ("1", "true", "yes"); only for conditions
  Secret,    // a PIN: never rendered, dropped from the session after the step
};
std::string_view toString(VarType type);

enum class Alphabet : uint8_t {
  Gsm7,  // the gateway guarantees GSM 7-bit default-alphabet characters (e.g. transliterated)
  Any,   // anything: the worst case forces UCS-2
};

struct VarSpec {
  std::string name;
  VarType type = VarType::Text;
  std::size_t max = 0;  // see VarType; unused for Date (from the pattern), Flag, Secret
  Alphabet alphabet = Alphabet::Any;
  std::string currency;  // Money only
  int decimals = 0;      // Money only
  // Written by the tree (an input's `store`, an option's `set`): read from the session
  // only. Every other variable is read from the DataSource only, so a user's input can
  // never stand in for a value the gateway provides (an eligibility flag, a bound).
  bool session = false;
  // A secret another input compares with (`same_as`): it is kept, outside the encoded
  // session, until the next step ends. Every other secret lives for its own step only.
  bool carried = false;
  // Computed at render time from other variables, never stored and never asked of the
  // DataSource: a fee is a share of an amount (`share: {of: VAR, basis_points: VAR}`,
  // of * basis_points / 10000 rounded half up), a total a sum (`sum: [VAR, ...]`).
  enum class Formula : uint8_t { None, Share, Sum };
  Formula formula = Formula::None;
  std::vector<std::string> operands;  // Share: {of, basis_points}; Sum: the terms
  SourcePos formulaPos;
  SourcePos pos;
};

// One text in every configured language, indexed like MenuTree::languages.
struct Translated {
  std::vector<TextTemplate> byLanguage;
  SourcePos pos;
  [[nodiscard]] bool empty() const { return byLanguage.empty(); }
};

enum class ScreenType : uint8_t { Menu, Input, Display, Confirm, Action, Locator, Language, End };
std::string_view toString(ScreenType type);

struct Condition {
  std::string var;  // a Flag variable; empty: always true
  bool negated = false;
};

struct MenuOption {
  std::string key;  // digits the user types
  Translated label;
  std::string target;
  Condition when;
  std::vector<std::pair<std::string, std::string>> sets;  // session var -> literal value
  SourcePos pos;
  SourcePos keyPos;
  SourcePos targetPos;
};

enum class ValidatorKind : uint8_t { Integer, Amount, Pin, Date, Phone, Regex, Choice };
std::string_view toString(ValidatorKind kind);

// An amount bound: a literal in major units (scaled by the stored variable's decimals when
// checked) or a Money variable (minor units).
struct AmountBound {
  bool present = false;
  int64_t literalMajor = 0;
  std::string var;
};

struct Choice {
  std::string key;
  Translated label;
  std::string value;
  SourcePos pos;
};

struct Validator {
  ValidatorKind kind = ValidatorKind::Integer;
  int64_t min = 0;  // Integer
  int64_t max = 0;  // Integer
  AmountBound amountMin;
  AmountBound amountMax;
  std::size_t minLength = 0;  // Pin, Phone
  std::size_t maxLength = 0;  // Pin, Phone
  bool verify = false;        // Pin: the caller's PIN, checked through the DataSource
  std::string sameAs;         // Pin: must equal this secret (typed on the previous step)
  std::string pattern;        // Regex
  std::shared_ptr<const std::regex> regex;
  std::vector<Choice> choices;  // Choice
};

enum class EffectType : uint8_t {
  CreditRequest,
  DeferralRequest,
  Referral,
  SurveyAnswer,
  SendSms,
  PinSet,
};
std::string_view toString(EffectType type);

struct ActionSpec {
  EffectType effect = EffectType::CreditRequest;
  std::map<std::string, std::string, std::less<>> params;  // parameter -> variable
  std::string tag;                                         // literal, passed through
  Translated smsText;                                      // SendSms only
};

struct SmsOption {
  std::string key;
  Translated label;
  std::string next;
  SourcePos keyPos;
  SourcePos nextPos;
};

struct LocatorSpec {
  std::string place;  // variable holding the place (area code, branch)
  std::size_t count = 9;
  std::size_t perPage = 3;  // at most this many points a page
  // Points per page in each language: perPage, or fewer where the worst case needs it
  // (planned by the loader like menu pages).
  std::vector<std::size_t> perPageByLanguage;
  Translated item;   // one line per payment point (point_* variables)
  Translated empty;  // shown when nothing is near
  bool hasSms = false;
  SmsOption sms;  // "SMS me the list"
};

// The locator fills these variables for each payment point it renders.
inline constexpr std::string_view kPointName = "point_name";
inline constexpr std::string_view kPointDistance = "point_distance";
inline constexpr std::string_view kPointHours = "point_hours";
inline constexpr std::string_view kPointLandmark = "point_landmark";
// messages.pin_wrong may show the tries left before the lock (declare it as a number).
inline constexpr std::string_view kPinTries = "pin_tries";

// A screen. Which fields apply depends on `type` (noted per field).
struct Screen {
  std::string id;
  ScreenType type = ScreenType::End;
  Translated text;  // all but Action: header, prompt or body
  SourcePos pos;    // the id in the file

  std::vector<MenuOption> options;  // Menu
  // Menu: static pages per language, each a list of option indices, planned for the
  // worst case (every option shown, every variable at its maximum).
  std::vector<std::vector<std::vector<std::size_t>>> pages;

  std::string store;  // Input: session variable receiving the value
  Validator validator;
  Translated error;  // Input: optional error line (else messages.invalid_input)

  std::string next;  // Input, Display (optional), Action, Language
  SourcePos nextPos;
  std::string onYes, onNo;  // Confirm
  SourcePos onYesPos, onNoPos;
  std::string onNoPin;     // Input with a verifying PIN: the caller has none yet
  std::string onMismatch;  // Input with `same_as`: the two PINs differ
  SourcePos onNoPinPos, onMismatchPos;

  ActionSpec action;    // Action
  LocatorSpec locator;  // Locator

  // The dialog ends when this screen is shown.
  [[nodiscard]] bool ends() const {
    return type == ScreenType::End || (type == ScreenType::Display && next.empty());
  }
  [[nodiscard]] bool verifiesPin() const {
    return type == ScreenType::Input && validator.kind == ValidatorKind::Pin && validator.verify;
  }
};

struct Navigation {
  std::string back = "0";
  std::string main = "00";
  std::string more = "98";
  std::string yes = "1";  // confirm screens
  std::string no = "2";
};

struct Labels {
  Translated back, main, more, yes, no;
};

struct Messages {
  Translated invalidOption;  // a key that is not on the screen
  Translated invalidInput;   // an input that fails its validator (default)
  Translated unavailable;    // the dialog cannot go on (missing data, stale session)
  // Optional: the error line when letters were typed where digits are due (amounts,
  // numbers, PINs, dates, phones); without it such inputs get the screen's usual error.
  Translated digitsOnly;
  // Required when a screen verifies a PIN:
  Translated pinWrong;   // error line after a wrong PIN ({pin_tries} left)
  Translated pinLocked;  // the end page when the PIN is locked
};

struct MenuTree {
  std::string file;     // display name given to the loader
  std::string label;    // `version:` from the file
  std::string version;  // label + '@' + digest of the file text: what sessions record
  std::string start;
  std::vector<Locale> languages;
  std::size_t defaultLanguage = 0;
  Navigation nav;
  Labels labels;
  Messages messages;
  std::string currency;  // default for Money variables
  int decimals = 2;
  std::map<std::string, VarSpec, std::less<>> vars;
  std::map<std::string, Screen, std::less<>> screens;
  TextMeasure measure;

  [[nodiscard]] const Screen* screen(std::string_view id) const {
    const auto it = screens.find(id);
    return it == screens.end() ? nullptr : &it->second;
  }
  [[nodiscard]] const VarSpec* var(std::string_view name) const {
    const auto it = vars.find(name);
    return it == vars.end() ? nullptr : &it->second;
  }
  // Index into languages, or -1.
  [[nodiscard]] int languageIndex(std::string_view code) const {
    for (std::size_t i = 0; i < languages.size(); ++i)
      if (languages[i].code == code) return static_cast<int>(i);
    return -1;
  }
};

using MenuTreePtr = std::shared_ptr<const MenuTree>;

}  // namespace mfigw::menus
