#include "gateway/loan_book_import.hpp"

#include <algorithm>
#include <array>
#include <map>
#include <stdexcept>
#include <type_traits>
#include <unordered_map>
#include <utility>

#include "gateway/csv_reader.hpp"
#include "gateway/import_cells.hpp"
#include "gateway/msisdn.hpp"
#include "store/record_check.hpp"

namespace mfigw::gateway {
namespace {

// ---- schema: the columns of each kind ----

struct ColumnSpec {
  std::string key;
  std::vector<std::string> names;  // folded spellings, the key first
  bool required = false;
  bool personal = false;  // its cells are never quoted in messages
};

using Schema = std::vector<ColumnSpec>;

ColumnSpec spec(std::string key, std::vector<std::string> aliases, bool required = false,
                bool personal = false) {
  aliases.insert(aliases.begin(), key);
  return {std::move(key), std::move(aliases), required, personal};
}

constexpr bool kRequired = true;
constexpr bool kPersonal = true;

ColumnSpec phoneSpec() {
  return spec("msisdn", {"phone", "phone_number", "mobile", "mobile_no", "mobile_number"}, false,
              kPersonal);
}

Schema clientSchema() {
  return {
      spec("cid", {"client_id", "client"}, kRequired),
      phoneSpec(),
      spec("name", {"short_name", "client_name", "display_name"}, false, kPersonal),
      spec("lang", {"language"}),
      spec("consent", {"consents"}),
      spec("group", {"group_id", "gid"}),
      spec("br", {"branch", "branch_id", "home_branch"}),
      spec("ver", {"version"}),
  };
}

Schema loanSchema() {
  Schema schema = {
      spec("lid", {"loan_id", "loan", "loan_key"}, kRequired),
      spec("acct", {"account", "account_no", "account_number", "acct_no"}, kRequired),
      spec("cid", {"client_id", "client"}, kRequired),
      phoneSpec(),
      spec("lang", {"language"}),
      spec("st", {"status"}, kRequired),
      spec("cur", {"currency"}, kRequired),
      spec("dec", {"decimals", "currency_decimals"}),
      spec("disb", {"disbursed", "amount_disbursed", "principal_disbursed"}),
      spec("pout", {"principal_outstanding"}),
      spec("tout", {"total_outstanding", "outstanding", "balance"}, kRequired),
      spec("tod", {"total_overdue", "overdue", "arrears"}),
      spec("odsince", {"overdue_since"}),
      spec("lpd", {"last_payment_date"}),
      spec("lpa", {"last_payment_amount"}),
      spec("prod", {"product", "product_name"}),
      spec("lo", {"officer", "loan_officer"}),
      spec("br", {"branch", "branch_id", "office"}),
      spec("flags", {}),
      spec("ver", {"version"}),
  };
  for (std::size_t n = 1; n <= store::kMaxInstallments; ++n) {
    const std::string k = std::to_string(n);
    for (const char* partName : {"due", "amount", "partial"}) {
      const std::string part = partName;
      std::vector<std::string> aliases = {"inst_" + k + "_" + part, "installment" + k + "_" + part,
                                          "installment_" + k + "_" + part};
      if (part == "due") {
        aliases.push_back("inst" + k + "_due_date");
        aliases.push_back("installment" + k + "_due_date");
        aliases.push_back("installment_" + k + "_due_date");
      }
      schema.push_back(spec("inst" + k + "_" + part, std::move(aliases)));
    }
  }
  return schema;
}

Schema groupSchema() {
  return {
      spec("id", {"group_id", "gid", "group"}, kRequired),
      spec("name", {"group_name"}),
      spec("leader", {"leader_cid", "leader_id", "leader_client_id"}),
      spec("weekday", {"meeting_day", "meeting_weekday", "day"}),
      spec("time", {"meeting_time"}),
      spec("next_meeting", {"next_meeting_date"}),
      spec("br", {"branch", "branch_id"}),
      spec("ver", {"version"}),
  };
}

Schema paymentPointSchema() {
  return {
      spec("id", {"pid", "point_id", "payment_point_id"}, kRequired),
      spec("name", {"point_name"}, kRequired),
      spec("kind", {"type"}, kRequired),
      spec("lat", {"latitude"}, kRequired),
      spec("lon", {"longitude", "lng"}, kRequired),
      spec("br", {"branch", "branch_id"}),
      spec("area", {"area_code", "areacode", "area_id"}),
      spec("landmark", {}),
      spec("hours", {"opening_hours"}),
      spec("services", {"service"}),
      spec("active", {}),
      spec("ver", {"version"}),
  };
}

Schema areaSchema() {
  return {
      spec("area", {"area_code", "areacode", "area_id", "code"}, kRequired),
      spec("name", {"area_name"}, kRequired),
      spec("lat", {"latitude"}, kRequired),
      spec("lon", {"longitude", "lng"}, kRequired),
      spec("br", {"branch", "branch_id"}),
      spec("active", {}),
      spec("ver", {"version"}),
  };
}

const Schema& schemaOf(ImportKind kind) {
  static const Schema clients = clientSchema();
  static const Schema loans = loanSchema();
  static const Schema groups = groupSchema();
  static const Schema points = paymentPointSchema();
  static const Schema areas = areaSchema();
  switch (kind) {
    case ImportKind::Clients:
      return clients;
    case ImportKind::Loans:
      return loans;
    case ImportKind::Groups:
      return groups;
    case ImportKind::Areas:
      return areas;
    case ImportKind::PaymentPoints:
      break;
  }
  return points;
}

// Columns that only files of one kind have. A file imported as another kind by mistake
// would otherwise load the few columns the kinds share and ignore the rest.
struct Signature {
  ImportKind kind;
  std::string_view key;
};
constexpr std::array<Signature, 4> kSignatures = {{
    {ImportKind::Clients, "cid"},
    {ImportKind::Loans, "lid"},
    {ImportKind::PaymentPoints, "lat"},
    {ImportKind::PaymentPoints, "lon"},
}};

// The other kind whose signature column `folded` names, if any.
std::optional<ImportKind> signatureOf(ImportKind kind, const std::string& folded) {
  for (const Signature& signature : kSignatures) {
    if (signature.kind == kind) continue;
    for (const ColumnSpec& column : schemaOf(signature.kind)) {
      if (column.key == signature.key &&
          std::find(column.names.begin(), column.names.end(), folded) != column.names.end()) {
        return signature.kind;
      }
    }
  }
  return std::nullopt;
}

// The column a store FieldProblem names ("inst[1].day" -> "inst2_due").
std::string keyOfField(std::string_view field) {
  if (field.starts_with("inst[") && field.size() > 6) {
    const std::string slot = std::to_string(field[5] - '0' + 1);
    if (field.ends_with(".day")) return "inst" + slot + "_due";
    if (field.ends_with(".amount")) return "inst" + slot + "_amount";
    if (field.ends_with(".flags")) return "inst" + slot + "_partial";
  }
  if (field == "inst") return "inst1_due";
  if (field == "minute") return "time";
  return std::string(field);
}

bool isAmountKey(std::string_view key) {
  return key == "disb" || key == "pout" || key == "tout" || key == "tod" || key == "lpa" ||
         (key.starts_with("inst") && key.ends_with("_amount"));
}

// Store bounds are in stored units; say them in the sheet's.
std::string sheetMessage(std::string_view key, std::string message) {
  if (key == "lat") return "must be between -90 and 90 degrees";
  if (key == "lon") return "must be between -180 and 180 degrees";
  if (isAmountKey(key)) return message + " (in minor units)";
  return message;
}

// ---- errors ----

class ErrorList {
 public:
  ErrorList(std::vector<ImportError>& list, std::size_t& count, std::size_t max)
      : list_(list), count_(count), max_(max) {}

