#include "store/reminder_ledger.hpp"

#include "store/encoding.hpp"
#include "store/record_check.hpp"

#include <string>
#include <vector>

namespace mfigw::store {
namespace {

void checkKey(const ReminderKey& key) {
  FieldChecks check;
  check.id("id", key.id, kMaxIdBytes);
  check.id("rule", key.rule, kMaxReminderRuleBytes);
  if (!key.recipient.empty()) check.id("recipient", key.recipient, kMaxIdBytes);
  check.range("day", key.day, 0, kMaxDayNumber);
  check.range("subject", static_cast<int64_t>(key.subject), 1, 3);
  throwIfInvalid("reminder", key.id, check.take());
}

void checkRecord(const ReminderRecord& record) {
  FieldChecks check;
  check.msisdn("msisdn", record.msisdn, false);
  check.range("local_day", record.localDay, 0, kMaxDayNumber);
  throwIfInvalid("reminder record", record.msisdn, check.take());
}

std::string installmentPrefix(std::string_view loanId, DayNumber dueDay) {
  return Key()
      .u8(static_cast<uint8_t>(ReminderSubject::Installment))
      .str(loanId)
      .u32(static_cast<uint32_t>(dueDay))
      .take();
}

}  // namespace

std::string_view toString(ReminderSubject subject) noexcept {
  switch (subject) {
    case ReminderSubject::Installment:
      return "installment";
    case ReminderSubject::Meeting:
      return "meeting";
    case ReminderSubject::GroupSummary:
      return "group_summary";
  }
  return "unknown";
}

std::string ReminderRecordCodec::encodeKey(const ReminderKey& key) {
  return Key()
      .u8(static_cast<uint8_t>(key.subject))
      .str(key.id)
      .u32(static_cast<uint32_t>(key.day))
      .str(key.rule)
      .str(key.recipient)
      .take();
}

// v1: version u8, at i64, outbox id u64, local day u32, msisdn str.
std::string ReminderRecordCodec::encodeValue(const ReminderRecord& record) {
  return Encoder(32 + record.msisdn.size())
      .version(kVersion)
      .i64(record.atUnixSeconds)
      .u64(record.outboxId)
      .u32(static_cast<uint32_t>(record.localDay))
      .str(record.msisdn)
      .take();
}

ReminderRecord ReminderRecordCodec::decodeValue(std::string_view bytes) {
  Decoder in(bytes);
  in.version(kVersion);
  ReminderRecord record;
  record.atUnixSeconds = in.i64();
  record.outboxId = in.u64();
  const uint32_t day = in.u32();
  if (day > static_cast<uint32_t>(kMaxDayNumber)) {
    throw DecodeError("reminder record: local day " + std::to_string(day) + " out of range");
  }
  record.localDay = static_cast<DayNumber>(day);
  record.msisdn = in.str();
  in.expectEnd();
  return record;
}

std::string ReminderDailyCodec::encodeKey(const ReminderDailyKey& key) {
  return Key().u32(static_cast<uint32_t>(key.localDay)).raw(key.msisdn).take();
}

// v1: version u8, count varint.
std::string ReminderDailyCodec::encodeValue(const uint32_t& count) {
  return Encoder(8).version(kVersion).varint(count).take();
}

uint32_t ReminderDailyCodec::decodeValue(std::string_view bytes) {
  Decoder in(bytes);
  in.version(kVersion);
  const uint64_t count = in.varint();
  in.expectEnd();
  if (count > UINT32_MAX) throw DecodeError("reminder daily count out of range");
  return static_cast<uint32_t>(count);
}

ReminderLedger ReminderLedger::open(WriteTxn& txn) {
  ReminderLedger ledger;
  ledger.ledger_ = decltype(ledger.ledger_)::open(txn, TableNames::kLedger);
  ledger.daily_ = decltype(ledger.daily_)::open(txn, TableNames::kDaily);
  return ledger;
}

bool ReminderLedger::record(WriteTxn& txn, const ReminderKey& key,
                            const ReminderRecord& record) const {
  checkKey(key);
  checkRecord(record);
  if (!ledger_.insert(txn, key, record)) return false;
  const ReminderDailyKey dailyKey{record.localDay, record.msisdn};
  daily_.put(txn, dailyKey, daily_.get(txn, dailyKey).value_or(0) + 1);
  return true;
}

std::optional<ReminderRecord> ReminderLedger::get(const Txn& txn, const ReminderKey& key) const {
  return ledger_.get(txn, key);
}

bool ReminderLedger::contains(const Txn& txn, const ReminderKey& key) const {
  return ledger_.contains(txn, key);
}

uint32_t ReminderLedger::countForInstallment(const Txn& txn, std::string_view loanId,
                                             DayNumber dueDay) const {
  return static_cast<uint32_t>(ledger_.countPrefix(txn, installmentPrefix(loanId, dueDay)));
}

uint32_t ReminderLedger::countForDay(const Txn& txn, std::string_view msisdn,
                                     DayNumber localDay) const {
  return daily_.get(txn, ReminderDailyKey{localDay, std::string(msisdn)}).value_or(0);
}

size_t ReminderLedger::purgeBefore(WriteTxn& txn, DayNumber cutoff, size_t limit) const {
  // Collect first, erase after: the walk must not run over keys it is deleting.
  std::vector<std::string> old;
  {
    Cursor cursor(txn, ledger_.dbi());
    for (auto e = cursor.first(); e && old.size() < limit; e = cursor.next()) {
      Decoder k(e->first);
      k.u8();
      k.keyStr();
      if (static_cast<DayNumber>(k.u32()) < cutoff) old.emplace_back(e->first);
    }
  }
  for (const std::string& key : old)
    txn.erase(ledger_.dbi(), key);
  std::vector<std::string> days;
  {
    Cursor cursor(txn, daily_.dbi());
    for (auto e = cursor.first(); e; e = cursor.next()) {
      if (static_cast<DayNumber>(Decoder(e->first).u32()) >= cutoff) break;
      days.emplace_back(e->first);
    }
  }
  for (const std::string& key : days)
    txn.erase(daily_.dbi(), key);
  return old.size();
}

}  // namespace mfigw::store
