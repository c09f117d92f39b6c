#include "gateway/upstream_codec.hpp"

#include <sodium.h>

#include <algorithm>
#include <limits>
#include <utility>

#include <fmt/format.h>

#include "store/record_check.hpp"

namespace mfigw::gateway {

using nlohmann::json;

namespace {

constexpr std::array<std::pair<UpstreamFeed, std::string_view>, 4> kFeedNames = {{
    {UpstreamFeed::Clients, "clients"},
    {UpstreamFeed::Groups, "groups"},
    {UpstreamFeed::PaymentPoints, "payment_points"},
    {UpstreamFeed::Loans, "loans"},
}};

constexpr std::array<std::pair<EventResult, std::string_view>, 3> kResultNames = {{
    {EventResult::Accepted, "accepted"},
    {EventResult::Duplicate, "duplicate"},
    {EventResult::Rejected, "rejected"},
}};

// ---- reading JSON with the path of every value, for error messages ----

[[noreturn]] void fail(const std::string& path, std::string_view what) {
  throw UpstreamProtocolError(fmt::format("{}: {}", path, what));
}

std::string join(const std::string& base, std::string_view key) {
  return base.empty() ? std::string(key) : fmt::format("{}.{}", base, key);
}

std::string indexed(const std::string& base, std::size_t i) {
  return fmt::format("{}[{}]", base, i);
}

json parseBody(std::string_view body) {
  json parsed = json::parse(body.begin(), body.end(), nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded()) {
    // Parse again with exceptions for nlohmann's message, which names the byte offset.
    try {
      [[maybe_unused]] const json again = json::parse(body.begin(), body.end());
    } catch (const json::parse_error& e) {
      throw UpstreamProtocolError(fmt::format("not valid JSON ({})", e.what()));
    }
    throw UpstreamProtocolError("not valid JSON");
  }
  if (!parsed.is_object()) {
    throw UpstreamProtocolError("expected a JSON object");
  }
  return parsed;
}

// Runs a decoder and puts the name of the body in front of any error it reports.
template <typename F>
auto decoding(std::string_view what, F&& decode) -> decltype(decode()) {
  try {
    return decode();
  } catch (const UpstreamProtocolError& e) {
    throw UpstreamProtocolError(fmt::format("{}: {}", what, e.what()));
  }
}

// One JSON object and the path it sits at. Getters take a default for optional keys.
class Fields {
 public:
  Fields(const json& object, std::string path) : object_(object), path_(std::move(path)) {
    if (!object_.is_object()) fail(path_, "expected an object");
  }

  [[nodiscard]] const json* find(std::string_view key) const {
    const auto it = object_.find(key);
    return it == object_.end() || it->is_null() ? nullptr : &*it;
  }
  [[nodiscard]] const json& need(std::string_view key) const {
    const json* value = find(key);
    if (value == nullptr) fail(join(path_, key), "missing");
    return *value;
  }

  [[nodiscard]] std::string str(std::string_view key, std::optional<std::string> fallback) const {
    const json* value = find(key);
    if (value == nullptr) {
      if (!fallback) fail(join(path_, key), "missing");
      return *fallback;
    }
    if (!value->is_string()) fail(join(path_, key), "expected a string");
    return value->get<std::string>();
  }
  [[nodiscard]] std::string str(std::string_view key) const { return str(key, std::nullopt); }
  [[nodiscard]] std::string optStr(std::string_view key) const { return str(key, std::string()); }

  [[nodiscard]] std::uint64_t u64(
      std::string_view key, std::optional<std::uint64_t> fallback,
      std::uint64_t max = std::numeric_limits<std::uint64_t>::max()) const {
    const json* value = find(key);
    if (value == nullptr) {
      if (!fallback) fail(join(path_, key), "missing");
      return *fallback;
    }
    return unsignedValue(*value, join(path_, key), max);
  }

  [[nodiscard]] std::int64_t i64(std::string_view key, std::int64_t fallback, std::int64_t min,
                                 std::int64_t max) const {
    const json* value = find(key);
    return value == nullptr ? fallback : signedValue(*value, join(path_, key), min, max);
  }

  [[nodiscard]] const std::string& path() const { return path_; }

  static std::uint64_t unsignedValue(const json& value, const std::string& path,
                                     std::uint64_t max) {
    if (!value.is_number_unsigned()) fail(path, "expected an unsigned integer");
    const auto n = value.get<std::uint64_t>();
    if (n > max) fail(path, fmt::format("must be at most {} (got {})", max, n));
    return n;
  }