  void add(ImportError error) {
    ++count_;
    if (list_.size() < max_) list_.push_back(std::move(error));
  }

 private:
  std::vector<ImportError>& list_;
  std::size_t& count_;
  std::size_t max_;
};

ImportError errorAt(const ImportPlan& plan, std::size_t row, std::string_view key,
                    std::string message) {
  const ImportColumn* column = plan.column(key);
  if (column == nullptr) {
    return {row, plan.headerWidth + 1, std::string(key), std::move(message)};
  }
  return {row, column->column, column->header, std::move(message)};
}

void sortErrors(std::vector<ImportError>& errors) {
  std::stable_sort(errors.begin(), errors.end(), [](const ImportError& a, const ImportError& b) {
    return std::pair(a.row, a.column) < std::pair(b.row, b.column);
  });
}

// A bounded, printable excerpt of a (cleaned, valid UTF-8) cell for a message.
std::string quoted(std::string_view text) {
  constexpr std::size_t kMaxQuoted = 30;
  if (text.size() <= kMaxQuoted) return "\"" + std::string(text) + "\"";
  std::size_t cut = kMaxQuoted;
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80)
    --cut;
  return "\"" + std::string(text.substr(0, cut)) + "...\"";
}

std::string upper(std::string text) {
  for (char& c : text) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  return text;
}

std::string lower(std::string text) {
  for (char& c : text) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return text;
}

// ---- one data row ----

struct Located {
  std::size_t index;  // 0-based cell
  bool personal;
};

// The cells of one row by column key, cleaned once, with typed readers that report a bad
// cell and return nullopt (an empty cell is nullopt without an error).
class RowCells {
 public:
  RowCells(const ImportPlan& plan, const std::map<std::string, Located, std::less<>>& located,
           const CsvRecord& record, bool thousandsCommas, ErrorList& errors)
      : plan_(plan),
        located_(located),
        record_(record),
        thousandsCommas_(thousandsCommas),
        errors_(errors) {}

  std::size_t row() const { return record_.row; }
  bool has(std::string_view key) const { return located_.find(key) != located_.end(); }
  bool failed(std::string_view key) const { return failed_.count(std::string(key)) > 0; }
  bool thousandsCommas() const { return thousandsCommas_; }

