// Import of cell positions in the OpenCellID CSV layout (import kind `cells`).
//
// Purpose: fills the cell_towers table (store/cell_tower.hpp) from the file OpenCellID
//   (or Mozilla Ichnaea) exports, so the locator can measure from the caller's serving cell:
//     radio,mcc,net,area,cell,unit,lon,lat,range,samples,changeable,created,updated,averageSignal
//   Columns are found by their header names (case-insensitive; `mnc` for net, `lac`/`tac`
//   for area, `cid`/`ci` for cell are read too); radio, mcc, net, area, cell, lon and lat are
//   required, range is optional (empty: unknown), the rest are ignored.
//   Memory stays bounded whatever the file's size: the text is read one line at a time,
//   twice (a checking pass that keeps only the errors, then a writing pass inside the
//   caller's txn), and no row is held after it is read. So a duplicate cell id within one
//   file is not detected: the later row wins (OpenCellID never repeats one).
//   `mccs` keeps only the cells of those mobile country codes (a world file filtered to the
//   MFI's countries); rows of other countries are counted as skipped and not checked
//   beyond their mcc.
//   The same rules as the loan-book import otherwise: errors as FILE:ROW:COL: column:
//   message (the header is row 1), all rows or none, a dry run that writes nothing.
//   OpenCellID files never quote cells: a quote is refused.
// Threading: pure parsing; apply/preview run in the caller's txn (see txn.hpp rules).
// Errors: bad input is a value (errors, errorCount; the list keeps options.maxErrors).
//   StoreError/MapFull from the txn propagate (the caller aborts it).
// Ownership: borrows the text; results are values.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "gateway/loan_book_import.hpp"
#include "store/loan_book.hpp"
#include "store/txn.hpp"

namespace mfigw::gateway {

struct CellImportOptions {
  std::vector<std::uint16_t> mccs;  // empty: every country
  std::size_t maxErrors = 1000;
};

struct CellImportResult {
  std::size_t dataRows = 0;  // non-blank rows below the header
  std::size_t skipped = 0;   // rows of a country not in `mccs`
  ImportCounts counts;       // rows = the cells kept; removed is always 0
  std::vector<ImportError> errors;
  std::size_t errorCount = 0;

  [[nodiscard]] bool ok() const noexcept { return errorCount == 0; }
};

// The checking pass: counts and errors, nothing read from or written to a store.
[[nodiscard]] CellImportResult checkCellTowers(std::string_view csv,
                                               const CellImportOptions& options);
// Checks, then decides each kept row against the table (new, updated or unchanged); the
// apply form writes them, the preview form only counts. Nothing is written unless ok().
[[nodiscard]] CellImportResult previewCellTowers(const store::LoanBook& book, const store::Txn& txn,
                                                 std::string_view csv,
                                                 const CellImportOptions& options);
[[nodiscard]] CellImportResult applyCellTowers(const store::LoanBook& book, store::WriteTxn& txn,
                                               std::string_view csv,
                                               const CellImportOptions& options);

}  // namespace mfigw::gateway
