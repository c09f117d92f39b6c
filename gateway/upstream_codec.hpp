// The upstream sync protocol's JSON bodies (docs/upstream-protocol.md), as values.
//
// Purpose: one pure codec for the three exchanges of protocol version 1, used by the sync
//   service (gateway/upstream_sync) and by the reference upstream in tests/upstream:
//     push      POST /v1/events     event batch  -> one answer per event
//     pull      GET  /v1/changes    -> a page of one feed's upserts and deletes, the next
//                                      compound cursor (ver, id) and has_more
//     reconcile GET  /v1/reconcile  -> count + hash per branch (store/reconcile_digest.hpp)
//   Records use the short keys of reference/upstream.md section 3. Fields at their default
//   (0, "", no day) are left out when encoding and read as the default when absent.
//   Unknown keys are ignored everywhere (a newer upstream may add fields).
// Threading: pure functions; any thread.
// Errors: decoders throw UpstreamProtocolError for a body that is not JSON or whose shape is
//   wrong, with the JSON path of the first problem ("changes page: recs[3].ver: expected an
//   unsigned integer"). A record that is well-formed JSON but breaks the store's bounds
//   (a 40-byte account number) does not fail its page: it is left out of the page and
//   reported in ChangePage::invalid, so one bad row cannot stop a feed forever.
// Ownership: values in, values out.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "store/client.hpp"
#include "store/group.hpp"
#include "store/loan_snapshot.hpp"
#include "store/payment_point.hpp"
#include "store/reconcile_digest.hpp"
#include "store/upstream_events.hpp"

namespace mfigw::gateway {

inline constexpr int kUpstreamProtocolVersion = 1;

class UpstreamProtocolError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The feeds a page can belong to; the cursor of each is a SyncCursor named after it.
enum class UpstreamFeed : std::uint8_t { Clients, Groups, PaymentPoints, Loans };
inline constexpr std::array<UpstreamFeed, 4> kUpstreamFeeds = {
    UpstreamFeed::Clients, UpstreamFeed::Groups, UpstreamFeed::PaymentPoints, UpstreamFeed::Loans};
[[nodiscard]] std::string_view toString(UpstreamFeed feed) noexcept;  // "payment_points"
[[nodiscard]] std::optional<UpstreamFeed> upstreamFeedFromString(std::string_view text) noexcept;

// ---- records (short keys) ----
[[nodiscard]] nlohmann::json toJson(const store::LoanSnapshot& loan);  // `asof` is local: not sent
[[nodiscard]] nlohmann::json toJson(const store::Client& client);
[[nodiscard]] nlohmann::json toJson(const store::Group& group);
[[nodiscard]] nlohmann::json toJson(const store::PaymentPoint& point);
// Throw UpstreamProtocolError naming the key; they check types, not the store's bounds.
[[nodiscard]] store::LoanSnapshot loanFromJson(const nlohmann::json& json);
[[nodiscard]] store::Client clientFromJson(const nlohmann::json& json);
[[nodiscard]] store::Group groupFromJson(const nlohmann::json& json);
[[nodiscard]] store::PaymentPoint paymentPointFromJson(const nlohmann::json& json);

// ---- push: POST /v1/events ----
// The event as it travels: the payload is embedded as JSON when it is JSON text (what the
// gateway's producers write), else sent as base64 under "pb".
struct WireEvent {
  store::EventKey key{};
  std::uint64_t seq = 0;
  std::string type;  // store::toString(UpstreamEventType); upstream may know more types
  std::int64_t createdAt = 0;
  std::string payload;  // the bytes the producer stored

  bool operator==(const WireEvent&) const = default;
};
[[nodiscard]] WireEvent toWireEvent(const store::UpstreamEvent& event);
[[nodiscard]] std::string encodeEventBatch(std::span<const WireEvent> events);
[[nodiscard]] std::vector<WireEvent> decodeEventBatch(std::string_view body);

enum class EventResult : std::uint8_t { Accepted, Duplicate, Rejected };
[[nodiscard]] std::string_view toString(EventResult result) noexcept;

struct EventAnswer {
  store::EventKey key{};
  EventResult result = EventResult::Accepted;
  std::string reason;  // Rejected only

  bool operator==(const EventAnswer&) const = default;
};
[[nodiscard]] std::string encodeEventAnswers(std::span<const EventAnswer> answers);
// An answer whose result the client does not know is left out (its event stays pending).
[[nodiscard]] std::vector<EventAnswer> decodeEventAnswers(std::string_view body);

// ---- pull: GET /v1/changes ----
struct ChangeCursor {
  std::uint64_t ver = 0;
  std::string id;  // empty: from the start

  bool operator==(const ChangeCursor&) const = default;
  // Compound order (ver, id), ids compared byte-wise.
  [[nodiscard]] bool operator<(const ChangeCursor& other) const {
    return ver != other.ver ? ver < other.ver : id < other.id;
  }
};

struct Deletion {
  std::string id;
  std::uint64_t ver = 0;
  bool operator==(const Deletion&) const = default;
};

// One page of one feed. Only the vector of `feed`'s record type is used.
struct ChangePage {
  UpstreamFeed feed = UpstreamFeed::Loans;
  std::vector<store::Client> clients;
  std::vector<store::Group> groups;
  std::vector<store::PaymentPoint> paymentPoints;
  std::vector<store::LoanSnapshot> loans;
  std::vector<Deletion> deletions;
  ChangeCursor next;
  bool hasMore = false;
  // Decoding only: records left out, one line each ("recs[7] (lid L-9): acct: is 21 bytes...").
  std::vector<std::string> invalid;

  [[nodiscard]] std::size_t upserts() const;
};

// The query of a changes request (after "/v1/changes?"), percent-encoded.
[[nodiscard]] std::string changesQuery(UpstreamFeed feed, const ChangeCursor& after,
                                       std::size_t limit,
                                       std::optional<std::uint16_t> branch = std::nullopt);
[[nodiscard]] std::string encodeChangePage(const ChangePage& page);
// Throws when the page is not for `expected`, or has_more with no record and no deletion
// (a page that cannot advance the cursor).
[[nodiscard]] ChangePage decodeChangePage(std::string_view body, UpstreamFeed expected);

// ---- reconcile: GET /v1/reconcile ----
[[nodiscard]] std::string encodeDigests(std::span<const store::BranchDigest> digests);
[[nodiscard]] std::vector<store::BranchDigest> decodeDigests(std::string_view body);

// ---- shared helpers ----
[[nodiscard]] std::string percentEncode(std::string_view text);
[[nodiscard]] std::optional<store::EventKey> eventKeyFromHex(std::string_view hex);
[[nodiscard]] std::string base64Encode(std::string_view bytes);

}  // namespace mfigw::gateway
