// Spreadsheet import over the admin API: POST /api/v1/import/{kind}[?dry_run=1][&name=FILE].
//
// Purpose: the route behind `mfi-gatewayctl import loans.csv`. {kind} is clients, loans,
//   groups, payment_points, areas or cells (OpenCellID layout, gateway/cell_tower_import.hpp;
//   `mcc=639,640` keeps only those countries' cells); the body is the CSV file (Content-Type
//   text/csv; text/plain, application/csv, application/vnd.ms-excel, application/octet-stream or
//   none are taken too); `name` is the file name used in error positions (default "<kind>.csv").
//   The file is checked completely first (gateway/loan_book_import.hpp). Answers:
//     200 {"kind","file","dry_run","rows","new","updated","unchanged","removed",
//          "ignored_columns":[...]}   after the commit (or, for a dry run, after the
//                                     read-only pass: nothing is written); cells add
//                                     "skipped" (rows of countries not in `mcc`)
//     422 {"error":{"status":422,"message":...},"kind","file","error_count",
//          "errors":[{"row","column","column_name","message","text"}]}   nothing written;
//          "text" is "FILE:ROW:COL: column name: message"; at most ImportOptions::maxErrors
//          are listed, error_count counts all
//     400 bad dry_run or mcc value; 404 unknown kind; 415 other content types
//     503 + Retry-After when the store is full or the writer queue is (storeRefusal)
//   The whole file is one work item of the durable GroupCommitWriter, so it commits in
//   one transaction: all rows or none.
// Threading: handlers run on the loop; parsing happens there (pure), the store pass on the
//   durable writer's thread, and the reply is posted back by the writer.
// Errors: as above; a store failure other than a full map is a 500 naming the store error.
// Ownership: borrows the StoreLayout and the logger, which must outlive it.
// Open issues: the CSV is parsed on the loop thread: under 5 ms per 100 loan rows with
//   phone numbers (measured on a loaded 2-core box), so ~20 ms for the ~450 rows that fit
//   the default admin.body_limit of 64 KiB. Larger books need a larger body limit, and
//   beyond a few thousand rows the parse should move off the loop. The same holds for the
//   checking pass of a `cells` file (it keeps no rows, but a 64 MiB OpenCellID file is
//   some 800k lines to read on the loop).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include <spdlog/logger.h>

#include "gateway/admin_routes.hpp"
#include "gateway/loan_book_import.hpp"
#include "gateway/store_layout.hpp"

namespace mfigw::gateway {

class ImportApi {
 public:
  using Clock = std::function<std::int64_t()>;  // unix seconds

  // `now` stamps asof/ver of imported records; the system clock when empty.
  ImportApi(StoreLayout& stores, ImportOptions options, spdlog::logger& log, Clock now = {});

  void registerRoutes(AdminRoutes& routes);
  // After a reload (phone.default_region).
  void setRegion(std::string region) { options_.defaultRegion = std::move(region); }

 private:
  static constexpr std::string_view kCellsKind = "cells";

  void import(const AdminRequest& request, AdminRoutes::Reply reply);
  void importCells(const AdminRequest& request, const std::string& file, bool dryRun,
                   AdminRoutes::Reply reply);

  StoreLayout& stores_;
  ImportOptions options_;
  spdlog::logger& log_;
  Clock now_;
};

}  // namespace mfigw::gateway