  // The cleaned cell; "" when the column is absent, the cell empty or unreadable.
  const std::string& text(std::string_view key) {
    const auto cached = cleaned_.find(std::string(key));
    if (cached != cleaned_.end()) return cached->second;
    std::string& slot = cleaned_[std::string(key)];
    const auto where = located_.find(key);
    if (where == located_.end() || where->second.index >= record_.cells.size()) return slot;
    CellValue<std::string> clean = cleanCell(record_.cells[where->second.index]);
    if (!clean.value) {
      problem(key, clean.error);
    } else {
      slot = std::move(*clean.value);
    }
    return slot;
  }

  // A cell whose value is wrong: the message quotes it unless it is personal data.
  void reject(std::string_view key, const std::string& message) {
    const auto where = located_.find(key);
    const bool personal = where == located_.end() || where->second.personal;
    const std::string& value = text(key);
    problem(key, personal || value.empty() ? message : message + " (got " + quoted(value) + ")");
  }

  // A problem of the field, once per field.
  void problem(std::string_view key, std::string message) {
    if (!failed_.insert(std::string(key)).second) return;
    errors_.add(errorAt(plan_, record_.row, key, std::move(message)));
  }

  template <typename T, typename Parse>
  std::optional<T> typed(std::string_view key, Parse parse) {
    const std::string& cell = text(key);
    if (cell.empty()) return std::nullopt;
    CellValue<T> parsed = parse(cell);
    if (!parsed.value) {
      reject(key, parsed.error);
      return std::nullopt;
    }
    return parsed.value;
  }

  std::optional<std::int64_t> amount(std::string_view key, std::uint8_t decimals) {
    return typed<std::int64_t>(
        key, [&](std::string_view t) { return parseAmount(t, decimals, thousandsCommas_); });
  }
  store::DayNumber date(std::string_view key) {
    return typed<store::DayNumber>(key, parseDate).value_or(store::kNoDay);
  }
  std::uint16_t u16(std::string_view key) {
    const auto parse = [](std::string_view t) { return parseWholeNumber(t, UINT16_MAX); };
    return static_cast<std::uint16_t>(typed<std::uint64_t>(key, parse).value_or(0));
  }
  // An area code (store/area.hpp), 0 when empty or refused.
  std::uint32_t areaCode(std::string_view key) {
    const auto parse = [](std::string_view t) {
      const std::optional<std::uint32_t> code = store::parseAreaCode(t);
      return code ? CellValue<std::uint32_t>::ok(*code)
                  : CellValue<std::uint32_t>::fail("must be an area code: 1 to 8 digits, not 0");
    };
    return typed<std::uint32_t>(key, parse).value_or(store::kNoArea);
  }
  std::uint64_t u64(std::string_view key) {
    const auto parse = [](std::string_view t) { return parseWholeNumber(t, UINT64_MAX); };
    return typed<std::uint64_t>(key, parse).value_or(0);
  }
  // E.164 digits without '+', or "" (empty cell or error).
  std::string phone(std::string_view key, const std::string& region) {
    const std::string& cell = text(key);
    if (cell.empty()) return {};
    const MsisdnParse parsed = normalizeMsisdn(cell, region);
    if (!parsed.e164) {
      if (cell.find("E+") != std::string::npos || cell.find("e+") != std::string::npos) {
        // 2.54712E+11: the spreadsheet stored the phone as a number and lost digits.
        problem(key, "is a number in scientific notation: format the column as text");
      } else {
        problem(key, "is not a valid phone number (" + parsed.error + ")");
      }
      return {};
    }
    return parsed.e164->substr(1);
  }