  static std::int64_t signedValue(const json& value, const std::string& path, std::int64_t min,
                                  std::int64_t max) {
    if (!value.is_number_integer()) fail(path, "expected an integer");
    if (value.is_number_unsigned() &&
        value.get<std::uint64_t>() > static_cast<std::uint64_t>(max)) {
      fail(path, fmt::format("must be at most {}", max));
    }
    const auto n = value.get<std::int64_t>();
    if (n < min || n > max)
      fail(path, fmt::format("must be between {} and {} (got {})", min, max, n));
    return n;
  }

 private:
  const json& object_;
  std::string path_;
};

template <typename T>
T narrow(std::uint64_t n) {
  return static_cast<T>(n);  // callers bound n by T's maximum first
}

constexpr auto kMaxU8 = std::numeric_limits<std::uint8_t>::max();
constexpr auto kMaxU16 = std::numeric_limits<std::uint16_t>::max();
constexpr auto kMaxI32 = std::numeric_limits<std::int32_t>::max();
constexpr auto kMinI32 = std::numeric_limits<std::int32_t>::min();
constexpr auto kMaxI64 = std::numeric_limits<std::int64_t>::max();
constexpr auto kMinI64 = std::numeric_limits<std::int64_t>::min();

store::DayNumber dayField(const Fields& f, std::string_view key) {
  return static_cast<store::DayNumber>(f.i64(key, store::kNoDay, kMinI32, kMaxI32));
}

// Writes only what differs from the default, so a sparse record stays small on the wire.
void putText(json& out, const char* key, const std::string& value) {
  if (!value.empty()) out[key] = value;
}
template <typename N>
void putNumber(json& out, const char* key, N value) {
  if (value != 0) out[key] = value;
}

}  // namespace

std::string base64Encode(std::string_view bytes) {
  std::string out(sodium_base64_ENCODED_LEN(bytes.size(), sodium_base64_VARIANT_ORIGINAL), '\0');
  sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(bytes.data()),
                    bytes.size(), sodium_base64_VARIANT_ORIGINAL);
  out.resize(out.size() - 1);  // the terminating NUL
  return out;
}

namespace {

std::optional<std::string> unbase64(const std::string& text) {
  std::string out(text.size(), '\0');
  std::size_t length = 0;
  if (sodium_base642bin(reinterpret_cast<unsigned char*>(out.data()), out.size(), text.data(),
                        text.size(), nullptr, &length, nullptr,
                        sodium_base64_VARIANT_ORIGINAL) != 0) {
    return std::nullopt;
  }
  out.resize(length);
  return out;
}

std::string problemsText(const std::vector<store::FieldProblem>& problems) {
  std::string out;
  for (const store::FieldProblem& p : problems) {
    if (!out.empty()) out += "; ";
    out += fmt::format("{}: {}", p.field, p.message);
  }
  return out;
}

const json& arrayAt(const Fields& f, std::string_view key, bool required) {
  static const json kEmpty = json::array();
  const json* value = f.find(key);
  if (value == nullptr) {
    if (required) fail(join(f.path(), key), "missing");
    return kEmpty;
  }
  if (!value->is_array()) fail(join(f.path(), key), "expected an array");
  return *value;
}

}  // namespace

std::string_view toString(UpstreamFeed feed) noexcept {
  for (const auto& [value, name] : kFeedNames) {
    if (value == feed) return name;
  }
  return "unknown";
}

std::optional<UpstreamFeed> upstreamFeedFromString(std::string_view text) noexcept {
  for (const auto& [value, name] : kFeedNames) {
    if (name == text) return value;
  }
  return std::nullopt;
}

std::string_view toString(EventResult result) noexcept {
  for (const auto& [value, name] : kResultNames) {
    if (value == result) return name;
  }
  return "unknown";
}

// ---- records ----

