// Spreadsheet import of the loan book: clients, loans, groups, payment points and areas from
// CSV.
//
// Purpose: many small MFIs keep their book in a spreadsheet. parseImport() reads one CSV
//   file of one kind into store records, checking every cell and collecting every error as
//   FILE:ROW:COL: column name: message (rows and columns as the spreadsheet shows them; the
//   header is row 1). applyImport() then writes the records into the loan book inside the
//   caller's ONE write txn, all or nothing; previewImport() is the dry run: the same
//   decisions in a read-only txn, reporting how many records would be new, updated,
//   unchanged or removed.
//   The header names the columns: the short keys of reference/upstream.md section 3
//   (`lid`, `acct`, `tout`, ...) or readable aliases (`loan_id`, `Total outstanding`),
//   matched case-insensitively with spaces, '-' and '.' read as '_'. Column order is free;
//   unknown columns are ignored and listed (ImportPlan::ignoredColumns); a column named
//   twice is an error, and so is a column that marks another kind's file (`lid` in a
//   clients import, `lat`/`lon` outside payment points and areas, `cid` outside clients
//   and loans): the file was most likely imported as the wrong kind. Required columns per
//   kind (the OpenCellID `cells` kind has its own reader: gateway/cell_tower_import.hpp):
//     clients         cid
//     loans           lid, acct, cid, st, cur, tout
//     groups          id
//     payment_points  id, name, kind, lat, lon
//                     (optional: br = branch, area = area_code, services, landmark, hours,
//                     active, ver)
//     areas           area (area_code), name, lat, lon   (optional: br = branch, active, ver)
//   A point's `area_code` is the area it is in and its `branch` the branch that runs it: two
//   different things (before areas existed, `area_code` was read as the branch; a file
//   that used it that way now tags its points with area codes, which the locator reads as
//   area centres: store/place_centres.hpp). Area codes are numbers 1..99999999 ("007" is 7,
//   store/area.hpp); `services` is free text up to 40 bytes ("repay;cash-out;register").
//   A file updates the fields it has columns for: when a record already exists, a field
//   whose column the file lacks keeps its stored value (a new record gets the default).
//   An empty cell in a present column sets the field's empty value, except where noted.
//   Cells (import_cells.hpp): amounts in major units with the loan's currency decimals
//   (`dec`, or ISO 4217 for `cur`); dates YYYY-MM-DD; installments as inst1_due,
//   inst1_amount, inst1_partial .. inst3_*, filled in order; phone numbers through
//   libphonenumber in the default region, stored as E.164 digits without '+'.
//   Defaults: `lang` empty -> the loan's client's language, else ImportOptions::
//   defaultLanguage; a loan's empty `msisdn` -> its client's number; client `consent`
//   absent -> reminders; point or area `active` = no -> it is removed (if it exists).
//   `ver` absent -> an unchanged record keeps its ver, a new or changed one gets the
//   import time (at least the stored ver + 1), so a re-import of the same file changes
//   nothing. A loan's `asof` is set to the import time for every row: the import confirms it.
//   Blank rows (every cell empty) are skipped. Within one file an id may appear once and,
//   for clients, a phone number once.
//   Positions: a missing column is reported on row 1 at the column just past the header's
//   last one; so is a problem of a field the file has no column for (on the row in question).
// Threading: pure parsing; apply/preview run in the caller's txn (see txn.hpp rules).
// Errors: bad input is a value (ImportPlan/ImportOutcome errors); the list keeps the first
//   ImportOptions::maxErrors, errorCount counts all. applyImport() writes nothing when it
//   reports an error. StoreError/MapFull from the txn propagate (the caller aborts it).
//   Messages never quote personal cells (phone numbers, client names).
// Ownership: plans and outcomes are values; apply borrows the LoanBook and the txn.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "store/area.hpp"
#include "store/client.hpp"
#include "store/group.hpp"
#include "store/loan_book.hpp"
#include "store/loan_snapshot.hpp"
#include "store/payment_point.hpp"
#include "store/txn.hpp"

