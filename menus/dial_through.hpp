// menus/dial_through.hpp: dial-through strings (`*123*1*2#`) and the shortcuts a tree offers.
//
// Purpose:   Users memorise strings like *123*1*2# that dial the service and answer the
//            first screens at once. dialThroughInputs() turns the extra digits into the
//            successive inputs the engine steps through (run()); dialThroughShortcuts()
//            lists, from the tree, the string of every menu option reachable by numbers
//            alone, for loan cards and reminder SMS. Both follow the tree a session is
//            pinned to, so a printed shortcut means what the tree version says.
// Threading: Pure functions.
// Errors:    dialThroughInputs() returns nullopt for a string that is not for the service
//            code or not well formed.
// Ownership: Results own their strings.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "menus/menu_tree.hpp"

namespace mfigw::menus {

// "*123*1*2#" for service code "*123#" -> {"1", "2"}; "*123#" -> {}. Service codes may
// have several parts ("*322*342#"). Empty parts ("*123**2#") are not well formed.
std::optional<std::vector<std::string>> dialThroughInputs(std::string_view dialed,
                                                          std::string_view serviceCode);

struct Shortcut {
  std::string dial;               // "*123*2*1#"
  std::vector<std::string> keys;  // {"2", "1"}
  std::string target;             // the screen the last key leads to
  std::string label;              // that option's label in the tree's default language
};

// Every option of every menu reachable from the start screen through menus only, with the
// shortest key sequence, in breadth-first order. Conditions are ignored: an option hidden
// for one client is still listed (the engine refuses it for that client).
std::vector<Shortcut> dialThroughShortcuts(const MenuTree& tree, std::string_view serviceCode);

}  // namespace mfigw::menus
