#include "gateway/import_api.hpp"

#include <algorithm>
#include <array>
#include <chrono>
#include <memory>
#include <optional>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "gateway/cell_tower_import.hpp"
#include "gateway/import_cells.hpp"
#include "gateway/store_refusal.hpp"
#include "store/txn.hpp"

namespace mfigw::gateway {
namespace {

// What spreadsheet programs and HTTP clients send for a .csv file.
constexpr std::array<std::string_view, 7> kCsvMediaTypes = {
    "",
    "text/csv",
    "text/plain",
    "text/comma-separated-values",
    "application/csv",
    "application/vnd.ms-excel",
    "application/octet-stream",
};

std::string mediaType(std::string_view contentType) {
  std::string out(contentType.substr(0, contentType.find(';')));
  while (!out.empty() && out.back() == ' ')
    out.pop_back();
  while (!out.empty() && out.front() == ' ')
    out.erase(out.begin());
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

bool dryRunOf(const AdminRequest& request) {
  const std::optional<std::string> value = request.queryParam("dry_run");
  if (!value || value->empty()) return false;
  const CellValue<bool> parsed = parseYesNo(*value);
  if (!parsed.value) throw HttpError(400, "dry_run: expected 1 or 0");
  return *parsed.value;
}

// ?mcc=639,640: the countries whose cells a `cells` import keeps (none: every country).
std::vector<std::uint16_t> mccsOf(const AdminRequest& request) {
  std::vector<std::uint16_t> out;
  const std::string text = request.queryParam("mcc").value_or("");
  std::string_view list = text;
  while (!list.empty()) {
    const std::size_t comma = list.find(',');
    const CellValue<std::uint64_t> mcc = parseWholeNumber(list.substr(0, comma), 999);
    if (!mcc.value || *mcc.value == 0) throw HttpError(400, "mcc: expected codes such as 639,640");
    out.push_back(static_cast<std::uint16_t>(*mcc.value));
    if (comma == std::string_view::npos) break;
    list.remove_prefix(comma + 1);
  }
  return out;
}

// The label of the file in error positions: a name, not a path, and printable.
std::string fileNameOf(const AdminRequest& request, std::string_view kind) {
  std::string name = request.queryParam("name").value_or("");
  if (const std::size_t slash = name.find_last_of("/\\"); slash != std::string::npos) {
    name.erase(0, slash + 1);
  }
  const CellValue<std::string> clean = cleanCell(name);
  name = clean.value.value_or("");
  constexpr std::size_t kMaxName = 100;
  if (name.empty() || name.size() > kMaxName) name = std::string(kind) + ".csv";
  return name;
}

nlohmann::json errorsJson(const std::vector<ImportError>& errors, const std::string& file) {
  nlohmann::json list = nlohmann::json::array();
  for (const ImportError& e : errors) {
    list.push_back({{"row", e.row},
                    {"column", e.column},
                    {"column_name", e.columnName},
                    {"message", e.message},
                    {"text", e.toString(file)}});
  }
  return list;
}

AdminResponse refused(std::string_view kind, const std::string& file,
                      const std::vector<ImportError>& errors, std::size_t count) {
  const std::string message = file + ": " + std::to_string(count) +
                              (count == 1 ? " error" : " errors") + "; nothing was imported";
  return AdminResponse::json(422, {{"error", {{"status", 422}, {"message", message}}},
                                   {"kind", std::string(kind)},
                                   {"file", file},
                                   {"error_count", count},
                                   {"errors", errorsJson(errors, file)}});
}

AdminResponse summary(std::string_view kind, const std::string& file, bool dryRun,
                      const ImportCounts& counts, const std::vector<std::string>& ignored,
                      std::optional<std::size_t> skipped = std::nullopt) {
  nlohmann::json body = {{"kind", std::string(kind)},
                         {"file", file},
                         {"dry_run", dryRun},
                         {"rows", counts.rows},
                         {"new", counts.added},
                         {"updated", counts.updated},
                         {"unchanged", counts.unchanged},
                         {"removed", counts.removed},
                         {"ignored_columns", ignored}};
  if (skipped) body["skipped"] = *skipped;  // cells of other countries (`cells` only)
  return AdminResponse::json(200, body);
}

}  // namespace

ImportApi::ImportApi(StoreLayout& stores, ImportOptions options, spdlog::logger& log, Clock now)
    : stores_(stores), options_(std::move(options)), log_(log), now_(std::move(now)) {
  if (!now_) {
    now_ = [] {
      return std::chrono::duration_cast<std::chrono::seconds>(
                 std::chrono::system_clock::now().time_since_epoch())
          .count();
    };
  }
}

void ImportApi::registerRoutes(AdminRoutes& routes) {
  routes.addAsync(
      HttpMethod::Post, "/api/v1/import/{kind}",
      [this](const AdminRequest& request, AdminContext&, AdminRoutes::Reply reply) {
        import(request, std::move(reply));
      },
      Auth::Required);
}

void ImportApi::import(const AdminRequest& request, AdminRoutes::Reply reply) {
  const std::string& kindName = request.params.at("kind");
  const std::optional<ImportKind> kind = importKindFromString(kindName);
  if (!kind && kindName != kCellsKind) {
    throw HttpError(404,
                    "no such import kind: clients, loans, groups, payment_points, areas, cells");
  }
  const std::string type = mediaType(request.header("content-type"));
  if (std::find(kCsvMediaTypes.begin(), kCsvMediaTypes.end(), type) == kCsvMediaTypes.end()) {
    throw HttpError(415, "expected the CSV file as the body (Content-Type: text/csv)");
  }
  const bool dryRun = dryRunOf(request);
  const std::string file = fileNameOf(request, kindName);
  if (!kind) {
    importCells(request, file, dryRun, std::move(reply));
    return;
  }

  auto plan = std::make_shared<const ImportPlan>(parseImport(*kind, request.body, options_));
  if (!plan->ok()) {
    log_.warn("loan book import refused kind={} rows={} errors={}", toString(*kind), plan->dataRows,
              plan->errorCount);
    reply(refused(toString(*kind), file, plan->errors, plan->errorCount));
    return;
  }

  // Filled on the writer thread, read in the completion; the writer's post orders the two.
  auto outcome = std::make_shared<ImportOutcome>();
  const store::LoanBook& book = stores_.tables().loanBook;
  const std::int64_t now = now_();
  stores_.durableWriter().submit(
      [&book, plan, outcome, dryRun, now, options = options_](store::WriteTxn& txn) {
        *outcome = dryRun ? previewImport(book, txn, *plan, now, options)
                          : applyImport(book, txn, *plan, now, options);
      },
      [this, kind = *kind, file, dryRun, plan, outcome,
       reply = std::move(reply)](std::error_code ec) {
        if (ec) {
          log_.error("loan book import not stored kind={} rows={} error={}", toString(kind),
                     plan->dataRows, ec.message());
          reply(storeRefusal(ec));
          return;
        }
        if (!outcome->ok()) {
          log_.warn("loan book import refused kind={} rows={} errors={}", toString(kind),
                    plan->dataRows, outcome->errorCount);
          reply(refused(toString(kind), file, outcome->errors, outcome->errorCount));
          return;
        }
        const ImportCounts& c = outcome->counts;
        log_.info("loan book import {} kind={} rows={} new={} updated={} unchanged={} removed={}",
                  dryRun ? "checked" : "committed", toString(kind), c.rows, c.added, c.updated,
                  c.unchanged, c.removed);
        reply(summary(toString(kind), file, dryRun, c, plan->ignoredColumns));
      });
}

void ImportApi::importCells(const AdminRequest& request, const std::string& file, bool dryRun,
                            AdminRoutes::Reply reply) {
  CellImportOptions options;
  options.mccs = mccsOf(request);
  options.maxErrors = options_.maxErrors;
  // The checking pass keeps no rows, only errors: cheap enough on the loop for the body
  // sizes admin.body_limit allows; the writing pass reads the text again on the writer.
  const CellImportResult checked = checkCellTowers(request.body, options);
  if (!checked.ok()) {
    log_.warn("cell import refused rows={} errors={}", checked.dataRows, checked.errorCount);
    reply(refused(kCellsKind, file, checked.errors, checked.errorCount));
    return;
  }
  auto body = std::make_shared<const std::string>(request.body);
  auto result = std::make_shared<CellImportResult>();
  const store::LoanBook& book = stores_.tables().loanBook;
  stores_.durableWriter().submit(
      [&book, body, result, dryRun, options](store::WriteTxn& txn) {
        *result = dryRun ? previewCellTowers(book, txn, *body, options)
                         : applyCellTowers(book, txn, *body, options);
      },
      [this, file, dryRun, result, reply = std::move(reply)](std::error_code ec) {
        if (ec) {
          log_.error("cell import not stored rows={} error={}", result->counts.rows, ec.message());
          reply(storeRefusal(ec));
          return;
        }
        const ImportCounts& c = result->counts;
        log_.info("cell import {} rows={} skipped={} new={} updated={} unchanged={}",
                  dryRun ? "checked" : "committed", c.rows, result->skipped, c.added, c.updated,
                  c.unchanged);
        reply(summary(kCellsKind, file, dryRun, c, {}, result->skipped));
      });
}

}  // namespace mfigw::gateway