 private:
  const ImportPlan& plan_;
  const std::map<std::string, Located, std::less<>>& located_;
  const CsvRecord& record_;
  bool thousandsCommas_;
  ErrorList& errors_;
  std::map<std::string, std::string> cleaned_;
  std::set<std::string> failed_;
};

void reportStoreProblems(RowCells& cells, const std::vector<store::FieldProblem>& problems) {
  for (const store::FieldProblem& p : problems) {
    const std::string key = keyOfField(p.field);
    if (cells.failed(key)) continue;  // its cell was already reported
    cells.problem(key, sheetMessage(key, p.message));
  }
}

// ---- row builders: cells to records ----

bool wellFormedCurrency(const std::string& code) {
  store::FieldChecks check;
  check.currency("cur", code);
  return check.ok();
}

store::Client buildClient(RowCells& cells, const ImportOptions& options) {
  store::Client client;
  client.cid = cells.text("cid");
  client.msisdn = cells.phone("msisdn", options.defaultRegion);
  client.shortName = cells.text("name");
  const std::string language = lower(cells.text("lang"));
  client.language = language.empty() ? options.defaultLanguage : language;
  client.consent = cells.has("consent")
                       ? cells.typed<std::uint8_t>("consent", parseConsent).value_or(0)
                       : static_cast<std::uint8_t>(store::Consent::ReminderSms);
  client.groupId = cells.text("group");
  client.homeBranch = cells.u16("br");
  client.ver = cells.u64("ver");
  return client;
}

void readInstallments(RowCells& cells, std::optional<std::uint8_t> decimals,
                      store::LoanSnapshot& loan) {
  bool gap = false;
  for (std::size_t n = 1; n <= store::kMaxInstallments; ++n) {
    const std::string slot = "inst" + std::to_string(n);
    const std::string dueKey = slot + "_due";
    const std::string amountKey = slot + "_amount";
    const std::string partialKey = slot + "_partial";
    const bool hasDue = !cells.text(dueKey).empty();
    const bool hasAmount = !cells.text(amountKey).empty();
    const bool hasPartial = !cells.text(partialKey).empty();
    if (!hasDue && !hasAmount) {
      if (hasPartial) cells.problem(partialKey, "needs " + dueKey + " and " + amountKey);
      gap = true;
      continue;
    }
    if (gap) {
      cells.problem(hasDue ? dueKey : amountKey,
                    "inst" + std::to_string(n - 1) + " is empty: fill installments in order");
      continue;
    }
    if (!hasDue) cells.problem(dueKey, "is empty but " + amountKey + " is set");
    if (!hasAmount) cells.problem(amountKey, "is empty but " + dueKey + " is set");
    store::Installment installment;
    installment.dueDay = cells.date(dueKey);
    const std::optional<std::int64_t> amount =
        decimals ? cells.amount(amountKey, *decimals) : std::nullopt;
    installment.amountDue = amount.value_or(0);
    if (cells.typed<bool>(partialKey, parseYesNo).value_or(false)) {
      installment.flags = static_cast<std::uint8_t>(store::InstallmentFlag::PartiallyPaid);
    }
    loan.installments.push_back(installment);
  }
}

LoanRow buildLoan(RowCells& cells, const ImportOptions& options) {
  LoanRow row;
  row.row = cells.row();
  store::LoanSnapshot& loan = row.loan;
  loan.loanId = cells.text("lid");
  loan.accountNo = cells.text("acct");
  loan.clientId = cells.text("cid");
  loan.msisdn = cells.phone("msisdn", options.defaultRegion);
  row.msisdnGiven = !loan.msisdn.empty();
  const std::string language = lower(cells.text("lang"));
  row.languageGiven = !language.empty();
  loan.language = language.empty() ? options.defaultLanguage : language;
  loan.status =
      cells.typed<store::LoanStatus>("st", parseLoanStatus).value_or(store::LoanStatus::Active);
  loan.currency = upper(cells.text("cur"));

  // The amounts need the currency's decimal places: from `dec`, or ISO 4217.
  std::optional<std::uint8_t> decimals;
  if (!cells.text("dec").empty()) {
    const auto parse = [](std::string_view t) { return parseWholeNumber(t, UINT8_MAX); };
    if (const auto dec = cells.typed<std::uint64_t>("dec", parse)) {
      loan.decimals = static_cast<std::uint8_t>(*dec);
      if (loan.decimals <= store::kMaxCurrencyDecimals) decimals = loan.decimals;
    }
  } else if (wellFormedCurrency(loan.currency)) {  // else the store check reports it
    decimals = currencyDecimals(loan.currency);
    if (!decimals) {
      cells.problem("cur", "is not in the built-in ISO 4217 table: add a dec column");
    } else {
      loan.decimals = *decimals;
    }
  }
  const auto money = [&](std::string_view key) {
    return decimals ? cells.amount(key, *decimals).value_or(0) : 0;
  };
  loan.disbursed = money("disb");
  loan.principalOutstanding = money("pout");
  loan.totalOutstanding = money("tout");
  loan.totalOverdue = money("tod");
  loan.overdueSince = cells.date("odsince");
  readInstallments(cells, decimals, loan);
  loan.lastPaymentDay = cells.date("lpd");
  loan.lastPaymentAmount = money("lpa");
  loan.product = cells.text("prod");
  loan.officer = cells.text("lo");
  loan.branch = cells.u16("br");
  loan.flags = cells.typed<std::uint8_t>("flags", parseLoanFlags).value_or(0);
  loan.ver = cells.u64("ver");
  return row;
}

store::Group buildGroup(RowCells& cells) {
  store::Group group;
  group.id = cells.text("id");
  group.name = cells.text("name");
  group.leaderCid = cells.text("leader");
  group.meetingWeekday =
      cells.typed<store::Weekday>("weekday", parseWeekday).value_or(store::Weekday::None);
  group.meetingMinute = cells.typed<std::uint16_t>("time", parseTimeOfDay).value_or(0);
  group.nextMeetingDay = cells.date("next_meeting");
  group.branch = cells.u16("br");
  group.ver = cells.u64("ver");
  return group;
}

PaymentPointRow buildPaymentPoint(RowCells& cells) {
  PaymentPointRow row;
  row.row = cells.row();
  store::PaymentPoint& point = row.point;
  point.id = cells.text("id");
  point.name = cells.text("name");
  point.kind = cells.typed<store::PaymentPointKind>("kind", parsePointKind)
                   .value_or(store::PaymentPointKind::Agent);
  point.latitudeE6 = cells.typed<std::int32_t>("lat", parseDegrees).value_or(0);
  point.longitudeE6 = cells.typed<std::int32_t>("lon", parseDegrees).value_or(0);
  point.branch = cells.u16("br");
  point.areaCode = cells.areaCode("area");
  point.landmark = cells.text("landmark");
  point.openingHours = cells.text("hours");
  point.services = cells.text("services");
  row.active = cells.typed<bool>("active", parseYesNo).value_or(true);
  point.ver = cells.u64("ver");
  return row;
}

AreaRow buildArea(RowCells& cells) {
  AreaRow row;
  row.row = cells.row();
  store::Area& area = row.area;
  area.code = cells.areaCode("area");
  area.name = cells.text("name");
  area.latitudeE6 = cells.typed<std::int32_t>("lat", parseDegrees).value_or(0);
  area.longitudeE6 = cells.typed<std::int32_t>("lon", parseDegrees).value_or(0);
  area.branch = cells.u16("br");
  row.active = cells.typed<bool>("active", parseYesNo).value_or(true);
  area.ver = cells.u64("ver");
  return row;
}

// ---- the header ----

struct HeaderResult {
  std::map<std::string, Located, std::less<>> located;
};

HeaderResult readHeader(ImportKind kind, const CsvRecord& header, ImportPlan& plan,
                        ErrorList& errors) {
  const Schema& schema = schemaOf(kind);
  HeaderResult result;
  // Trailing unnamed cells (",,," from a spreadsheet's used range) are not columns.
  std::size_t width = header.cells.size();
  while (width > 0 && cleanCell(header.cells[width - 1]).value.value_or("x").empty())
    --width;
  plan.headerWidth = width;

  for (std::size_t i = 0; i < width; ++i) {
    CellValue<std::string> name = cleanCell(header.cells[i]);
    if (!name.value) {
      errors.add({header.row, i + 1, "", "column name " + name.error});
      continue;
    }
    const std::string folded = foldName(*name.value);
    const auto match = std::find_if(schema.begin(), schema.end(), [&](const ColumnSpec& c) {
      return std::find(c.names.begin(), c.names.end(), folded) != c.names.end();
    });
    if (match == schema.end()) {
      if (const std::optional<ImportKind> other = signatureOf(kind, folded)) {
        const std::string otherKind(toString(*other));
        errors.add(
            {header.row, i + 1, *name.value,
             "is a column of " + otherKind + " files; import this file as " + otherKind + "?"});
        continue;
      }
      plan.ignoredColumns.push_back(name.value->empty() ? "(column " + std::to_string(i + 1) + ")"
                                                        : *name.value);
      continue;
    }
    if (const ImportColumn* first = plan.column(match->key)) {
      errors.add({header.row, i + 1, *name.value,
                  "names the same field (" + match->key + ") as column " +
                      std::to_string(first->column) + " (" + first->header + ")"});
      continue;
    }
    plan.columns.push_back({match->key, i + 1, *name.value});
    result.located.emplace(match->key, Located{i, match->personal});
  }
  for (const ColumnSpec& column : schema) {
    if (column.required && plan.column(column.key) == nullptr) {
      errors.add({header.row, width + 1, column.key, "required column is missing"});
    }
  }
  return result;
}

bool blank(const CsvRecord& record) {
  return std::all_of(record.cells.begin(), record.cells.end(), [](const std::string& cell) {
    return cleanCell(cell).value.value_or("x").empty();
  });
}

// The record's id column, for duplicate checks.
std::string_view idKey(ImportKind kind) {
  switch (kind) {
    case ImportKind::Clients:
      return "cid";
    case ImportKind::Loans:
      return "lid";
    case ImportKind::Areas:
      return "area";
    case ImportKind::Groups:
    case ImportKind::PaymentPoints:
      break;
  }
  return "id";
}

}  // namespace

