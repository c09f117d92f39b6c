// store/reminder_ledger.hpp: which reminders went out, so none goes out twice (issue 6).
//
// Purpose:   One entry per reminder enqueued: (subject, id, day, rule, recipient) -> when,
//            the outbox id, the recipient's local day and MSISDN. For a repayment reminder
//            the subject is Installment, the id the loan id, the day the installment's due
//            day and the recipient empty; for a village-bank meeting reminder it is Meeting,
//            the group id, the meeting day and the member's client id; for the leader's
//            summary GroupSummary, the group id, the meeting day and the leader's client id.
//            record() writes the entry and bumps the recipient's per-local-day count in the
//            caller's WriteTxn, the same txn that enqueues the outbox message, so a crash
//            either keeps both or neither and a restarted scheduler never sends it again.
//            What the caps need is answered here too: entries per installment (a prefix
//            walk) and messages per MSISDN per local day (one lookup).
//            Layout: `reminder_ledger` keyed (u8 subject, str id, u32 day, str rule,
//            str recipient); `reminder_daily` keyed (u32 local day, raw MSISDN) so old days
//            purge as a prefix range.
// Threading: Immutable handles after open(); each call runs in the txn it is given.
// Errors:    record() throws InvalidRecord for an empty or over-long id, rule or MSISDN.
//            StoreError / MapFull from LMDB; DecodeError for a corrupt record.
// Ownership: Holds table handles only; the Env must outlive it.
#pragma once

#include "store/day_number.hpp"
#include "store/table.hpp"
#include "store/txn.hpp"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace mfigw::store {

inline constexpr size_t kMaxReminderRuleBytes = 24;

enum class ReminderSubject : uint8_t {
  Installment = 1,   // id = loan id, day = installment due day
  Meeting = 2,       // id = group id, day = meeting day, recipient = member cid
  GroupSummary = 3,  // id = group id, day = meeting day, recipient = leader cid
};
std::string_view toString(ReminderSubject subject) noexcept;

struct ReminderKey {
  ReminderSubject subject = ReminderSubject::Installment;
  std::string id;
  DayNumber day = kNoDay;
  std::string rule;
  std::string recipient;  // empty for installments (the loan's borrower)

  bool operator==(const ReminderKey&) const = default;
};

struct ReminderRecord {
  int64_t atUnixSeconds = 0;  // when it was enqueued
  uint64_t outboxId = 0;
  DayNumber localDay = kNoDay;  // the recipient's calendar day it was enqueued on
  std::string msisdn;

  bool operator==(const ReminderRecord&) const = default;
};

struct ReminderRecordCodec {
  static constexpr uint8_t kVersion = 1;
  static std::string encodeKey(const ReminderKey& key);
  static std::string encodeValue(const ReminderRecord& record);
  static ReminderRecord decodeValue(std::string_view bytes);
};

// (local day, MSISDN) -> reminders enqueued to that number that day.
struct ReminderDailyKey {
  DayNumber localDay = kNoDay;
  std::string msisdn;
};

struct ReminderDailyCodec {
  static constexpr uint8_t kVersion = 1;
  static std::string encodeKey(const ReminderDailyKey& key);
  static std::string encodeValue(const uint32_t& count);
  static uint32_t decodeValue(std::string_view bytes);
};

class ReminderLedger {
 public:
  struct TableNames {
    static constexpr const char* kLedger = "reminder_ledger";
    static constexpr const char* kDaily = "reminder_daily";
  };

  ReminderLedger() = default;  // unopened
  static ReminderLedger open(WriteTxn& txn);

  // Writes the entry and counts it for (record.localDay, record.msisdn). Returns false and
  // writes nothing when the key is already there.
  bool record(WriteTxn& txn, const ReminderKey& key, const ReminderRecord& record) const;

  std::optional<ReminderRecord> get(const Txn& txn, const ReminderKey& key) const;
  bool contains(const Txn& txn, const ReminderKey& key) const;
  // Reminders recorded for one installment of one loan (every rule).
  uint32_t countForInstallment(const Txn& txn, std::string_view loanId, DayNumber dueDay) const;
  // Reminders recorded to `msisdn` on its local day `localDay`.
  uint32_t countForDay(const Txn& txn, std::string_view msisdn, DayNumber localDay) const;
  uint64_t size(const Txn& txn) const { return ledger_.count(txn); }

  // Forgets entries whose `day` (due or meeting day) and daily counts whose local day are
  // before `cutoff`, at most `limit` ledger entries per call; returns how many went. Keep
  // the cutoff well behind the last rule's offset, or an old installment could be
  // reminded again.
  size_t purgeBefore(WriteTxn& txn, DayNumber cutoff, size_t limit) const;

 private:
  Table<ReminderKey, ReminderRecord, ReminderRecordCodec> ledger_;
  Table<ReminderDailyKey, uint32_t, ReminderDailyCodec> daily_;
};

}  // namespace mfigw::store
