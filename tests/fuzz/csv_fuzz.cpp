// Fuzz target for the CSV reader and the loan-book import parser: any bytes must read into
// records or positioned errors, never crash. Checked on every input:
//   - rows are 1..n in order, every record has a cell, errors point at a record's cell;
//   - formatting the records and reading them back gives the same cells (when the input
//     read without errors);
//   - the import parser (kind chosen by the first byte, the rest as the file) either has
//     records and no errors, or errors and no records; every error lies inside the file
//     (or one past the header for a missing column), and every record passes the store's
//     own bounds check, so applying it could not throw InvalidRecord;
//   - the OpenCellID reader (kind `cells`) keeps at most as many cells as it read rows, and
//     its errors lie inside the file (or one past the header for a missing column).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "gateway/cell_tower_import.hpp"
#include "gateway/csv_reader.hpp"
#include "gateway/loan_book_import.hpp"

namespace {

using namespace mfigw::gateway;

void check(bool condition) {
  if (!condition) std::abort();
}

void checkReader(std::string_view text, char delimiter) {
  const CsvDocument doc = readCsv(text, {delimiter});
  for (std::size_t i = 0; i < doc.records.size(); ++i) {
    check(doc.records[i].row == i + 1);
    check(!doc.records[i].cells.empty());
  }
  for (const CsvSyntaxError& e : doc.errors) {
    check(e.row >= 1 && e.row <= doc.records.size());
    check(e.column >= 1 && e.column <= doc.records[e.row - 1].cells.size());
  }
  if (!doc.ok()) return;
  std::string again;
  for (const CsvRecord& r : doc.records)
    again += formatCsvRecord(r.cells, delimiter);
  const CsvDocument reread = readCsv(again, {delimiter});
  check(reread.ok());
  check(reread.records.size() == doc.records.size());
  for (std::size_t i = 0; i < doc.records.size(); ++i) {
    check(reread.records[i].cells == doc.records[i].cells);
  }
}

void checkImport(ImportKind kind, std::string_view text) {
  ImportOptions options;
  options.maxErrors = 50;
  const ImportPlan plan = parseImport(kind, text, options);
  const std::size_t records = plan.clients.size() + plan.loans.size() + plan.groups.size() +
                              plan.paymentPoints.size() + plan.areas.size();
  check(plan.errors.size() <= options.maxErrors);
  check(plan.errors.size() <= plan.errorCount);
  check(plan.ok() || records == 0);
  check(!plan.ok() || records == plan.dataRows);
  for (const ImportError& e : plan.errors) {
    check(e.row >= 1 && e.column >= 1);
    check(!e.message.empty());
  }
  for (const ClientRow& r : plan.clients)
    check(mfigw::store::clientProblems(r.client).empty());
  for (const LoanRow& r : plan.loans)
    check(mfigw::store::loanSnapshotProblems(r.loan).empty());
  for (const GroupRow& r : plan.groups)
    check(mfigw::store::groupProblems(r.group).empty());
  for (const PaymentPointRow& r : plan.paymentPoints) {
    check(mfigw::store::paymentPointProblems(r.point).empty());
  }
  for (const AreaRow& r : plan.areas)
    check(mfigw::store::areaProblems(r.area).empty());
}

void checkCells(std::string_view text) {
  CellImportOptions options;
  options.maxErrors = 50;
  const CellImportResult result = checkCellTowers(text, options);
  check(result.errors.size() <= options.maxErrors);
  check(result.errors.size() <= result.errorCount);
  check(result.counts.rows + result.skipped <= result.dataRows);
  for (const ImportError& e : result.errors) {
    check(e.row >= 1 && e.column >= 1);
    check(!e.message.empty());
  }
  options.mccs = {639};
  const CellImportResult kenya = checkCellTowers(text, options);
  check(kenya.counts.rows <= result.counts.rows || !result.ok());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  checkReader(bytes, ',');
  checkReader(bytes, ';');
  if (size == 0) return 0;
  // '0'..'3' (the older seeds) keep their kinds; '4' is areas, '5' cells.
  constexpr ImportKind kKinds[] = {ImportKind::Clients, ImportKind::Loans, ImportKind::Groups,
                                   ImportKind::PaymentPoints, ImportKind::Areas};
  const std::size_t pick = data[0] % 6;
  if (pick == 5) {
    checkCells(bytes.substr(1));
  } else {
    checkImport(kKinds[pick], bytes.substr(1));
  }
  return 0;
}