json toJson(const store::LoanSnapshot& loan) {
  json out = json::object();
  out["lid"] = loan.loanId;
  out["acct"] = loan.accountNo;
  out["cid"] = loan.clientId;
  putText(out, "msisdn", loan.msisdn);
  putText(out, "lang", loan.language);
  out["st"] = std::string(1, static_cast<char>(loan.status));
  putText(out, "cur", loan.currency);
  putNumber(out, "dec", loan.decimals);
  putNumber(out, "disb", loan.disbursed);
  putNumber(out, "pout", loan.principalOutstanding);
  putNumber(out, "tout", loan.totalOutstanding);
  putNumber(out, "tod", loan.totalOverdue);
  putNumber(out, "odsince", loan.overdueSince);
  if (!loan.installments.empty()) {
    json inst = json::array();
    for (const store::Installment& i : loan.installments) {
      // [day, amount] or [day, amount, flags]: the common case stays two numbers.
      json entry = json::array({i.dueDay, i.amountDue});
      if (i.flags != 0) entry.push_back(i.flags);
      inst.push_back(std::move(entry));
    }
    out["inst"] = std::move(inst);
  }
  putNumber(out, "lpd", loan.lastPaymentDay);
  putNumber(out, "lpa", loan.lastPaymentAmount);
  putText(out, "prod", loan.product);
  putText(out, "lo", loan.officer);
  putNumber(out, "br", loan.branch);
  putNumber(out, "flags", loan.flags);
  out["ver"] = loan.ver;
  return out;
}

store::LoanSnapshot loanFromJson(const json& object) {
  const Fields f(object, "");
  store::LoanSnapshot loan;
  loan.loanId = f.str("lid");
  loan.accountNo = f.str("acct");
  loan.clientId = f.str("cid");
  loan.msisdn = f.optStr("msisdn");
  loan.language = f.optStr("lang");
  const std::string st = f.str("st");
  const auto status = st.size() == 1 ? store::loanStatusFromCode(st[0]) : std::nullopt;
  if (!status) fail("st", "expected one of \"A\", \"R\", \"C\", \"W\", \"P\"");
  loan.status = *status;
  loan.currency = f.optStr("cur");
  loan.decimals = narrow<std::uint8_t>(f.u64("dec", 0, kMaxU8));
  loan.disbursed = f.i64("disb", 0, kMinI64, kMaxI64);
  loan.principalOutstanding = f.i64("pout", 0, kMinI64, kMaxI64);
  loan.totalOutstanding = f.i64("tout", 0, kMinI64, kMaxI64);
  loan.totalOverdue = f.i64("tod", 0, kMinI64, kMaxI64);
  loan.overdueSince = dayField(f, "odsince");
  const json& inst = arrayAt(f, "inst", false);
  for (std::size_t i = 0; i < inst.size(); ++i) {
    const std::string path = indexed("inst", i);
    const json& entry = inst[i];
    if (!entry.is_array() || entry.size() < 2 || entry.size() > 3) {
      fail(path, "expected [day, amount] or [day, amount, flags]");
    }
    store::Installment in;
    in.dueDay = static_cast<store::DayNumber>(
        Fields::signedValue(entry[0], path + "[0]", kMinI32, kMaxI32));
    in.amountDue = Fields::signedValue(entry[1], path + "[1]", kMinI64, kMaxI64);
    if (entry.size() == 3) {
      in.flags = narrow<std::uint8_t>(Fields::unsignedValue(entry[2], path + "[2]", kMaxU8));
    }
    loan.installments.push_back(in);
  }
  loan.lastPaymentDay = dayField(f, "lpd");
  loan.lastPaymentAmount = f.i64("lpa", 0, kMinI64, kMaxI64);
  loan.product = f.optStr("prod");
  loan.officer = f.optStr("lo");
  loan.branch = narrow<std::uint16_t>(f.u64("br", 0, kMaxU16));
  loan.flags = narrow<std::uint8_t>(f.u64("flags", 0, kMaxU8));
  loan.ver = f.u64("ver", std::nullopt);
  return loan;
}

json toJson(const store::Client& client) {
  json out = json::object();
  out["cid"] = client.cid;
  putText(out, "msisdn", client.msisdn);
  putText(out, "name", client.shortName);
  putText(out, "lang", client.language);
  putNumber(out, "consent", client.consent);
  putText(out, "group", client.groupId);
  putNumber(out, "br", client.homeBranch);
  out["ver"] = client.ver;
  return out;
}

store::Client clientFromJson(const json& object) {
  const Fields f(object, "");
  store::Client client;
  client.cid = f.str("cid");
  client.msisdn = f.optStr("msisdn");
  client.shortName = f.optStr("name");
  client.language = f.optStr("lang");
  client.consent = narrow<std::uint8_t>(f.u64("consent", 0, kMaxU8));
  client.groupId = f.optStr("group");
  client.homeBranch = narrow<std::uint16_t>(f.u64("br", 0, kMaxU16));
  client.ver = f.u64("ver", std::nullopt);
  return client;
}

