// menus/menu_reader.hpp: the menu loader's reader of one document (internal to menus/).
//
// Purpose:   Builds a MenuTree from a parsed YAML document, section by section: languages
//            first (every text is checked against them), vars before screens (templates
//            name vars), then the graph and budget checks of tree_checks. Split over
//            menu_loader.cpp (document, languages, texts, vars) and screen_reader.cpp
//            (the screens).
// Threading: One reader per load.
// Errors:    Collected through YamlReader; never throws for a document.
// Ownership: Owns the tree it builds until run() hands it over.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "menus/menu_loader.hpp"
#include "menus/menu_tree.hpp"
#include "menus/yaml_reader.hpp"

namespace mfigw::menus {

// Limits that keep a hostile or mistaken file from costing much to check (and a menu from
// being unusable on a phone long before these).
inline constexpr std::uintmax_t kMaxFileBytes = 1u << 20;
inline constexpr std::size_t kMaxLanguages = 12;
inline constexpr std::size_t kMaxVars = 200;
inline constexpr std::size_t kMaxScreens = 500;
inline constexpr std::size_t kMaxOptions = 50;
inline constexpr std::size_t kMaxChoices = 20;
inline constexpr std::size_t kMaxTextBytes = 1000;
inline constexpr std::size_t kMaxVarLength = 160;
inline constexpr std::size_t kMaxPatternBytes = 100;

// Variable and screen names: lower-case letters, digits and '_', starting with a letter.
bool isName(std::string_view s);
// Keys the user types: 1 to 3 digits.
bool isKey(std::string_view s);

class MenuReader {
 public:
  MenuReader(std::string file, TextMeasure measure) : file_(std::move(file)) {
    tree_.file = file_;
    tree_.measure = std::move(measure);
  }

  MenuLoadResult run(std::string_view yaml);

 private:
  bool key(const Entry& e, std::string& out);
  bool screenRef(const Entry& e, std::string& out, SourcePos& pos);
  const VarSpec* varRef(const Entry& e, std::string& out);

  void readDocument(const YAML::Node& root);
  void readLanguages(const Entry& e);
  void readNavigation(const Entry& e);
  void readCurrency(const Entry& e);
  void readVars(const Entry& e);
  void readFormula(const Fields& vf, VarSpec& spec);
  // After the screens: what a computed variable names exists, has a number type, does not
  // nest sums, and no screen writes the computed one.
  void checkFormulas();
  void readLabels(const Entry& e);
  void readMessages(const Entry& e);
  void readScreens(const Entry& e);
  void readScreen(const Entry& e);
  void readMenu(const Fields& f, Screen& s);
  void readOption(const YAML::Node& node, const std::string& path, std::size_t index, Screen& s,
                  std::map<std::string, SourcePos>& keys);
  void readInput(const Fields& f, Screen& s);
  void readValidator(const Entry& e, Screen& s);
  void readAmountBound(const Entry& e, AmountBound& bound);
  void readAction(const Fields& f, Screen& s);
  void readLocator(const Fields& f, Screen& s);
  void checkReserved(const std::string& k, SourcePos pos, const std::string& path,
                     std::map<std::string, SourcePos>& seen);
  Translated readTranslated(const Entry& e);
  Translated emptyTranslated() const;
  void requireText(const Fields& f, std::string_view name, Translated& out);
  void checkStoreType(const VarSpec& var, ValidatorKind kind, const Entry& e);

  // YamlReader's plumbing, named as the reading code uses it.
  void error(const YAML::Mark& mark, std::string path, std::string message) {
    yaml_->error(mark, std::move(path), std::move(message));
  }
  void error(SourcePos pos, std::string path, std::string message) {
    yaml_->error(pos, std::move(path), std::move(message));
  }
  [[nodiscard]] SourcePos posOf(const YAML::Mark& mark) const { return yaml_->posOf(mark); }
  Fields readMap(const YAML::Node& node, const YAML::Mark& fallback, const std::string& path,
                 const std::vector<std::string_view>& allowed, std::string_view itemKind = "key") {
    return yaml_->readMap(node, fallback, path, allowed, itemKind);
  }
  const Entry* require(const Fields& fields, std::string_view name) {
    return yaml_->require(fields, name);
  }
  bool text(const Entry& e, std::string& out) { return yaml_->text(e, out); }
  bool integer(const Entry& e, int64_t min, int64_t max, int64_t& out) {
    return yaml_->integer(e, min, max, out);
  }

  std::string file_;
  std::unique_ptr<YamlReader> yaml_;  // set by run()
  MenuTree tree_;
  SourcePos startPos_;
  SourcePos unavailablePos_;
  SourcePos messagesPos_;
  SourcePos pinLockedPos_;
  bool pinVerified_ = false;      // some screen verifies a PIN: the pin_* messages are required
  bool screenTypesKnown_ = true;  // false: some screen has no usable type (skip reachability)
};

}  // namespace mfigw::menus
