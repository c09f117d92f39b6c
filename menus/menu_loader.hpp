// menus/menu_loader.hpp: reading a menu YAML file into a MenuTree, with every mistake at once.
//
// Purpose:   The loader checks the file's shape (unknown keys, duplicate keys and ids, wrong
//            kinds, bad values), every text in every configured language, declared
//            variables, reserved navigation keys, the screen graph (dangling targets,
//            unreachable screens, action loops) and the page budget of every page in every
//            language with every variable at its declared maximum. Each problem becomes a
//            MenuError at FILE:LINE:COL. Menus that do not fit one page are split into
//            pages with the "more" key here, once. `mfi-gatewayd --check-menus` runs
//            checkMenuFile().
// Threading: No shared state; may run on any thread.
// Errors:    Never throws for any input text (yaml-cpp exceptions become errors); a
//            missing measure is an error too. All errors are collected, in file order.
// Ownership: A successful result owns a shared, immutable tree that keeps the measure.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "menus/menu_tree.hpp"

namespace mfigw::menus {

struct MenuError {
  std::string file;
  int line = 0;      // 1-based; 0 when the error has no position (unreadable file)
  int column = 0;    // 1-based, in characters (not bytes)
  std::string path;  // "screens.welcome.options[1].target"; "" for syntax errors
  std::string message;

  // "FILE:LINE:COL: path: message" (position and path left out when absent).
  [[nodiscard]] std::string toString() const;
};

struct MenuLoadResult {
  MenuTreePtr tree;  // null unless ok()
  std::vector<MenuError> errors;

  [[nodiscard]] bool ok() const { return errors.empty() && tree != nullptr; }
  // Every error's toString(), one per line.
  [[nodiscard]] std::string errorText() const;
};

// Loads menu YAML text; `displayName` names the file in errors.
[[nodiscard]] MenuLoadResult loadMenuText(std::string_view yaml, const std::string& displayName,
                                          TextMeasure measure);
[[nodiscard]] MenuLoadResult loadMenuFile(const std::string& path, TextMeasure measure);

// What `mfi-gatewayd --check-menus` prints: the errors of loading `path` (empty: fine).
[[nodiscard]] std::vector<MenuError> checkMenuFile(const std::string& path,
                                                   const TextMeasure& measure);

}  // namespace mfigw::menus