json toJson(const store::Group& group) {
  json out = json::object();
  out["id"] = group.id;
  putText(out, "name", group.name);
  putText(out, "leader", group.leaderCid);
  putNumber(out, "weekday", static_cast<unsigned>(group.meetingWeekday));
  putNumber(out, "minute", group.meetingMinute);
  putNumber(out, "next_meeting", group.nextMeetingDay);
  putNumber(out, "br", group.branch);
  out["ver"] = group.ver;
  return out;
}

store::Group groupFromJson(const json& object) {
  const Fields f(object, "");
  store::Group group;
  group.id = f.str("id");
  group.name = f.optStr("name");
  group.leaderCid = f.optStr("leader");
  group.meetingWeekday = static_cast<store::Weekday>(f.u64("weekday", 0, 7));
  group.meetingMinute = narrow<std::uint16_t>(f.u64("minute", 0, kMaxU16));
  group.nextMeetingDay = dayField(f, "next_meeting");
  group.branch = narrow<std::uint16_t>(f.u64("br", 0, kMaxU16));
  group.ver = f.u64("ver", std::nullopt);
  return group;
}

json toJson(const store::PaymentPoint& point) {
  json out = json::object();
  out["id"] = point.id;
  out["name"] = point.name;
  out["kind"] = std::string(store::toString(point.kind));
  out["lat"] = point.latitudeE6;
  out["lon"] = point.longitudeE6;
  putNumber(out, "br", point.branch);
  putText(out, "landmark", point.landmark);
  putText(out, "hours", point.openingHours);
  out["ver"] = point.ver;
  return out;
}

store::PaymentPoint paymentPointFromJson(const json& object) {
  const Fields f(object, "");
  store::PaymentPoint point;
  point.id = f.str("id");
  point.name = f.str("name");
  const std::string kind = f.str("kind");
  const auto parsed = store::paymentPointKindFromString(kind);
  if (!parsed) fail("kind", "expected one of \"agent\", \"branch\", \"mobile_money\", \"bank\"");
  point.kind = *parsed;
  point.latitudeE6 = static_cast<std::int32_t>(f.i64("lat", 0, kMinI32, kMaxI32));
  point.longitudeE6 = static_cast<std::int32_t>(f.i64("lon", 0, kMinI32, kMaxI32));
  point.branch = narrow<std::uint16_t>(f.u64("br", 0, kMaxU16));
  point.landmark = f.optStr("landmark");
  point.openingHours = f.optStr("hours");
  point.ver = f.u64("ver", std::nullopt);
  return point;
}

// ---- push ----

WireEvent toWireEvent(const store::UpstreamEvent& event) {
  return WireEvent{event.key, event.seq, std::string(store::toString(event.type)), event.createdAt,
                   event.payload};
}

std::string encodeEventBatch(std::span<const WireEvent> events) {
  json list = json::array();
  for (const WireEvent& e : events) {
    json item = {{"k", store::toString(e.key)}, {"seq", e.seq}, {"t", e.type}, {"at", e.createdAt}};
    json payload = json::parse(e.payload, nullptr, /*allow_exceptions=*/false);
    if (!e.payload.empty() && !payload.is_discarded()) {
      item["p"] = std::move(payload);
    } else if (!e.payload.empty()) {
      item["pb"] = base64Encode(e.payload);
    }
    list.push_back(std::move(item));
  }
  return json{{"v", kUpstreamProtocolVersion}, {"events", std::move(list)}}.dump();
}

std::vector<WireEvent> decodeEventBatch(std::string_view body) {
  return decoding("event batch", [&] {
    const json parsed = parseBody(body);
    const Fields top(parsed, "");
    const json& list = arrayAt(top, "events", true);
    std::vector<WireEvent> out;
    out.reserve(list.size());
    for (std::size_t i = 0; i < list.size(); ++i) {
      const Fields f(list[i], indexed("events", i));
      WireEvent e;
      const auto key = eventKeyFromHex(f.str("k"));
      if (!key) fail(join(f.path(), "k"), "expected 32 hex digits");
      e.key = *key;
      e.seq = f.u64("seq", 0);
      e.type = f.str("t");
      e.createdAt = f.i64("at", 0, kMinI64, kMaxI64);
      if (const json* p = f.find("p")) {
        e.payload = p->dump();
      } else if (f.find("pb") != nullptr) {
        const auto bytes = unbase64(f.str("pb"));
        if (!bytes) fail(join(f.path(), "pb"), "expected base64");
        e.payload = *bytes;
      }
      out.push_back(std::move(e));
    }
    return out;
  });
}

