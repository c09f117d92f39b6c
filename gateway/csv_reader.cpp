#include "gateway/csv_reader.hpp"

#include <utility>

namespace mfigw::gateway {
namespace {

constexpr std::string_view kByteOrderMark = "\xEF\xBB\xBF";

// One pass over the text; `pos_` only moves forward, so the reader ends on any input.
class Reader {
 public:
  Reader(std::string_view text, char delimiter) : text_(text), delimiter_(delimiter) {
    if (text_.starts_with(kByteOrderMark)) pos_ = kByteOrderMark.size();
  }

  CsvDocument read() {
    while (pos_ < text_.size()) {
      readRecord();
    }
    return std::move(document_);
  }

 private:
  bool atEnd() const { return pos_ >= text_.size(); }
  char peek() const { return text_[pos_]; }
  bool atLineEnd() const { return !atEnd() && (peek() == '\r' || peek() == '\n'); }

  void error(std::size_t column, std::string message) {
    document_.errors.push_back({row_, column, std::move(message)});
  }

  void readRecord() {
    ++row_;
    CsvRecord record;
    record.row = row_;
    while (true) {
      record.cells.push_back(readCell(record.cells.size() + 1));
      if (atEnd()) break;
      if (peek() == delimiter_) {
        ++pos_;
        continue;  // a delimiter at the line's end still opens one more (empty) cell
      }
      // A line break: CRLF, LF or a lone CR ends the record.
      if (peek() == '\r') ++pos_;
      if (!atEnd() && peek() == '\n') ++pos_;
      break;
    }
    document_.records.push_back(std::move(record));
  }

  std::string readCell(std::size_t column) {
    std::string cell;
    // One error per cell is enough to find it; the rest of the cell is read as text.
    bool reported = false;
    if (!atEnd() && peek() == '"') {
      reported = readQuoted(column, cell);
    }
    while (!atEnd() && peek() != delimiter_ && !atLineEnd()) {
      if (peek() == '"' && !reported) {
        error(column, "a quote inside an unquoted cell: quote the whole cell and double the quote");
        reported = true;
      }
      cell += peek();
      ++pos_;
    }
    return cell;
  }

  // Reads "...", leaving pos_ after the closing quote. Text that follows the closing quote
  // is reported here and read on by readCell() as part of the cell. True when it reported.
  bool readQuoted(std::size_t column, std::string& cell) {
    const std::size_t startRow = row_;
    ++pos_;  // the opening quote
    while (true) {
      const std::size_t quote = text_.find('"', pos_);
      if (quote == std::string_view::npos) {
        cell.append(text_.substr(pos_));
        pos_ = text_.size();
        document_.errors.push_back(
            {startRow, column, "a quoted cell is not closed before the end of the file"});
        return true;
      }
      cell.append(text_.substr(pos_, quote - pos_));
      pos_ = quote + 1;
      if (!atEnd() && peek() == '"') {  // "" is one quote character
        cell += '"';
        ++pos_;
        continue;
      }
      break;
    }
    if (!atEnd() && peek() != delimiter_ && !atLineEnd()) {
      error(column, "text after the closing quote of a quoted cell");
      return true;
    }
    return false;
  }

  std::string_view text_;
  char delimiter_;
  std::size_t pos_ = 0;
  std::size_t row_ = 0;
  CsvDocument document_;
};

bool needsQuotes(std::string_view cell, char delimiter) {
  for (const char c : cell) {
    if (c == delimiter || c == '"' || c == '\r' || c == '\n') return true;
  }
  return cell.starts_with(kByteOrderMark);
}

}  // namespace

CsvDocument readCsv(std::string_view text, CsvOptions options) {
  return Reader(text, options.delimiter).read();
}

char detectDelimiter(std::string_view text) {
  if (text.starts_with(kByteOrderMark)) text.remove_prefix(kByteOrderMark.size());
  std::size_t commas = 0;
  std::size_t semicolons = 0;
  std::size_t tabs = 0;
  bool quoted = false;
  for (const char c : text) {
    if (c == '"') {
      quoted = !quoted;  // a doubled quote toggles twice: still right
    } else if (!quoted && (c == '\r' || c == '\n')) {
      break;
    } else if (!quoted) {
      commas += c == ',' ? 1 : 0;
      semicolons += c == ';' ? 1 : 0;
      tabs += c == '\t' ? 1 : 0;
    }
  }
  if (commas > 0) return ',';
  if (semicolons > 0) return ';';
  if (tabs > 0) return '\t';
  return ',';
}

std::string formatCsvRecord(const std::vector<std::string>& cells, char delimiter) {
  std::string line;
  for (std::size_t i = 0; i < cells.size(); ++i) {
    if (i > 0) line += delimiter;
    const std::string& cell = cells[i];
    if (!needsQuotes(cell, delimiter)) {
      line += cell;
      continue;
    }
    line += '"';
    for (const char c : cell) {
      if (c == '"') line += '"';
      line += c;
    }
    line += '"';
  }
  line += "\r\n";
  return line;
}

}  // namespace mfigw::gateway