namespace mfigw::gateway {

enum class ImportKind : std::uint8_t { Clients, Loans, Groups, PaymentPoints, Areas };
[[nodiscard]] std::string_view toString(ImportKind kind) noexcept;  // "payment_points"
[[nodiscard]] std::optional<ImportKind> importKindFromString(std::string_view text) noexcept;

struct ImportOptions {
  std::string defaultRegion = "KE";  // for phone numbers written without '+'
  std::string defaultLanguage = "en";
  std::size_t maxErrors = 1000;  // errors kept in the list (all are counted)
};

struct ImportError {
  std::size_t row = 0;     // 1-based; the header is row 1
  std::size_t column = 0;  // 1-based (A = 1)
  std::string columnName;  // as the header writes it; the canonical key for a missing column
  std::string message;

  // "FILE:ROW:COL: column name: message" ("FILE:ROW:COL: message" without a column name).
  [[nodiscard]] std::string toString(std::string_view fileName) const;
  bool operator==(const ImportError&) const = default;
};

struct ClientRow {
  std::size_t row = 0;
  store::Client client;
};

struct LoanRow {
  std::size_t row = 0;
  store::LoanSnapshot loan;
  bool msisdnGiven = false;    // the cell had a number (else the client's applies)
  bool languageGiven = false;  // the cell had a language (else the client's applies)
};

struct GroupRow {
  std::size_t row = 0;
  store::Group group;
};

struct PaymentPointRow {
  std::size_t row = 0;
  store::PaymentPoint point;
  bool active = true;
};

struct AreaRow {
  std::size_t row = 0;
  store::Area area;
  bool active = true;
};

// A column of the file that the importer reads.
struct ImportColumn {
  std::string key;     // canonical: "tout", "inst2_due", ...
  std::size_t column;  // 1-based
  std::string header;  // as written
};

struct ImportPlan {
  ImportKind kind = ImportKind::Loans;
  std::size_t dataRows = 0;  // non-blank rows below the header
  std::vector<ImportError> errors;
  std::size_t errorCount = 0;
  std::vector<std::string> ignoredColumns;  // header cells of unknown columns, as written
  std::vector<ImportColumn> columns;
  std::size_t headerWidth = 0;  // cells up to the last named one
  // Exactly one of these is filled, as `kind` says; empty unless ok().
  std::vector<ClientRow> clients;
  std::vector<LoanRow> loans;
  std::vector<GroupRow> groups;
  std::vector<PaymentPointRow> paymentPoints;
  std::vector<AreaRow> areas;

  [[nodiscard]] bool ok() const noexcept { return errorCount == 0; }
  // True when the file has a column for `key` ("inst" when it has any installment column).
  [[nodiscard]] bool sets(std::string_view key) const;
  [[nodiscard]] const ImportColumn* column(std::string_view key) const;
};

[[nodiscard]] ImportPlan parseImport(ImportKind kind, std::string_view csv,
                                     const ImportOptions& options);

struct ImportCounts {
  std::size_t rows = 0;  // records in the plan
  std::size_t added = 0;
  std::size_t updated = 0;
  std::size_t unchanged = 0;
  std::size_t removed = 0;  // payment points or areas marked inactive that existed

  bool operator==(const ImportCounts&) const = default;
};

struct ImportOutcome {
  ImportCounts counts;
  std::vector<ImportError> errors;  // records that merged with stored ones break bounds
  std::size_t errorCount = 0;

  [[nodiscard]] bool ok() const noexcept { return errorCount == 0; }
};

// Both need an ok() plan (std::invalid_argument otherwise). `nowUnixSeconds` stamps
// `asof` and the `ver` of new or changed records when the file has no ver column.
[[nodiscard]] ImportOutcome previewImport(const store::LoanBook& book, const store::Txn& txn,
                                          const ImportPlan& plan, std::int64_t nowUnixSeconds,
                                          const ImportOptions& options);
[[nodiscard]] ImportOutcome applyImport(const store::LoanBook& book, store::WriteTxn& txn,
                                        const ImportPlan& plan, std::int64_t nowUnixSeconds,
                                        const ImportOptions& options);

}  // namespace mfigw::gateway