std::string encodeEventAnswers(std::span<const EventAnswer> answers) {
  json list = json::array();
  for (const EventAnswer& a : answers) {
    json item = {{"k", store::toString(a.key)}, {"r", std::string(toString(a.result))}};
    if (a.result == EventResult::Rejected) item["why"] = a.reason;
    list.push_back(std::move(item));
  }
  return json{{"results", std::move(list)}}.dump();
}

std::vector<EventAnswer> decodeEventAnswers(std::string_view body) {
  return decoding("event answers", [&] {
    const json parsed = parseBody(body);
    const Fields top(parsed, "");
    const json& list = arrayAt(top, "results", true);
    std::vector<EventAnswer> out;
    for (std::size_t i = 0; i < list.size(); ++i) {
      const Fields f(list[i], indexed("results", i));
      const auto key = eventKeyFromHex(f.str("k"));
      if (!key) fail(join(f.path(), "k"), "expected 32 hex digits");
      const std::string r = f.str("r");
      const auto found = std::find_if(kResultNames.begin(), kResultNames.end(),
                                      [&r](const auto& entry) { return entry.second == r; });
      if (found == kResultNames.end()) continue;  // a newer result: retry the event later
      EventAnswer answer{*key, found->first, {}};
      if (answer.result == EventResult::Rejected) answer.reason = f.str("why", std::string());
      out.push_back(std::move(answer));
    }
    return out;
  });
}

// ---- pull ----

std::size_t ChangePage::upserts() const {
  return clients.size() + groups.size() + paymentPoints.size() + loans.size();
}

std::string changesQuery(UpstreamFeed feed, const ChangeCursor& after, std::size_t limit,
                         std::optional<std::uint16_t> branch) {
  std::string query = fmt::format("feed={}&after_ver={}&after_id={}&limit={}", toString(feed),
                                  after.ver, percentEncode(after.id), limit);
  if (branch) query += fmt::format("&branch={}", *branch);
  return query;
}

std::string encodeChangePage(const ChangePage& page) {
  json recs = json::array();
  for (const auto& r : page.clients)
    recs.push_back(toJson(r));
  for (const auto& r : page.groups)
    recs.push_back(toJson(r));
  for (const auto& r : page.paymentPoints)
    recs.push_back(toJson(r));
  for (const auto& r : page.loans)
    recs.push_back(toJson(r));
  json dels = json::array();
  for (const Deletion& d : page.deletions)
    dels.push_back({{"id", d.id}, {"ver", d.ver}});
  json out = {{"feed", std::string(toString(page.feed))}, {"recs", std::move(recs)}};
  if (!dels.empty()) out["dels"] = std::move(dels);
  out["next"] = {{"ver", page.next.ver}, {"id", page.next.id}};
  out["has_more"] = page.hasMore;
  return out.dump();
}

namespace {

// Decodes one record into the page's vector, or notes why it was left out.
template <typename Record>
void takeRecord(ChangePage& page, std::vector<Record>& into, const json& item,
                const std::string& path, Record (*decode)(const json&),
                std::vector<store::FieldProblem> (*problems)(const Record&),
                std::string (*idOf)(const Record&)) {
  Record record;
  try {
    record = decode(item);
  } catch (const UpstreamProtocolError& e) {
    // A wrongly typed field in one record: that record is unusable, the page is not.
    page.invalid.push_back(fmt::format("{}.{}", path, e.what()));
    return;
  }
  const auto found = problems(record);
  if (!found.empty()) {
    page.invalid.push_back(fmt::format("{} (id {}): {}", path, idOf(record), problemsText(found)));
    return;
  }
  into.push_back(std::move(record));
}

}  // namespace