std::string_view toString(ImportKind kind) noexcept {
  switch (kind) {
    case ImportKind::Clients:
      return "clients";
    case ImportKind::Loans:
      return "loans";
    case ImportKind::Groups:
      return "groups";
    case ImportKind::PaymentPoints:
      return "payment_points";
    case ImportKind::Areas:
      return "areas";
  }
  return "unknown";
}

std::optional<ImportKind> importKindFromString(std::string_view text) noexcept {
  for (const ImportKind kind : {ImportKind::Clients, ImportKind::Loans, ImportKind::Groups,
                                ImportKind::PaymentPoints, ImportKind::Areas}) {
    if (toString(kind) == text) return kind;
  }
  return std::nullopt;
}

std::string ImportError::toString(std::string_view fileName) const {
  std::string out(fileName);
  out += ':' + std::to_string(row) + ':' + std::to_string(column) + ": ";
  if (!columnName.empty()) out += columnName + ": ";
  out += message;
  return out;
}

bool ImportPlan::sets(std::string_view key) const {
  if (key == "inst") {
    return std::any_of(columns.begin(), columns.end(),
                       [](const ImportColumn& c) { return c.key.starts_with("inst"); });
  }
  return column(key) != nullptr;
}

const ImportColumn* ImportPlan::column(std::string_view key) const {
  for (const ImportColumn& c : columns) {
    if (c.key == key) return &c;
  }
  return nullptr;
}

