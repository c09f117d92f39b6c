// menus/engine.hpp: the menu engine, a pure function from (tree, session, input, data) to
// (page, session', effects).
//
// Purpose:   Walks a loaded MenuTree one user input at a time. Each step returns the page
//            to send (already paged and fitted to the budget), whether the dialog goes on,
//            the new session and the effects the gateway must carry out. Navigation keys
//            (back, main, more) work on every screen that continues; invalid input
//            re-shows the screen with a translated error line. Action screens run on the
//            way to the next page, and are commit points: back never returns past them, so
//            a confirmed request cannot be confirmed twice by going back.
//            A session stays on the tree version it started with: the caller keeps older
//            trees alive and passes the one whose version the session records; a session
//            given the wrong tree gets an Error result, never a page of another menu.
// Threading: Pure; the tree is shared read-only; the DataSource is called on this thread.
// Errors:    Values. StepStatus::Error ends the dialog with the tree's "unavailable"
//            message (stale or corrupt session, missing data for an action or a bound)
//            and returns no effects; `problem` says why, for the logs.
// Ownership: Results own their text, session and effects.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "menus/data_source.hpp"
#include "menus/effects.hpp"
#include "menus/menu_tree.hpp"
#include "menus/session.hpp"

namespace mfigw::menus {

enum class StepStatus : uint8_t {
  Continue,  // show the page and wait for the next input
  End,       // show the page and release the dialog
  Error,     // the dialog cannot go on: the page is the "unavailable" message; release
};
std::string_view toString(StepStatus status);

struct StepResult {
  StepStatus status = StepStatus::Error;
  std::string text;  // the page
  Session session;
  std::vector<Effect> effects;
  std::string problem;   // Error: why (never shown to the user)
  bool trimmed = false;  // the page was cut to fit (a variable broke its declared bounds)

  [[nodiscard]] bool continues() const { return status == StepStatus::Continue; }
};

// Starts a dialog on the tree's start screen, in `language` (the caller's remembered
// choice; the tree's default when empty or unknown).
StepResult begin(const MenuTree& tree, std::string_view language, const DataSource& data);

// One user input on an ongoing dialog.
StepResult step(const MenuTree& tree, const Session& session, std::string_view input,
                const DataSource& data);

// begin() then step() for each input (a dial-through string's digits), stopping early if
// the dialog ends or fails. Effects of every step are returned, in order.
StepResult run(const MenuTree& tree, std::string_view language,
               const std::vector<std::string>& inputs, const DataSource& data);

}  // namespace mfigw::menus