ChangePage decodeChangePage(std::string_view body, UpstreamFeed expected) {
  return decoding("changes page", [&] {
    const json parsed = parseBody(body);
    const Fields top(parsed, "");
    ChangePage page;
    const std::string feedName = top.str("feed");
    const auto feed = upstreamFeedFromString(feedName);
    if (feed != expected) {
      fail("feed", fmt::format("expected \"{}\" (got \"{}\")", toString(expected), feedName));
    }
    page.feed = *feed;
    const json& recs = arrayAt(top, "recs", true);
    for (std::size_t i = 0; i < recs.size(); ++i) {
      const std::string path = indexed("recs", i);
      switch (page.feed) {
        case UpstreamFeed::Clients:
          takeRecord<store::Client>(page, page.clients, recs[i], path, &clientFromJson,
                                    &store::clientProblems,
                                    [](const store::Client& r) { return r.cid; });
          break;
        case UpstreamFeed::Groups:
          takeRecord<store::Group>(page, page.groups, recs[i], path, &groupFromJson,
                                   &store::groupProblems,
                                   [](const store::Group& r) { return r.id; });
          break;
        case UpstreamFeed::PaymentPoints:
          takeRecord<store::PaymentPoint>(page, page.paymentPoints, recs[i], path,
                                          &paymentPointFromJson, &store::paymentPointProblems,
                                          [](const store::PaymentPoint& r) { return r.id; });
          break;
        case UpstreamFeed::Loans:
          takeRecord<store::LoanSnapshot>(page, page.loans, recs[i], path, &loanFromJson,
                                          &store::loanSnapshotProblems,
                                          [](const store::LoanSnapshot& r) { return r.loanId; });
          break;
      }
    }
    const json& dels = arrayAt(top, "dels", false);
    for (std::size_t i = 0; i < dels.size(); ++i) {
      const Fields f(dels[i], indexed("dels", i));
      Deletion d{f.str("id"), f.u64("ver", 0)};
      if (d.id.empty() || d.id.size() > store::kMaxIdBytes) {
        fail(join(f.path(), "id"), fmt::format("must be 1..{} bytes", store::kMaxIdBytes));
      }
      page.deletions.push_back(std::move(d));
    }
    const Fields next(top.need("next"), "next");
    page.next.ver = next.u64("ver", std::nullopt);
    page.next.id = next.str("id", std::string());
    const json& more = top.need("has_more");
    if (!more.is_boolean()) fail("has_more", "expected true or false");
    page.hasMore = more.get<bool>();
    if (page.hasMore && recs.empty() && dels.empty()) {
      fail("has_more", "is true on a page with no record and no deletion");
    }
    return page;
  });
}

// ---- reconcile ----

std::string encodeDigests(std::span<const store::BranchDigest> digests) {
  json list = json::array();
  for (const store::BranchDigest& d : digests) {
    // The hash is a full 64-bit value: as hex text, since many JSON parsers lose
    // integers above 2^53.
    list.push_back({{"br", d.branch}, {"n", d.count}, {"h", fmt::format("{:016x}", d.hash)}});
  }
  return json{{"branches", std::move(list)}}.dump();
}

std::vector<store::BranchDigest> decodeDigests(std::string_view body) {
  return decoding("reconcile digests", [&] {
    const json parsed = parseBody(body);
    const Fields top(parsed, "");
    const json& list = arrayAt(top, "branches", true);
    std::vector<store::BranchDigest> out;
    for (std::size_t i = 0; i < list.size(); ++i) {
      const Fields f(list[i], indexed("branches", i));
      store::BranchDigest d;
      d.branch = narrow<std::uint16_t>(f.u64("br", std::nullopt, kMaxU16));
      d.count = f.u64("n", std::nullopt);
      const std::string hex = f.str("h");
      if (hex.empty() || hex.size() > 16 ||
          hex.find_first_not_of("0123456789abcdefABCDEF") != std::string::npos) {
        fail(join(f.path(), "h"), "expected 1 to 16 hex digits");
      }
      d.hash = std::stoull(hex, nullptr, 16);
      out.push_back(d);
    }
    return out;
  });
}

// ---- helpers ----

std::string percentEncode(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (const char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    const bool unreserved = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                            (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.' || c == '~';
    if (unreserved) {
      out.push_back(ch);
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 0x0F]);
    }
  }
  return out;
}

std::optional<store::EventKey> eventKeyFromHex(std::string_view hex) {
  if (hex.size() != 32) return std::nullopt;
  const auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  store::EventKey key{};
  for (std::size_t i = 0; i < key.size(); ++i) {
    const int hi = nibble(hex[2 * i]);
    const int lo = nibble(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    key[i] = static_cast<std::uint8_t>((hi << 4) | lo);
  }
  return key;
}

}  // namespace mfigw::gateway