ImportPlan parseImport(ImportKind kind, std::string_view csv, const ImportOptions& options) {
  ImportPlan plan;
  plan.kind = kind;
  ErrorList errors(plan.errors, plan.errorCount, options.maxErrors);

  const char delimiter = detectDelimiter(csv);
  const CsvDocument document = readCsv(csv, {delimiter});
  std::set<std::size_t> brokenRows;
  for (const CsvSyntaxError& e : document.errors) {
    errors.add({e.row, e.column, "", e.message});
    brokenRows.insert(e.row);
  }
  if (document.records.empty()) {
    errors.add({1, 1, "", "the file is empty: expected a header row naming the columns"});
    return plan;
  }
  const Schema& schema = schemaOf(kind);
  const HeaderResult header = readHeader(kind, document.records.front(), plan, errors);
  if (!plan.ok()) {
    // Without a sound header no cell can be read reliably.
    sortErrors(plan.errors);
    return plan;
  }

  std::unordered_map<std::string, std::size_t> idRows;
  std::unordered_map<std::string, std::size_t> phoneRows;
  for (std::size_t r = 1; r < document.records.size(); ++r) {
    const CsvRecord& record = document.records[r];
    if (blank(record)) continue;
    ++plan.dataRows;
    if (brokenRows.count(record.row) > 0) continue;  // reported; its cells are unreliable
    if (record.cells.size() < plan.headerWidth) {
      errors.add({record.row, record.cells.size() + 1, "",
                  "the row ends after " + std::to_string(record.cells.size()) +
                      " cells; the header has " + std::to_string(plan.headerWidth)});
      continue;
    }
    bool overflow = false;
    for (std::size_t c = plan.headerWidth; c < record.cells.size() && !overflow; ++c) {
      if (!cleanCell(record.cells[c]).value.value_or("x").empty()) {
        errors.add({record.row, c + 1, "", "a value beyond the last named column"});
        overflow = true;
      }
    }
    if (overflow) continue;

    RowCells cells(plan, header.located, record, delimiter == ',', errors);
    for (const ColumnSpec& column : schema) {
      if (column.required && cells.text(column.key).empty() && !cells.failed(column.key)) {
        cells.problem(column.key, "is empty; this column is required");
      }
    }
    std::string id = cells.text(idKey(kind));
    if (kind == ImportKind::Areas) {
      // "007" and "7" are one area: compare codes, not spellings.
      const std::optional<std::uint32_t> code = store::parseAreaCode(id);
      id = code ? std::to_string(*code) : std::string();
    }
    if (!id.empty()) {
      const auto [seen, fresh] = idRows.emplace(id, record.row);
      if (!fresh) cells.problem(idKey(kind), "is also on row " + std::to_string(seen->second));
    }

    switch (kind) {
      case ImportKind::Clients: {
        store::Client client = buildClient(cells, options);
        reportStoreProblems(cells, store::clientProblems(client));
        if (!client.msisdn.empty()) {
          const auto [seen, fresh] = phoneRows.emplace(client.msisdn, record.row);
          if (!fresh) {
            cells.problem("msisdn", "the same number as row " + std::to_string(seen->second));
          }
        }
        plan.clients.push_back({record.row, std::move(client)});
        break;
      }
      case ImportKind::Loans: {
        LoanRow row = buildLoan(cells, options);
        reportStoreProblems(cells, store::loanSnapshotProblems(row.loan));
        plan.loans.push_back(std::move(row));
        break;
      }
      case ImportKind::Groups: {
        store::Group group = buildGroup(cells);
        reportStoreProblems(cells, store::groupProblems(group));
        plan.groups.push_back({record.row, std::move(group)});
        break;
      }
      case ImportKind::PaymentPoints: {
        PaymentPointRow row = buildPaymentPoint(cells);
        reportStoreProblems(cells, store::paymentPointProblems(row.point));
        plan.paymentPoints.push_back(std::move(row));
        break;
      }
      case ImportKind::Areas: {
        AreaRow row = buildArea(cells);
        reportStoreProblems(cells, store::areaProblems(row.area));
        plan.areas.push_back(std::move(row));
        break;
      }
    }
  }
  if (!plan.ok()) {
    plan.clients.clear();
    plan.loans.clear();
    plan.groups.clear();
    plan.paymentPoints.clear();
    plan.areas.clear();
  }
  sortErrors(plan.errors);
  return plan;
}

// ---- apply ----

namespace {

enum class Change { Add, Update, Unchanged, Remove };

// Stamps `next.ver` and says what the row changes. Without a ver column, a record equal to
// the stored one but for ver keeps the stored ver (so re-importing a file is a no-op), and
// a new or changed one gets the import time, kept above the stored ver.
template <typename Record>
Change decide(const std::optional<Record>& old, Record& next, bool fileSetsVer, std::uint64_t now) {
  if (!old) {
    if (!fileSetsVer) next.ver = now;
    return Change::Add;
  }
  if (fileSetsVer) return next == *old ? Change::Unchanged : Change::Update;
  next.ver = old->ver;
  if (next == *old) return Change::Unchanged;
  next.ver = std::max(now, old->ver + 1);
  return Change::Update;
}

template <typename Record>
struct Pending {
  Change change;
  Record record;
};

class Importer {
 public:
  Importer(const store::LoanBook& book, const store::Txn& txn, const ImportPlan& plan,
           std::int64_t now, const ImportOptions& options)
      : book_(book),
        txn_(txn),
        plan_(plan),
        now_(static_cast<std::uint64_t>(std::max<std::int64_t>(now, 0))),
        options_(options),
        errors_(outcome_.errors, outcome_.errorCount, options.maxErrors) {
    if (!plan.ok()) throw std::invalid_argument("loan book import: the plan has errors");
    outcome_.counts.rows = plan.clients.size() + plan.loans.size() + plan.groups.size() +
                           plan.paymentPoints.size() + plan.areas.size();
  }

