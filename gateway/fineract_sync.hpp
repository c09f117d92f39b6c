// The Apache Fineract (Mifos X) adapter of the upstream sync: what one sync window does
// when upstream.adapter is fineract.
//
// Purpose: keeps the local loan book in step with a stock Fineract over its REST API
//   (<upstream.url>/v1/..., upstream.url ending in /fineract-provider/api), basic auth and
//   the Fineract-Platform-TenantId header on every request (set by the daemon in the
//   client's options). UpstreamSync runs the schedule, back-off, status and metrics; a
//   window here:
//     1. pulls clients: GET /v1/clients?offset&limit&orderBy=id&sortOrder=ASC, page by page;
//     2. pulls loans: GET /v1/loans?offset&limit&orderBy=id&sortOrder=ASC
//        &associations=repaymentSchedule, page by page, each mapped by
//        gateway/fineract_mapping.hpp; msisdn and lang come from the local client record;
//     3. pushes pending events (gateway/fineract_requests.hpp), batch by batch.
//   Pull before push: a wrong tenant or password fails at the first GET, before any write
//   can be mistaken for a refusal of the event itself, and a deferral is resolved against
//   the book just pulled.
//   Every page is committed with its cursor through the existing apply step (applyPage: the
//   records and the feed's cursor in one write txn on the durable group-commit writer),
//   plus this adapter's sweep cursor "fineract.<feed>" (next offset, last id, sweep start).
//
//   Incremental strategy (Fineract has no "modified since" on loans): a FULL paged sweep
//   per window, the honest baseline that works on every Fineract. Its cost is the whole
//   book each window (measured in docs/BENCHMARKS.md); the schedule's interval is the
//   knob. Correctness:
//     - every page after the first (and a cut sweep resumed in a later window) asks one
//       record early: that record must be the last one applied; if it is not, loans before
//       it vanished (the offsets shifted) and the sweep restarts from 0 with a new stale
//       threshold (loans added meanwhile come next sweep). The check costs one loan per
//       page (0.1% at pages of 1,000);
//     - when the loan sweep completes, local loans not confirmed since the sweep started
//       are gone upstream (deleted applications) and are removed in that same txn;
//     - closed loans stay in the list (the list's status filter differs between Fineract
//       versions): they map to st=C, so balances and reminders stop.
//   The efficient alternative, not built yet: an admin-installed SQL report run through
//   GET /v1/runreports/<name>?R_since=...&exportCSV=true that joins m_loan, m_client and the
//   next unpaid m_loan_repayment_schedule rows WHERE last_modified_on_utc > since (cursor
//   (ts, id)); it moves only what changed (reference/upstream.md 1.3, option 1).
//
//   Events: deferral_request -> POST /v1/rescheduleloans; credit_request -> POST /v1/loans
//   (loan application) or off; the key in Idempotency-Key (and externalId where Fineract
//   has one). A replay Fineract reports as a duplicate counts as delivered, once. Types
//   Fineract has no home for (referral, opt-out, survey answers, delivery summaries,
//   dialog outcomes) and credit requests while fineract_credit_request is off are marked
//   rejected with the reason "no Fineract endpoint for <type>": they leave the pending
//   queue (which would otherwise stall behind them), show in `mfi-gatewayctl sync status`
//   and the rejected-events metric, and the operator can requeue them once a home exists.
// Threading: the loop thread (a window of UpstreamSync).
// Errors: throws UpstreamWindowError (transport, HTTP, Protocol for a malformed body with
//   the JSON path, Store); what was committed before stays committed, nothing half.
// Ownership: borrows the context.
// Open issues: a Fineract whose loan list ignores associations gives loans without
//   installments (next due unknown; DPD still from summary/delinquent): a per-loan
//   GET /v1/loans/{id}?associations=repaymentSchedule fallback is not built; clients that
//   vanish upstream are not removed (only loans are swept); the runreports delta above;
//   group (GLIM/JLG) membership is not mapped; every borrower's language is "en" (Fineract
//   records none; a client datatable or a setting should say).
#pragma once

#include <utility>  // Boost 1.74 awaitable.hpp uses std::exchange without it

#include <boost/asio/awaitable.hpp>

#include "gateway/upstream_window.hpp"

namespace mfigw::gateway {

// Feed names of the sweep cursors.
inline constexpr std::string_view kFineractClientsCursor = "fineract.clients";
inline constexpr std::string_view kFineractLoansCursor = "fineract.loans";

boost::asio::awaitable<void> runFineractWindow(UpstreamWindowContext& w);

}  // namespace mfigw::gateway
