// menus/session.hpp: the state of one USSD dialog between two steps, and its byte form.
//
// Purpose:   What the engine needs to continue a dialog: the tree version it started on,
//            the current screen and page, the language, the variables entered so far and
//            the back-stack. The gateway keeps it in LMDB between network messages, so it
//            has an explicit, versioned encoding (leading format byte; no raw structs).
// Threading: Plain values; no shared state.
// Errors:    decodeSession() returns nullopt for bytes it does not understand (unknown
//            format version, truncation, trailing bytes, oversized fields).
// Ownership: Values own their strings.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mfigw::menus {

struct BackEntry {
  std::string screen;
  uint32_t page = 0;

  friend bool operator==(const BackEntry&, const BackEntry&) = default;
};

struct Session {
  std::string treeVersion;  // MenuTree::version of the tree the dialog started on
  std::string screen;       // the screen shown last
  std::string language;     // a code of the tree's languages
  uint32_t page = 0;        // page of that screen (menus: static page index; locator: items)
  uint32_t steps = 0;       // inputs handled; with the dialog id, a key for exactly-once effects
  bool ended = false;       // the last page ended the dialog
  std::map<std::string, std::string, std::less<>> vars;  // session variables (no secrets)
  std::vector<BackEntry> backStack;                      // newest last, at most kMaxBackStack
  // A new PIN waiting for its repeat (VarSpec::carried), for one step. NEVER encoded: the
  // caller keeps it in memory between two steps, or loses it (the repeat then mismatches).
  std::map<std::string, std::string, std::less<>> secrets;

  friend bool operator==(const Session&, const Session&) = default;
};

// Deep menus that loop back on themselves would grow the stack forever; the oldest entries
// are dropped beyond this.
inline constexpr std::size_t kMaxBackStack = 32;

inline constexpr uint8_t kSessionFormat = 1;

// Leaves `secrets` out.
std::string encodeSession(const Session& session);
std::optional<Session> decodeSession(std::string_view bytes);

}  // namespace mfigw::menus