  // Decides every row; writes only through `write` and only when no row failed.
  ImportOutcome run(store::WriteTxn* write) {
    switch (plan_.kind) {
      case ImportKind::Clients:
        finish(write, decideClients(),
               [&](store::WriteTxn& txn, const auto& p) { book_.upsertClient(txn, p.record); });
        break;
      case ImportKind::Loans:
        finish(write, decideLoans(),
               [&](store::WriteTxn& txn, const auto& p) { book_.upsertLoan(txn, p.record); });
        break;
      case ImportKind::Groups:
        finish(write, decideGroups(),
               [&](store::WriteTxn& txn, const auto& p) { book_.upsertGroup(txn, p.record); });
        break;
      case ImportKind::PaymentPoints:
        finish(write, decidePoints(), [&](store::WriteTxn& txn, const auto& p) {
          if (p.change == Change::Remove) {
            book_.removePaymentPoint(txn, p.record.id);
          } else {
            book_.upsertPaymentPoint(txn, p.record);
          }
        });
        break;
      case ImportKind::Areas:
        finish(write, decideAreas(), [&](store::WriteTxn& txn, const auto& p) {
          if (p.change == Change::Remove) {
            book_.removeArea(txn, p.record.code);
          } else {
            book_.upsertArea(txn, p.record);
          }
        });
        break;
    }
    sortErrors(outcome_.errors);
    return std::move(outcome_);
  }

 private:
  template <typename Record, typename Write>
  void finish(store::WriteTxn* write, const std::vector<Pending<Record>>& pending, Write apply) {
    for (const Pending<Record>& p : pending) {
      switch (p.change) {
        case Change::Add:
          ++outcome_.counts.added;
          break;
        case Change::Update:
          ++outcome_.counts.updated;
          break;
        case Change::Unchanged:
          ++outcome_.counts.unchanged;
          break;
        case Change::Remove:
          ++outcome_.counts.removed;
          break;
      }
    }
    if (write == nullptr || !outcome_.ok()) return;
    for (const Pending<Record>& p : pending) {
      // Unchanged loans are written too: the import confirms them (asof).
      const bool isLoan = std::is_same_v<Record, store::LoanSnapshot>;
      if (p.change != Change::Unchanged || isLoan) apply(*write, p);
    }
  }

  // A record merged with the stored one could break a cross-field rule that neither broke
  // alone (tod from the file, odsince kept): check again and report on the row.
  void check(std::size_t row, const std::vector<store::FieldProblem>& problems) {
    std::set<std::string> seen;
    for (const store::FieldProblem& p : problems) {
      const std::string key = keyOfField(p.field);
      if (!seen.insert(key).second) continue;
      errors_.add(errorAt(plan_, row, key, sheetMessage(key, p.message + " (with stored values)")));
    }
  }

  template <typename Record, typename Field>
  void keep(Record& next, const Record& old, std::string_view key, Field Record::*field) const {
    if (!plan_.sets(key)) next.*field = old.*field;
  }

  std::vector<Pending<store::Client>> decideClients() {
    std::vector<Pending<store::Client>> out;
    for (const ClientRow& row : plan_.clients) {
      store::Client next = row.client;
      const std::optional<store::Client> old = book_.client(txn_, next.cid);
      if (old) {
        keep(next, *old, "msisdn", &store::Client::msisdn);
        keep(next, *old, "name", &store::Client::shortName);
        keep(next, *old, "lang", &store::Client::language);
        keep(next, *old, "consent", &store::Client::consent);
        keep(next, *old, "group", &store::Client::groupId);
        keep(next, *old, "br", &store::Client::homeBranch);
      }
      const Change change = decide(old, next, plan_.sets("ver"), now_);
      check(row.row, store::clientProblems(next));
      out.push_back({change, std::move(next)});
    }
    return out;
  }

