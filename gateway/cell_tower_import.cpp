#include "gateway/cell_tower_import.hpp"

#include <algorithm>
#include <array>
#include <optional>
#include <string>

#include "gateway/import_cells.hpp"

namespace mfigw::gateway {
namespace {

struct ColumnSpec {
  std::string_view key;
  std::array<std::string_view, 3> names;  // folded spellings, the key first ("" unused)
  bool required;
};

constexpr std::array<ColumnSpec, 8> kColumns = {{
    {"radio", {"radio", "", ""}, true},
    {"mcc", {"mcc", "", ""}, true},
    {"net", {"net", "mnc", ""}, true},
    {"area", {"area", "lac", "tac"}, true},
    {"cell", {"cell", "cid", "ci"}, true},
    {"lon", {"lon", "longitude", ""}, true},
    {"lat", {"lat", "latitude", ""}, true},
    {"range", {"range", "", ""}, false},
}};
constexpr std::size_t kNotPresent = SIZE_MAX;

class Errors {
 public:
  Errors(CellImportResult& result, std::size_t max) : result_(result), max_(max) {}
  void add(ImportError error) {
    ++result_.errorCount;
    if (result_.errors.size() < max_) result_.errors.push_back(std::move(error));
  }

 private:
  CellImportResult& result_;
  std::size_t max_;
};

// One line at a time: the cells of the line as views into the text.
class LineReader {
 public:
  explicit LineReader(std::string_view text) : text_(text) {
    if (text_.starts_with("\xEF\xBB\xBF")) text_.remove_prefix(3);  // Excel's UTF-8 BOM
  }
  // False at the end of the text.
  bool next(std::vector<std::string_view>& cells) {
    if (pos_ >= text_.size()) return false;
    std::size_t end = text_.find('\n', pos_);
    if (end == std::string_view::npos) end = text_.size();
    std::string_view line = text_.substr(pos_, end - pos_);
    pos_ = end + 1;
    ++row_;
    if (line.ends_with('\r')) line.remove_suffix(1);
    cells.clear();
    std::size_t start = 0;
    while (true) {
      const std::size_t comma = line.find(',', start);
      cells.push_back(
          line.substr(start, comma == std::string_view::npos ? line.npos : comma - start));
      if (comma == std::string_view::npos) break;
      start = comma + 1;
    }
    return true;
  }
  std::size_t row() const { return row_; }

