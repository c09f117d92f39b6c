// CSV as spreadsheets write it (RFC 4180, read leniently where it is unambiguous).
//
// Purpose: turns the bytes of a CSV file into records of cells, with every syntax error
//   named by row and column, so that the loan-book import can say "loans.csv:14:3: ..."
//   the way a spreadsheet shows the cell. Accepted: quoted cells ("a,b"), doubled quotes
//   inside them ("say ""hi"""), line breaks inside quoted cells (kept as written),
//   records ended by CRLF, LF or a lone CR (old Mac Excel), a UTF-8 byte-order mark at
//   the start (Excel's "CSV UTF-8"), and a final line break or none. The delimiter is a
//   parameter (',' by default; detectDelimiter() picks ';' or TAB from the header line,
//   as European Excel writes them).
//   Rows and columns are counted as a spreadsheet does: the first record is row 1, the
//   first cell of a record is column 1; a record spanning several lines (a quoted line
//   break) is still one row. A blank line is a record of one empty cell (a blank row).
//   Refused, as ambiguous: a quote inside an unquoted cell, text after a closing quote
//   and a quoted cell still open at the end of the file. Each is reported once per cell
//   and reading goes on (the quote is kept as a character), so one pass lists every error.
//   formatCsvRecord() is the inverse: readCsv(format of records) gives the same cells.
// Threading: pure functions, any thread.
// Errors: syntax errors are values (CsvDocument::errors); nothing throws except
//   std::bad_alloc.
// Ownership: values in, values out.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace mfigw::gateway {

struct CsvOptions {
  char delimiter = ',';
};

struct CsvRecord {
  std::size_t row = 0;  // 1-based, as a spreadsheet numbers rows
  std::vector<std::string> cells;

  bool operator==(const CsvRecord&) const = default;
};

struct CsvSyntaxError {
  std::size_t row = 0;     // the record's row
  std::size_t column = 0;  // 1-based cell index within the record
  std::string message;

  bool operator==(const CsvSyntaxError&) const = default;
};

struct CsvDocument {
  std::vector<CsvRecord> records;
  std::vector<CsvSyntaxError> errors;  // in reading order

  bool ok() const noexcept { return errors.empty(); }
};

// Reads the whole text. An empty text (or a byte-order mark alone) has no records.
[[nodiscard]] CsvDocument readCsv(std::string_view text, CsvOptions options = {});

// The delimiter of the file's first line: ';' or TAB when that line (outside quotes) has
// some of them and no comma, else ','. A file with one column has no delimiter to see and
// reads the same either way.
[[nodiscard]] char detectDelimiter(std::string_view text);

// One record as a CSV line ending in CRLF; a cell is quoted when it must be (it holds the
// delimiter, a quote, CR or LF, or it would start the text with a byte-order mark).
[[nodiscard]] std::string formatCsvRecord(const std::vector<std::string>& cells,
                                          char delimiter = ',');

}  // namespace mfigw::gateway