  std::vector<Pending<store::LoanSnapshot>> decideLoans() {
    std::vector<Pending<store::LoanSnapshot>> out;
    for (const LoanRow& row : plan_.loans) {
      store::LoanSnapshot next = row.loan;
      const std::optional<store::LoanSnapshot> old = book_.loan(txn_, next.loanId);
      if (old) {
        for (const auto& [key, field] :
             std::array<std::pair<std::string_view, std::int64_t store::LoanSnapshot::*>, 4>{{
                 {"disb", &store::LoanSnapshot::disbursed},
                 {"pout", &store::LoanSnapshot::principalOutstanding},
                 {"tod", &store::LoanSnapshot::totalOverdue},
                 {"lpa", &store::LoanSnapshot::lastPaymentAmount},
             }}) {
          keep(next, *old, key, field);
        }
        keep(next, *old, "odsince", &store::LoanSnapshot::overdueSince);
        keep(next, *old, "lpd", &store::LoanSnapshot::lastPaymentDay);
        keep(next, *old, "inst", &store::LoanSnapshot::installments);
        keep(next, *old, "prod", &store::LoanSnapshot::product);
        keep(next, *old, "lo", &store::LoanSnapshot::officer);
        keep(next, *old, "br", &store::LoanSnapshot::branch);
        keep(next, *old, "flags", &store::LoanSnapshot::flags);
      }
      // Phone and language follow the client unless the row names them; a stored loan
      // keeps its own when the file has no such column.
      if (!row.msisdnGiven || !row.languageGiven) {
        const std::optional<store::Client> client = book_.client(txn_, next.clientId);
        if (!row.msisdnGiven) {
          if (old && !plan_.sets("msisdn")) {
            next.msisdn = old->msisdn;
          } else {
            next.msisdn = client ? client->msisdn : std::string();
          }
        }
        if (!row.languageGiven) {
          if (old && !plan_.sets("lang")) {
            next.language = old->language;
          } else {
            next.language = client ? client->language : options_.defaultLanguage;
          }
        }
      }
      // asof is local: compare without it, then stamp the import time.
      next.asOf = old ? old->asOf : 0;
      const Change change = decide(old, next, plan_.sets("ver"), now_);
      next.asOf = static_cast<std::uint32_t>(std::min<std::uint64_t>(now_, UINT32_MAX));
      check(row.row, store::loanSnapshotProblems(next));
      out.push_back({change, std::move(next)});
    }
    return out;
  }

  std::vector<Pending<store::Group>> decideGroups() {
    std::vector<Pending<store::Group>> out;
    for (const GroupRow& row : plan_.groups) {
      store::Group next = row.group;
      const std::optional<store::Group> old = book_.group(txn_, next.id);
      if (old) {
        keep(next, *old, "name", &store::Group::name);
        keep(next, *old, "leader", &store::Group::leaderCid);
        keep(next, *old, "weekday", &store::Group::meetingWeekday);
        keep(next, *old, "time", &store::Group::meetingMinute);
        keep(next, *old, "next_meeting", &store::Group::nextMeetingDay);
        keep(next, *old, "br", &store::Group::branch);
      }
      const Change change = decide(old, next, plan_.sets("ver"), now_);
      check(row.row, store::groupProblems(next));
      out.push_back({change, std::move(next)});
    }
    return out;
  }

  std::vector<Pending<store::PaymentPoint>> decidePoints() {
    std::vector<Pending<store::PaymentPoint>> out;
    for (const PaymentPointRow& row : plan_.paymentPoints) {
      store::PaymentPoint next = row.point;
      const std::optional<store::PaymentPoint> old = book_.paymentPoint(txn_, next.id);
      if (!row.active) {
        // An inactive point that is not stored is already as the file wants it.
        out.push_back({old ? Change::Remove : Change::Unchanged, std::move(next)});
        continue;
      }
      if (old) {
        keep(next, *old, "br", &store::PaymentPoint::branch);
        keep(next, *old, "area", &store::PaymentPoint::areaCode);
        keep(next, *old, "landmark", &store::PaymentPoint::landmark);
        keep(next, *old, "hours", &store::PaymentPoint::openingHours);
        keep(next, *old, "services", &store::PaymentPoint::services);
      }
      const Change change = decide(old, next, plan_.sets("ver"), now_);
      check(row.row, store::paymentPointProblems(next));
      out.push_back({change, std::move(next)});
    }
    return out;
  }

  std::vector<Pending<store::Area>> decideAreas() {
    std::vector<Pending<store::Area>> out;
    for (const AreaRow& row : plan_.areas) {
      store::Area next = row.area;
      const std::optional<store::Area> old = book_.area(txn_, next.code);
      if (!row.active) {
        out.push_back({old ? Change::Remove : Change::Unchanged, std::move(next)});
        continue;
      }
      if (old) keep(next, *old, "br", &store::Area::branch);
      const Change change = decide(old, next, plan_.sets("ver"), now_);
      check(row.row, store::areaProblems(next));
      out.push_back({change, std::move(next)});
    }
    return out;
  }

  const store::LoanBook& book_;
  const store::Txn& txn_;
  const ImportPlan& plan_;
  std::uint64_t now_;
  const ImportOptions& options_;
  ImportOutcome outcome_;
  ErrorList errors_;
};

}  // namespace

ImportOutcome previewImport(const store::LoanBook& book, const store::Txn& txn,
                            const ImportPlan& plan, std::int64_t nowUnixSeconds,
                            const ImportOptions& options) {
  return Importer(book, txn, plan, nowUnixSeconds, options).run(nullptr);
}

ImportOutcome applyImport(const store::LoanBook& book, store::WriteTxn& txn, const ImportPlan& plan,
                          std::int64_t nowUnixSeconds, const ImportOptions& options) {
  return Importer(book, txn, plan, nowUnixSeconds, options).run(&txn);
}

}  // namespace mfigw::gateway
