// menus/tree_checks.hpp: the checks the loader runs on a built tree (internal to menus/).
//
// Purpose:   Graph checks (dangling targets, unreachable screens, actions that loop
//            without showing a page, the start screen) and the page budget: every page of
//            every screen in every language, laid out by page_layout with worst-case
//            values, must fit what the tree's measure allows. planPages() also splits
//            menus into pages.
// Threading: Pure functions over the tree they are given.
// Errors:    Problems are returned as TreeIssues (position, path, message).
// Ownership: planPages() writes Screen::pages of the tree it is given.
#pragma once

#include <string>
#include <vector>

#include "menus/menu_tree.hpp"

namespace mfigw::menus {

struct TreeIssue {
  SourcePos pos;
  std::string path;
  std::string message;
};

std::vector<TreeIssue> checkGraph(const MenuTree& tree, SourcePos startPos);
// The positions name the messages that are pages of their own (unavailable, pin_locked).
std::vector<TreeIssue> planPages(MenuTree& tree, SourcePos unavailablePos, SourcePos pinLockedPos);

// The worst-case text of a template in a language (unknown variables render empty).
std::string worstCase(const MenuTree& tree, std::size_t language, const TextTemplate& tmpl);

}  // namespace mfigw::menus
