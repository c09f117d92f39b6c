// store/client.hpp: a borrower as the loan book knows them (upstream is authoritative).
//
// Purpose:   One record per client id `cid` (the key). The MSISDN (E.164 digits, already
//            normalised by the gateway) is how an incoming USSD dialog or SMS finds the
//            client; LoanBook keeps the MSISDN -> cid table and the group-membership index
//            in step with these records. PII is kept minimal: phone and a short name.
// Threading: Table rules (see table.hpp).
// Errors:    ClientCodec::encodeValue throws InvalidRecord when a field is out of bounds
//            (see clientProblems()); DecodeError for an undecodable record.
// Ownership: Plain values.
#pragma once

#include "store/record_check.hpp"
#include "store/table.hpp"

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace mfigw::store {

inline constexpr size_t kMaxClientNameBytes = 40;  // a short display name, UTF-8

// What the client agreed to. Opt-out (STOP) is a separate table and always wins.
enum class Consent : uint8_t {
  ReminderSms = 1 << 0,  // due-date and arrears reminders by SMS
  Marketing = 1 << 1,    // offers (new loans, products)
  Surveys = 1 << 2,      // satisfaction and research surveys
};
inline constexpr uint8_t kKnownConsentBits = 0x07;

struct Client {
  std::string cid;
  std::string msisdn;     // E.164 digits without '+'; empty when the phone is unknown
  std::string shortName;  // 0..40 bytes
  std::string language;   // ISO 639, 2-3 lower-case letters
  uint8_t consent = 0;    // Consent bits
  std::string groupId;    // empty when the client is in no group
  uint16_t homeBranch = 0;
  uint64_t ver = 0;  // upstream modification stamp (sync cursor component)

  bool has(Consent c) const noexcept { return (consent & static_cast<uint8_t>(c)) != 0; }
  bool operator==(const Client&) const = default;
};

// Every field outside its bounds; empty when the record may be written.
std::vector<FieldProblem> clientProblems(const Client& client);

struct ClientCodec {
  static constexpr uint8_t kVersion = 1;
  static std::string encodeKey(const std::string& cid) { return cid; }
  static std::string encodeValue(const Client& client);  // checks bounds first
  static Client decodeValue(std::string_view bytes);
};

using ClientTable = Table<std::string, Client, ClientCodec>;

// MSISDN -> cid. One MSISDN names one client.
struct MsisdnIndexCodec {
  static constexpr uint8_t kVersion = 1;
  static std::string encodeKey(const std::string& msisdn) { return msisdn; }
  static std::string encodeValue(const std::string& cid);
  static std::string decodeValue(std::string_view bytes);
};

using MsisdnIndex = Table<std::string, std::string, MsisdnIndexCodec>;

}  // namespace mfigw::store
