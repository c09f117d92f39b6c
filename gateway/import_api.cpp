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

// The label of the file in error positions: a name, not a path, and printable.
std::string fileNameOf(const AdminRequest& request, ImportKind kind) {
  std::string name = request.queryParam("name").value_or("");
  if (const std::size_t slash = name.find_last_of("/\\"); slash != std::string::npos) {
    name.erase(0, slash + 1);
  }
  const CellValue<std::string> clean = cleanCell(name);
  name = clean.value.value_or("");
  constexpr std::size_t kMaxName = 100;
  if (name.empty() || name.size() > kMaxName) name = std::string(toString(kind)) + ".csv";
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

AdminResponse refused(ImportKind kind, const std::string& file,
                      const std::vector<ImportError>& errors, std::size_t count) {
  const std::string message = file + ": " + std::to_string(count) +
                              (count == 1 ? " error" : " errors") + "; nothing was imported";
  return AdminResponse::json(422, {{"error", {{"status", 422}, {"message", message}}},
                                   {"kind", std::string(toString(kind))},
                                   {"file", file},
                                   {"error_count", count},
                                   {"errors", errorsJson(errors, file)}});
}

AdminResponse summary(ImportKind kind, const std::string& file, bool dryRun,
                      const ImportCounts& counts, const std::vector<std::string>& ignored) {
  return AdminResponse::json(200, {{"kind", std::string(toString(kind))},
                                   {"file", file},
                                   {"dry_run", dryRun},
                                   {"rows", counts.rows},
                                   {"new", counts.added},
                                   {"updated", counts.updated},
                                   {"unchanged", counts.unchanged},
                                   {"removed", counts.removed},
                                   {"ignored_columns", ignored}});
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
  const std::optional<ImportKind> kind = importKindFromString(request.params.at("kind"));
  if (!kind) throw HttpError(404, "no such import kind: clients, loans, groups, payment_points");
  const std::string type = mediaType(request.header("content-type"));
  if (std::find(kCsvMediaTypes.begin(), kCsvMediaTypes.end(), type) == kCsvMediaTypes.end()) {
    throw HttpError(415, "expected the CSV file as the body (Content-Type: text/csv)");
  }
  const bool dryRun = dryRunOf(request);
  const std::string file = fileNameOf(request, *kind);

  auto plan = std::make_shared<const ImportPlan>(parseImport(*kind, request.body, options_));
  if (!plan->ok()) {
    log_.warn("loan book import refused kind={} rows={} errors={}", toString(*kind), plan->dataRows,
              plan->errorCount);
    reply(refused(*kind, file, plan->errors, plan->errorCount));
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
          reply(refused(kind, file, outcome->errors, outcome->errorCount));
          return;
        }
        const ImportCounts& c = outcome->counts;
        log_.info("loan book import {} kind={} rows={} new={} updated={} unchanged={} removed={}",
                  dryRun ? "checked" : "committed", toString(kind), c.rows, c.added, c.updated,
                  c.unchanged, c.removed);
        reply(summary(kind, file, dryRun, c, plan->ignoredColumns));
      });
}

}  // namespace mfigw::gateway
