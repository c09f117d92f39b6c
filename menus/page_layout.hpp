// menus/page_layout.hpp: how a screen becomes the text of one USSD page.
//
// Purpose:   One layout for every screen type:
//              [error line]  [header]  [lines: options, choices, items]  [98 More]  [0 Back 00
//              Main]
//            joined by newlines. The loader lays out each page with worst-case values to
//            prove it fits the budget (and to plan menu pages); the engine lays out the
//            same page with real values. Sharing this code is what makes the proof hold.
// Threading: Pure functions; safe from any thread.
// Errors:    None.
// Ownership: Results own their text; inputs are borrowed.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "menus/menu_tree.hpp"

namespace mfigw::menus {

// Renders a template in the page's language: real values (engine) or worst-case ones
// (loader).
using Fill = std::function<std::string(const TextTemplate&)>;

// What surrounds a page's body.
struct PageFrame {
  std::string errorLine;  // empty: none
  bool more = false;      // "98 More"
  bool back = false;      // "0 Back"
  bool main = false;      // "00 Main"
};

// "1 Balance"
std::string optionLine(std::string_view key, std::string_view label);

// Joins the non-empty parts with '\n'.
std::string layoutPage(const MenuTree& tree, std::size_t language, const Fill& fill,
                       const PageFrame& frame, std::string_view header,
                       const std::vector<std::string>& lines);

// The per-type pages. `options` lists the option indices shown on this page.
std::string menuPage(const MenuTree& tree, const Screen& screen, std::size_t language,
                     const Fill& fill, const std::vector<std::size_t>& options, bool withHeader,
                     const PageFrame& frame);
std::string inputPage(const MenuTree& tree, const Screen& screen, std::size_t language,
                      const Fill& fill, const PageFrame& frame);
std::string confirmPage(const MenuTree& tree, const Screen& screen, std::size_t language,
                        const Fill& fill, const PageFrame& frame);
std::string languagePage(const MenuTree& tree, const Screen& screen, std::size_t language,
                         const Fill& fill, const PageFrame& frame);
// Display and End: the body, plus the footer when the dialog goes on.
std::string displayPage(const MenuTree& tree, const Screen& screen, std::size_t language,
                        const Fill& fill, const PageFrame& frame);
// Locator: `items` are the rendered item lines of this page.
std::string locatorPage(const MenuTree& tree, const Screen& screen, std::size_t language,
                        const Fill& fill, const std::vector<std::string>& items, bool withHeader,
                        const PageFrame& frame);
std::string locatorEmptyPage(const MenuTree& tree, const Screen& screen, std::size_t language,
                             const Fill& fill, const PageFrame& frame);

// The error line a screen shows after an invalid input (a template in `language`).
// `notDigits`: the input had letters where the validator wants digits only.
const TextTemplate& errorTemplate(const MenuTree& tree, const Screen& screen, std::size_t language,
                                  bool notDigits = false);

}  // namespace mfigw::menus
