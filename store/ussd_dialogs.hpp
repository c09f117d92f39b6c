// store/ussd_dialogs.hpp: live USSD dialogs, one per MSISDN, in the fast (relaxed) store.
//
// Purpose:   Between two network messages a dialog lives here: its id, the engine's session
//            bytes (opaque to the store: menus/ encodes them), when it started and was last
//            used, where it came from (channel and link, the operator's session key) so the
//            reply goes back the same way. Keyed by E.164 MSISDN: one live dialog per phone.
// Threading: Table rules (table.hpp).
// Errors:    DecodeError for an undecodable record.
// Ownership: Plain values.
#pragma once

#include "store/table.hpp"

#include <cstdint>
#include <string>
#include <string_view>

namespace mfigw::store {

struct UssdDialog {
  std::string msisdn;  // E.164, the key
  uint64_t dialogId = 0;
  std::string session;      // menus::encodeSession() bytes
  std::string channel;      // "smpp:<link>" or "http:<aggregator>"
  std::string sessionKey;   // the operator's its_session_info / sessionId, echoed back
  std::string serviceCode;  // what was dialled
  int64_t startedAt = 0;    // unix milliseconds
  int64_t lastActivityAt = 0;
  bool resumeOffered = false;  // the phone re-dialled: "1 Continue / 2 Start again" is shown
  std::string lastPage;        // what the phone showed last (shown again on "Continue")

  bool operator==(const UssdDialog&) const = default;
};

struct UssdDialogCodec {
  static constexpr uint8_t kVersion = 1;
  static std::string encodeKey(const std::string& msisdn) { return msisdn; }
  static std::string encodeValue(const UssdDialog& dialog);
  static UssdDialog decodeValue(std::string_view bytes);
};

using UssdDialogTable = Table<std::string, UssdDialog, UssdDialogCodec>;
inline constexpr const char* kUssdDialogsTable = "ussd_dialogs";

}  // namespace mfigw::store