 private:
  std::string_view text_;
  std::size_t pos_ = 0;
  std::size_t row_ = 0;
};

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t'))
    s.remove_suffix(1);
  return s;
}

struct Header {
  std::array<std::size_t, kColumns.size()> at;  // 0-based cell index per column, or kNotPresent
  std::array<std::string, kColumns.size()> written;
  std::size_t width = 0;
};

std::optional<Header> readHeader(LineReader& lines, Errors& errors) {
  std::vector<std::string_view> cells;
  if (!lines.next(cells) || (cells.size() == 1 && trim(cells[0]).empty())) {
    errors.add({1, 1, "", "the file is empty: expected the OpenCellID header row"});
    return std::nullopt;
  }
  Header header;
  header.at.fill(kNotPresent);
  header.width = cells.size();
  bool ok = true;
  for (std::size_t i = 0; i < cells.size(); ++i) {
    const std::string folded = foldName(trim(cells[i]));
    for (std::size_t c = 0; c < kColumns.size(); ++c) {
      const auto& names = kColumns[c].names;
      if (folded.empty() || std::find(names.begin(), names.end(), folded) == names.end()) continue;
      if (header.at[c] != kNotPresent) {
        errors.add({1, i + 1, std::string(trim(cells[i])),
                    "names the same field (" + std::string(kColumns[c].key) + ") as column " +
                        std::to_string(header.at[c] + 1)});
        ok = false;
        continue;
      }
      header.at[c] = i;
      header.written[c] = std::string(trim(cells[i]));
    }
  }
  for (std::size_t c = 0; c < kColumns.size(); ++c) {
    if (kColumns[c].required && header.at[c] == kNotPresent) {
      errors.add({1, header.width + 1, std::string(kColumns[c].key), "required column is missing"});
      ok = false;
    }
  }
  if (!ok) return std::nullopt;
  return header;
}

// Reads the rows; calls keep(tower) for each good row of a wanted country.
template <typename Keep>
void readRows(std::string_view csv, const CellImportOptions& options, CellImportResult& result,
              Keep keep) {
  Errors errors(result, options.maxErrors);
  LineReader lines(csv);
  const std::optional<Header> header = readHeader(lines, errors);
  if (!header) return;
  std::vector<std::string_view> cells;
  while (lines.next(cells)) {
    const std::size_t row = lines.row();
    if (std::all_of(cells.begin(), cells.end(), [](std::string_view c) { return trim(c).empty(); }))
      continue;
    ++result.dataRows;
    bool bad = false;
    const auto fail = [&](std::size_t c, std::string message) {
      errors.add({row, header->at[c] + 1, header->written[c], std::move(message)});
      bad = true;
    };
    const auto cell = [&](std::size_t c) -> std::string_view {
      const std::size_t at = header->at[c];
      return at < cells.size() ? trim(cells[at]) : std::string_view{};
    };
    if (std::any_of(cells.begin(), cells.end(),
                    [](std::string_view c) { return c.find('"') != c.npos; })) {
      errors.add({row, 1, "", "a quote: OpenCellID files have no quoted cells"});
      continue;
    }
    const auto number = [&](std::size_t c, std::uint64_t min, std::uint64_t max) -> std::uint64_t {
      const std::string_view text = cell(c);
      if (text.empty()) {
        fail(c, "is empty; this column is required");
        return 0;
      }
      const CellValue<std::uint64_t> value = parseWholeNumber(text, UINT64_MAX);
      if (!value.value || *value.value < min || *value.value > max) {
        fail(c, "must be a whole number " + std::to_string(min) + ".." + std::to_string(max) +
                    " (got \"" + std::string(text.substr(0, 30)) + "\")");
        return 0;
      }
      return *value.value;
    };
    store::CellTower tower;
    tower.id.mcc = static_cast<std::uint16_t>(number(1, 1, store::kMaxMcc));
    if (!bad && !options.mccs.empty() &&
        std::find(options.mccs.begin(), options.mccs.end(), tower.id.mcc) == options.mccs.end()) {
      ++result.skipped;
      continue;
    }
    const std::optional<store::CellRadio> radio = store::cellRadioFromString(cell(0));
    if (!radio) {
      fail(0, "must be GSM, UMTS, CDMA, LTE or NR (got \"" + std::string(cell(0).substr(0, 30)) +
                  "\")");
    } else {
      tower.radio = *radio;
    }
    tower.id.net = static_cast<std::uint16_t>(number(2, 0, store::kMaxMnc));
    tower.id.area = static_cast<std::uint32_t>(number(3, 0, store::kMaxCellArea));
    tower.id.cell = number(4, 0, store::kMaxCellId);
    for (const std::size_t c : {std::size_t{5}, std::size_t{6}}) {
      const std::string_view text = cell(c);
      const bool latitude = c == 6;
      const CellValue<std::int32_t> degrees =
          text.empty() ? CellValue<std::int32_t>::fail("is empty; this column is required")
                       : parseDegrees(text);
      const std::int32_t limit = (latitude ? 90 : 180) * store::kMicrodegrees;
      if (!degrees.value) {
        fail(c, degrees.error);
      } else if (*degrees.value < -limit || *degrees.value > limit) {
        fail(c, latitude ? "must be between -90 and 90 degrees"
                         : "must be between -180 and 180 degrees");
      } else {
        (latitude ? tower.latitudeE6 : tower.longitudeE6) = *degrees.value;
      }
    }
    if (header->at[7] != kNotPresent && !cell(7).empty()) {
      tower.rangeMeters = static_cast<std::uint32_t>(number(7, 0, UINT32_MAX));
    }
    if (bad) continue;
    ++result.counts.rows;
    keep(tower);
  }
}

template <typename Write>
CellImportResult decide(const store::LoanBook& book, const store::Txn& txn, std::string_view csv,
                        const CellImportOptions& options, Write write) {
  CellImportResult result = checkCellTowers(csv, options);
  if (!result.ok()) return result;
  // Second pass: the rows are known good; count (and write) them one at a time.
  CellImportResult again;
  readRows(csv, options, again, [&](const store::CellTower& tower) {
    const std::optional<store::CellTower> old = book.cellTower(txn, tower.id);
    if (!old) {
      ++result.counts.added;
    } else if (*old == tower) {
      ++result.counts.unchanged;
      return;
    } else {
      ++result.counts.updated;
    }
    write(tower);
  });
  return result;
}

}  // namespace

CellImportResult checkCellTowers(std::string_view csv, const CellImportOptions& options) {
  CellImportResult result;
  readRows(csv, options, result, [](const store::CellTower&) {});
  std::stable_sort(result.errors.begin(), result.errors.end(),
                   [](const ImportError& a, const ImportError& b) {
                     return std::pair(a.row, a.column) < std::pair(b.row, b.column);
                   });
  return result;
}

CellImportResult previewCellTowers(const store::LoanBook& book, const store::Txn& txn,
                                   std::string_view csv, const CellImportOptions& options) {
  return decide(book, txn, csv, options, [](const store::CellTower&) {});
}

CellImportResult applyCellTowers(const store::LoanBook& book, store::WriteTxn& txn,
                                 std::string_view csv, const CellImportOptions& options) {
  return decide(book, txn, csv, options,
                [&](const store::CellTower& tower) { book.upsertCellTower(txn, tower); });
}

}  // namespace mfigw::gateway
