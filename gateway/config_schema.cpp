// The one settings table, the scalar syntaxes, and the renderers built from the table.
//
#include "gateway/config_schema.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <limits>
#include <set>
#include <utility>

#include <fmt/format.h>
#include <phonenumbers/phonenumberutil.h>
#include <yaml-cpp/yaml.h>

#include "gateway/upstream_url.hpp"
#include "gateway/ussd_dialect.hpp"

namespace mfigw::gateway {

std::string_view toString(SettingType type) {
  switch (type) {
    case SettingType::Bool:
      return "bool";
    case SettingType::Int:
      return "int";
    case SettingType::Size:
      return "size";
    case SettingType::Duration:
      return "duration";
    case SettingType::String:
      return "string";
    case SettingType::Enum:
      return "enum";
    case SettingType::Path:
      return "path";
    case SettingType::SecretFile:
      return "secret file";
    case SettingType::HostPort:
      return "host:port";
    case SettingType::List:
      return "list";
    case SettingType::IntList:
      return "int list";
  }
  return "unknown";
}

std::string_view SettingSpec::key() const {
  const auto dot = path.rfind('.');
  return dot == std::string_view::npos ? path : path.substr(dot + 1);
}

namespace {

// ---- Field access: one pair of captureless functions per row, from member pointers ----

void assignValue(std::string& dst, const SettingValue& v) {
  dst = v.text;
}
void assignValue(bool& dst, const SettingValue& v) {
  dst = v.boolean;
}
void assignValue(std::uint64_t& dst, const SettingValue& v) {
  dst = static_cast<std::uint64_t>(v.integer);
}
// The table's bounds keep these narrowings lossless (port <= 65535, window <= 256...).
void assignValue(std::uint32_t& dst, const SettingValue& v) {
  dst = static_cast<std::uint32_t>(v.integer);
}
void assignValue(std::uint16_t& dst, const SettingValue& v) {
  dst = static_cast<std::uint16_t>(v.integer);
}
void assignValue(Duration& dst, const SettingValue& v) {
  dst = Duration{v.integer};
}
void assignValue(std::vector<std::uint32_t>& dst, const SettingValue& v) {
  dst.clear();
  for (const std::int64_t n : v.integers)
    dst.push_back(static_cast<std::uint32_t>(n));
}

SettingValue valueOf(const std::string& s) {
  return SettingValue{.text = s};
}
SettingValue valueOf(bool b) {
  return SettingValue{.boolean = b};
}
SettingValue valueOf(std::uint64_t n) {
  return SettingValue{.integer = static_cast<std::int64_t>(n)};
}
SettingValue valueOf(std::uint32_t n) {
  return SettingValue{.integer = n};
}
SettingValue valueOf(std::uint16_t n) {
  return SettingValue{.integer = n};
}
SettingValue valueOf(Duration d) {
  return SettingValue{.integer = d.count()};
}
SettingValue valueOf(const std::vector<std::uint32_t>& list) {
  SettingValue v;
  for (const std::uint32_t n : list)
    v.integers.push_back(n);
  return v;
}

// A field of one of GatewayConfig's sections: field<&GatewayConfig::store, &StoreConfig::path>().
template <auto Section, auto Member>
constexpr FieldAccess field() {
  return FieldAccess{
      .apply = [](GatewayConfig& c, std::size_t,
                  const SettingValue& v) { assignValue(c.*Section.*Member, v); },
      .read = [](const GatewayConfig& c, std::size_t) { return valueOf(c.*Section.*Member); },
  };
}

// A field of smpp.links[index]. at() rather than []: the loader creates the item first,
// and a bug there should be an exception the loader reports, not memory corruption.
template <auto Member>
constexpr FieldAccess linkField() {
  return FieldAccess{
      .apply = [](GatewayConfig& c, std::size_t i,
                  const SettingValue& v) { assignValue(c.smpp.links.at(i).*Member, v); },
      .read = [](const GatewayConfig& c,
                 std::size_t i) { return valueOf(c.smpp.links.at(i).*Member); },
  };
}

// A field of ussd.dialects[index] (same reasoning as linkField).
template <auto Member>
constexpr FieldAccess dialectField() {
  return FieldAccess{
      .apply = [](GatewayConfig& c, std::size_t i,
                  const SettingValue& v) { assignValue(c.ussd.dialects.at(i).*Member, v); },
      .read = [](const GatewayConfig& c,
                 std::size_t i) { return valueOf(c.ussd.dialects.at(i).*Member); },
  };
}

constexpr FieldAccess kDialectsList{
    .apply =
        [](GatewayConfig& c, std::size_t i, const SettingValue&) {
          if (c.ussd.dialects.size() <= i) c.ussd.dialects.resize(i + 1);
        },
    .read =
        [](const GatewayConfig& c, std::size_t) {
          return SettingValue{.integer = static_cast<std::int64_t>(c.ussd.dialects.size())};
        },
};

constexpr FieldAccess kLinksList{
    .apply =
        [](GatewayConfig& c, std::size_t i, const SettingValue&) {
          if (c.smpp.links.size() <= i) c.smpp.links.resize(i + 1);
        },
    .read =
        [](const GatewayConfig& c, std::size_t) {
          return SettingValue{.integer = static_cast<std::int64_t>(c.smpp.links.size())};
        },
};

constexpr FieldAccess kUssdHttpKey{
    .apply =
        [](GatewayConfig& c, std::size_t, const SettingValue& v) {
          c.ussd.httpKeyFile = v.text;
          c.ussd.httpKey = v.secret;
        },
    .read =
        [](const GatewayConfig& c, std::size_t) {
          return SettingValue{.text = c.ussd.httpKeyFile, .secret = c.ussd.httpKey};
        },
};

constexpr FieldAccess kAdminToken{
    .apply =
        [](GatewayConfig& c, std::size_t, const SettingValue& v) {
          c.admin.tokenFile = v.text;
          c.admin.token = v.secret;
        },
    .read =
        [](const GatewayConfig& c, std::size_t) {
          return SettingValue{.text = c.admin.tokenFile, .secret = c.admin.token};
        },
};

constexpr FieldAccess kLinkPassword{
    .apply =
        [](GatewayConfig& c, std::size_t i, const SettingValue& v) {
          c.smpp.links.at(i).passwordFile = v.text;
          c.smpp.links.at(i).password = v.secret;
        },
    .read =
        [](const GatewayConfig& c, std::size_t i) {
          return SettingValue{.text = c.smpp.links.at(i).passwordFile,
                              .secret = c.smpp.links.at(i).password};
        },
};

constexpr FieldAccess kUpstreamToken{
    .apply =
        [](GatewayConfig& c, std::size_t, const SettingValue& v) {
          c.upstream.tokenFile = v.text;
          c.upstream.token = v.secret;
        },
    .read =
        [](const GatewayConfig& c, std::size_t) {
          return SettingValue{.text = c.upstream.tokenFile, .secret = c.upstream.token};
        },
};

constexpr FieldAccess kUpstreamPassword{
    .apply =
        [](GatewayConfig& c, std::size_t, const SettingValue& v) {
          c.upstream.passwordFile = v.text;
          c.upstream.password = v.secret;
        },
    .read =
        [](const GatewayConfig& c, std::size_t) {
          return SettingValue{.text = c.upstream.passwordFile, .secret = c.upstream.password};
        },
};

// ---- Extra checks (after type and bounds) ----

bool isPrintableAscii(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char ch) { return ch >= 0x20 && ch < 0x7f; });
}

std::string checkLinkName(const SettingValue& v) {
  const bool ok = std::all_of(v.text.begin(), v.text.end(), [](char ch) {
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
           ch == '-' || ch == '_' || ch == '.';
  });
  // The name becomes a log field and a metrics label, where spaces and quotes hurt.
  return ok ? "" : "may contain only letters, digits, '-', '_' and '.'";
}

std::string checkHost(const SettingValue& v) {
  const bool ok = isPrintableAscii(v.text) && v.text.find(' ') == std::string::npos;
  return ok ? "" : "must be a host name or IP address (no spaces)";
}

// An SMS sender is a number (up to 20 digits, '+' allowed) or an alphanumeric id of at most
// 11 characters (GSM 03.40 TP-OA), which operators often allow-list.
std::string checkSmsSource(const SettingValue& v) {
  const std::string& t = v.text;
  const bool numeric = !t.empty() && std::all_of(t.begin() + (t[0] == '+' ? 1 : 0), t.end(),
                                                 [](char ch) { return ch >= '0' && ch <= '9'; });
  if (numeric) return "";
  const bool alnum = std::all_of(t.begin(), t.end(), [](char ch) {
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
           ch == ' ' || ch == '-' || ch == '.';
  });
  if (alnum && t.size() <= 11) return "";
  return "must be digits (a number or short code) or at most 11 letters, digits, ' ', '-', '.'";
}

// SMPP 3.4 C-Octet strings are ASCII; anything else is mangled on the wire.
std::string checkSmppAscii(const SettingValue& v) {
  return isPrintableAscii(v.text) ? "" : "must be printable ASCII (SMPP 3.4 C-Octet string)";
}

// "*123#", "*123*4#": the operator assigns these; other shapes never reach us.
std::string checkServiceCode(const SettingValue& v) {
  const std::string_view s = v.text;
  bool ok = s.size() >= 3 && s.front() == '*' && s.back() == '#';
  bool lastWasStar = true;
  for (std::size_t i = 1; ok && i + 1 < s.size(); ++i) {
    if (s[i] == '*') {
      ok = !lastWasStar;
      lastWasStar = true;
    } else {
      ok = s[i] >= '0' && s[i] <= '9';
      lastWasStar = false;
    }
  }
  ok = ok && !lastWasStar;
  return ok ? "" : "must look like *123# or *123*4# (quote it in YAML: \"*123#\")";
}

// A region libphonenumber does not know would make every local number fail to parse.
std::string checkRegion(const SettingValue& v) {
  static const std::set<std::string> regions = [] {
    std::set<std::string> r;
    i18n::phonenumbers::PhoneNumberUtil::GetInstance()->GetSupportedRegions(&r);
    return r;
  }();
  if (regions.count(v.text) != 0) return "";
  if (v.text == "UK") return "unknown region \"UK\"; the ISO 3166-1 code is \"GB\"";
  return "must be an ISO 3166-1 alpha-2 region code such as KE, UG, TZ, NG or GH";
}

// Basic auth joins user and password with ':', so the user cannot hold one.
std::string checkBasicUser(const SettingValue& v) {
  const bool ok = isPrintableAscii(v.text) && v.text.find(':') == std::string::npos;
  return ok ? "" : "must be printable ASCII without ':'";
}

// "" (no upstream yet) or a URL the sync client can use.
std::string checkUpstreamUrl(const SettingValue& v) {
  if (v.text.empty()) return "";
  std::string why;
  if (parseUpstreamUrl(v.text, &why)) return "";
  return why;
}

// ---- The table ----

const std::vector<std::string_view> kLogLevels = {"trace", "debug",    "info", "warn",
                                                  "error", "critical", "off"};
// Per-part overrides also accept "" for "same as log.level".
const std::vector<std::string_view> kLogOverrides = {"",     "trace", "debug",    "info",
                                                     "warn", "error", "critical", "off"};

std::vector<SettingSpec> buildTable() {
  using T = SettingType;
  using G = GatewayConfig;
  return {
      // log
      {.path = "log.level",
       .type = T::Enum,
       .defaultText = "info",
       .allowed = kLogLevels,
       .help = "Log level of every part that has no level of its own.",
       .field = field<&G::log, &LogConfig::level>()},
      {.path = "log.smpp",
       .type = T::Enum,
       .defaultText = "",
       .allowed = kLogOverrides,
       .help = "Log level of the SMPP client; \"\" means log.level.",
       .field = field<&G::log, &LogConfig::smpp>()},
      {.path = "log.store",
       .type = T::Enum,
       .defaultText = "",
       .allowed = kLogOverrides,
       .help = "Log level of the LMDB store; \"\" means log.level.",
       .field = field<&G::log, &LogConfig::store>()},
      {.path = "log.menus",
       .type = T::Enum,
       .defaultText = "",
       .allowed = kLogOverrides,
       .help = "Log level of the USSD menu engine; \"\" means log.level.",
       .field = field<&G::log, &LogConfig::menus>()},
      {.path = "log.gateway",
       .type = T::Enum,
       .defaultText = "",
       .allowed = kLogOverrides,
       .help = "Log level of the daemon's services and upstream sync; \"\" means log.level.",
       .field = field<&G::log, &LogConfig::gateway>()},
      {.path = "log.http",
       .type = T::Enum,
       .defaultText = "",
       .allowed = kLogOverrides,
       .help = "Log level of the admin API and HTTP ingress; \"\" means log.level.",
       .field = field<&G::log, &LogConfig::http>()},
      {.path = "log.mask_msisdn",
       .type = T::Bool,
       .defaultText = "true",
       .help = "Mask borrowers' phone numbers in log lines (+254*******78). Turn off only "
               "for debugging on a test box: logs leave the box.",
       .field = field<&G::log, &LogConfig::maskMsisdn>()},
      // store
      {.path = "store.path",
       .type = T::Path,
       .defaultText = "/var/lib/mfi-gateway",
       .help = "Directory of the LMDB environments (systemd StateDirectory).",
       .field = field<&G::store, &StoreConfig::path>()},
      {.path = "store.map_size",
       .type = T::Size,
       .defaultText = "256MiB",
       .min = "1MiB",
       .max = "1TiB",
       .help = "Initial map size of the durable environment; it grows up to "
               "store.max_map_size.",
       .field = field<&G::store, &StoreConfig::mapSize>()},
      {.path = "store.max_map_size",
       .type = T::Size,
       .defaultText = "8GiB",
       .min = "1MiB",
       .max = "1TiB",
       .help = "Growth limit of the durable environment; beyond it writes are refused "
               "(ESME_RMSGQFUL / HTTP 503). Must be at least store.map_size. On a 32-bit "
               "board keep it under 2GiB (address space).",
       .field = field<&G::store, &StoreConfig::maxMapSize>()},
      {.path = "store.session_map_size",
       .type = T::Size,
       .defaultText = "64MiB",
       .min = "1MiB",
       .max = "1TiB",
       .help = "Map size of the relaxed-sync environment that holds USSD session state.",
       .field = field<&G::store, &StoreConfig::sessionMapSize>()},
      {.path = "store.session_sync_interval",
       .type = T::Duration,
       .defaultText = "1s",
       .min = "10ms",
       .max = "60s",
       .help = "How often the session environment is flushed to disk; a crash loses at "
               "most this much dialog state, never a confirmed request.",
       .field = field<&G::store, &StoreConfig::sessionSyncInterval>()},
      {.path = "store.group_commit_max_batch",
       .type = T::Int,
       .defaultText = "1024",
       .min = "1",
       .max = "100000",
       .help = "Most logical writes grouped into one durable transaction (one fsync).",
       .field = field<&G::store, &StoreConfig::groupCommitMaxBatch>()},
      // admin
      {.path = "admin.listen",
       .type = T::HostPort,
       .defaultText = "127.0.0.1:8470",
       .help = "Address of the admin API and metrics. Keep it on loopback unless a "
               "firewall guards the port; port 0 picks a free port (tests).",
       .field = field<&G::admin, &AdminConfig::listen>()},
      {.path = "admin.token_file",
       .type = T::SecretFile,
       .defaultText = "",
       .min = "16",
       .max = "4096",
       .help = "File holding the admin API bearer token (mode 600, at least 16 "
               "characters). Empty: a token is generated as admin.token in store.path "
               "on first start.",
       .field = kAdminToken},
      {.path = "admin.body_limit",
       .type = T::Size,
       .defaultText = "64KiB",
       .min = "1KiB",
       .max = "64MiB",
       .help = "Largest request body the admin API accepts (CSV imports included).",
       .field = field<&G::admin, &AdminConfig::bodyLimit>()},
      {.path = "admin.read_timeout",
       .type = T::Duration,
       .defaultText = "10s",
       .min = "100ms",
       .max = "5m",
       .help = "Time a client has to send a complete request.",
       .field = field<&G::admin, &AdminConfig::readTimeout>()},
      {.path = "admin.max_connections",
       .type = T::Int,
       .defaultText = "64",
       .min = "1",
       .max = "4096",
       .help = "Concurrent admin API connections; more are refused.",
       .field = field<&G::admin, &AdminConfig::maxConnections>()},
      // smpp
      {.path = "smpp.simulator",
       .type = T::Bool,
       .defaultText = "false",
       .help = "Run the built-in SMSC simulator and bind to it (demo and first-day setup; "
               "no operator account needed).",
       .field = field<&G::smpp, &SmppConfig::simulator>()},
      {.path = "smpp.links",
       .type = T::List,
       .defaultText = "[]",
       .help = "SMPP 3.4 binds to the operator's SMSC, one map per link.",
       .field = kLinksList},
      {.path = "smpp.links[].name",
       .type = T::String,
       .defaultText = kRequired,
       .min = "1",
       .max = "32",
       .help = "Unique name of the link, used in logs, metrics and mfi-gatewayctl.",
       .field = linkField<&SmppLinkConfig::name>(),
       .check = checkLinkName},
      {.path = "smpp.links[].host",
       .type = T::String,
       .defaultText = kRequired,
       .min = "1",
       .max = "253",
       .help = "Host name or IP address of the SMSC.",
       .field = linkField<&SmppLinkConfig::host>(),
       .check = checkHost},
      {.path = "smpp.links[].port",
       .type = T::Int,
       .defaultText = "2775",
       .min = "1",
       .max = "65535",
       .help = "TCP port of the SMSC.",
       .field = linkField<&SmppLinkConfig::port>()},
      {.path = "smpp.links[].system_id",
       .type = T::String,
       .defaultText = kRequired,
       .min = "1",
       .max = "15",
       .help = "SMPP system_id the operator assigned.",
       .field = linkField<&SmppLinkConfig::systemId>(),
       .check = checkSmppAscii},
      {.path = "smpp.links[].password_file",
       .type = T::SecretFile,
       .defaultText = "",
       .min = "0",
       .max = "8",
       .help = "File holding the SMPP password (mode 600; at most 8 characters, the SMPP "
               "3.4 limit). Empty: bind with an empty password.",
       .field = kLinkPassword},
      {.path = "smpp.links[].system_type",
       .type = T::String,
       .defaultText = "",
       .min = "0",
       .max = "12",
       .help = "SMPP system_type, if the operator asks for one.",
       .field = linkField<&SmppLinkConfig::systemType>(),
       .check = checkSmppAscii},
      {.path = "smpp.links[].bind",
       .type = T::Enum,
       .defaultText = "transceiver",
       .allowed = {"transceiver", "pair"},
       .help = "One bind_transceiver, or a bind_transmitter + bind_receiver pair for "
               "SMSCs without transceiver support.",
       .field = linkField<&SmppLinkConfig::bindMode>()},
      {.path = "smpp.links[].window",
       .type = T::Int,
       .defaultText = "10",
       .min = "1",
       .max = "256",
       .help = "Requests in flight without a response; also bounds duplicates after a "
               "crash.",
       .field = linkField<&SmppLinkConfig::window>()},
      {.path = "smpp.links[].tps",
       .type = T::Int,
       .defaultText = "10",
       .min = "1",
       .max = "10000",
       .help = "Submits per second the operator granted.",
       .field = linkField<&SmppLinkConfig::tps>()},
      {.path = "smpp.links[].enquire_link_interval",
       .type = T::Duration,
       .defaultText = "30s",
       .min = "5s",
       .max = "300s",
       .help = "Idle time before an enquire_link keeps the bind alive.",
       .field = linkField<&SmppLinkConfig::enquireLinkInterval>()},
      {.path = "smpp.links[].response_timeout",
       .type = T::Duration,
       .defaultText = "10s",
       .min = "1s",
       .max = "120s",
       .help = "Time to wait for a response PDU before the link is reset; must be shorter "
               "than enquire_link_interval.",
       .field = linkField<&SmppLinkConfig::responseTimeout>()},
      {.path = "smpp.links[].tls",
       .type = T::Bool,
       .defaultText = "false",
       .help = "Wrap the SMPP connection in TLS (operators that offer SMPP over TLS).",
       .field = linkField<&SmppLinkConfig::tls>()},
      {.path = "smpp.links[].tls_ca_file",
       .type = T::Path,
       .defaultText = "",
       .help = "PEM file of the CA(s) that sign the SMSC's certificate. Empty: the system's "
               "CA store.",
       .field = linkField<&SmppLinkConfig::tlsCaFile>()},
      {.path = "smpp.links[].tls_verify",
       .type = T::Bool,
       .defaultText = "true",
       .help = "Check the SMSC's certificate and name. Turn off only on a test bench.",
       .field = linkField<&SmppLinkConfig::tlsVerify>()},
      {.path = "smpp.links[].tls_server_name",
       .type = T::String,
       .defaultText = "",
       .min = "0",
       .max = "253",
       .help = "Name the SMSC's certificate must carry (and SNI). Empty: host.",
       .field = linkField<&SmppLinkConfig::tlsServerName>(),
       .check = checkSmppAscii},
      {.path = "smpp.links[].tls_cert_file",
       .type = T::Path,
       .defaultText = "",
       .help = "Client certificate (PEM), for operators that ask for one.",
       .field = linkField<&SmppLinkConfig::tlsCertFile>()},
      {.path = "smpp.links[].tls_key_file",
       .type = T::Path,
       .defaultText = "",
       .help = "Private key of tls_cert_file (PEM, mode 600). Empty: inside tls_cert_file.",
       .field = linkField<&SmppLinkConfig::tlsKeyFile>()},
      {.path = "smpp.links[].receipt_id_format",
       .type = T::Enum,
       .defaultText = "as_is",
       .allowed = {"as_is", "hex_to_decimal", "decimal_to_hex"},
       .help = "How receipts spell the id submit_sm_resp gave: some SMSCs answer in hex and "
               "report in decimal.",
       .field = linkField<&SmppLinkConfig::receiptIdFormat>()},
      {.path = "smpp.links[].split",
       .type = T::Enum,
       .defaultText = "udh8",
       .allowed = {"udh8", "udh16", "sar", "payload"},
       .help = "How long texts travel: UDH with an 8- or 16-bit reference, SAR TLVs, or one "
               "message_payload the SMSC splits.",
       .field = linkField<&SmppLinkConfig::split>()},
      {.path = "smpp.links[].latin1",
       .type = T::Bool,
       .defaultText = "false",
       .help = "The SMSC accepts data_coding 3 (Latin-1), cheaper than UCS-2 for accented text.",
       .field = linkField<&SmppLinkConfig::latin1>()},
      {.path = "smpp.links[].ussd_dialect",
       .type = T::String,
       .defaultText = "smpp34",
       .min = "1",
       .max = "32",
       .help = "How this SMSC speaks USSD: a built-in dialect (smpp34: the SMPP 3.4 "
               "conventions, session in its_session_info; user_message_reference: Mica and "
               "Eyeline style) or the name of one of ussd.dialects.",
       .field = linkField<&SmppLinkConfig::ussdDialect>(),
       .check = checkLinkName},
      // sms
      {.path = "sms.source",
       .type = T::String,
       .defaultText = "MFI",
       .min = "1",
       .max = "20",
       .help = "Sender shown on the phone: digits (a short code or number) or up to 11 "
               "letters and digits.",
       .field = field<&G::sms, &SmsConfig::source>(),
       .check = checkSmsSource},
      {.path = "sms.max_parts",
       .type = T::Int,
       .defaultText = "6",
       .min = "1",
       .max = "10",
       .help = "Longest text accepted, in SMS parts (153 GSM-7 or 67 UCS-2 characters each).",
       .field = field<&G::sms, &SmsConfig::maxParts>()},
      {.path = "sms.transliterate",
       .type = T::Bool,
       .defaultText = "false",
       .help = "Replace accented letters outside GSM 03.38 (á -> a) when that keeps a text in "
               "GSM-7 (160 characters per SMS instead of 70).",
       .field = field<&G::sms, &SmsConfig::transliterate>()},
      {.path = "sms.retry_min",
       .type = T::Duration,
       .defaultText = "30s",
       .min = "1s",
       .max = "1h",
       .help = "First retry after a temporary SMSC refusal; doubles per attempt.",
       .field = field<&G::sms, &SmsConfig::retryMin>()},
      {.path = "sms.retry_max",
       .type = T::Duration,
       .defaultText = "1h",
       .min = "1s",
       .max = "24h",
       .help = "Longest pause between retries.",
       .field = field<&G::sms, &SmsConfig::retryMax>()},
      {.path = "sms.keep_final",
       .type = T::Duration,
       .defaultText = "168h",
       .min = "1s",
       .max = "8760h",
       .help = "How long a message stays in the outbox once delivered, failed, expired or "
               "cancelled (its status and Idempotency-Key answer until then); older ones are "
               "purged every 10 minutes and at once when the store is full. Keep days in "
               "production: a client retrying a request after the purge makes a new message "
               "(seconds are for tests).",
       .field = field<&G::sms, &SmsConfig::keepFinal>()},
      // menus
      {.path = "menus.dir",
       .type = T::Path,
       .defaultText = "/usr/share/mfi-gateway/menus",
       .help = "Directory of the USSD menu trees (YAML); reloaded on SIGHUP.",
       .field = field<&G::menus, &MenusConfig::dir>()},
      {.path = "menus.service_code",
       .type = T::String,
       .defaultText = "*123#",
       .min = "3",
       .max = "32",
       .help = "USSD service code borrowers dial. Quote it: a YAML value starting with '*' "
               "is an alias.",
       .field = field<&G::menus, &MenusConfig::serviceCode>(),
       .check = checkServiceCode},
      // ussd
      {.path = "ussd.idle_timeout",
       .type = T::Duration,
       .defaultText = "60s",
       .min = "10s",
       .max = "10m",
       .help = "A dialog waiting this long for the phone's next input is over (networks "
               "drop theirs after 20-180 s).",
       .field = field<&G::ussd, &UssdConfig::idleTimeout>()},
      {.path = "ussd.dialog_cap",
       .type = T::Duration,
       .defaultText = "3m",
       .min = "30s",
       .max = "30m",
       .help = "Longest a dialog may last from the dial.",
       .field = field<&G::ussd, &UssdConfig::dialogCap>()},
      {.path = "ussd.resume_window",
       .type = T::Duration,
       .defaultText = "2m",
       .min = "0s",
       .max = "30m",
       .help = "A phone that re-dials within this after its dialog was dropped is offered "
               "\"1 Continue / 2 Start again\". 0s: always start again.",
       .field = field<&G::ussd, &UssdConfig::resumeWindow>()},
      {.path = "ussd.http_key_file",
       .type = T::SecretFile,
       .defaultText = "",
       .min = "16",
       .max = "256",
       .help = "Key of the HTTP aggregator routes /ussd/africastalking/KEY and "
               "/ussd/arkesel/KEY (mode 600, at least 16 characters). Empty: those routes "
               "are off.",
       .field = kUssdHttpKey},
      {.path = "ussd.pin_max_tries",
       .type = T::Int,
       .defaultText = "3",
       .min = "1",
       .max = "10",
       .help = "Wrong PINs in a row before the PIN locks.",
       .field = field<&G::ussd, &UssdConfig::pinMaxTries>()},
      {.path = "ussd.pin_lockout",
       .type = T::Duration,
       .defaultText = "30m",
       .min = "1m",
       .max = "24h",
       .help = "How long a locked PIN stays locked (kept in the store across restarts).",
       .field = field<&G::ussd, &UssdConfig::pinLockout>()},
      {.path = "ussd.step_deadline",
       .type = T::Duration,
       .defaultText = "8s",
       .min = "1ms",
       .max = "30s",
       .help = "A step still running after this (a queue of PIN checks, a stalled disk) "
               "answers the phone with a fallback page and sends the result by SMS. Keep it "
               "under the operator's application timeout (10-15 s; aggregators 5-10 s).",
       .field = field<&G::ussd, &UssdConfig::stepDeadline>()},
      {.path = "ussd.dialects",
       .type = T::List,
       .defaultText = "[]",
       .help = "USSD-over-SMPP dialects of your own (reference/ussd.md 1.4), for SMSCs that "
               "fit neither built-in one; a link picks one with ussd_dialect. Op codes are "
               "0..255, decimal or 0x hex.",
       .field = kDialectsList},
      {.path = "ussd.dialects[].name",
       .type = T::String,
       .defaultText = kRequired,
       .min = "1",
       .max = "32",
       .help = "Name smpp.links[].ussd_dialect refers to; not smpp34 or "
               "user_message_reference (built in).",
       .field = dialectField<&UssdDialectConfig::name>(),
       .check = checkLinkName},
      {.path = "ussd.dialects[].begin_ops",
       .type = T::IntList,
       .defaultText = "[1]",
       .min = "0",
       .max = "255",
       .help = "ussd_service_op codes that start a dialog (the phone dialled).",
       .field = dialectField<&UssdDialectConfig::beginOps>()},
      {.path = "ussd.dialects[].continue_ops",
       .type = T::IntList,
       .defaultText = "[18]",
       .min = "0",
       .max = "255",
       .help = "Codes that carry the phone's answer to our last page.",
       .field = dialectField<&UssdDialectConfig::continueOps>()},
      {.path = "ussd.dialects[].end_ops",
       .type = T::IntList,
       .defaultText = "[]",
       .min = "0",
       .max = "255",
       .help = "Codes by which the network says it released the dialog; a live dialog "
               "ends as a network timeout, nothing is sent.",
       .field = dialectField<&UssdDialectConfig::endOps>()},
      {.path = "ussd.dialects[].abort_ops",
       .type = T::IntList,
       .defaultText = "[129]",
       .min = "0",
       .max = "255",
       .help = "Codes by which the user or the network gave up (0x81 USSREL); a live dialog "
               "ends as a user abort, nothing is sent. Any code in no list ends the dialog "
               "with the menu's \"unavailable\" page.",
       .field = dialectField<&UssdDialectConfig::abortOps>()},
      {.path = "ussd.dialects[].reply_continue_op",
       .type = T::Int,
       .defaultText = "2",
       .min = "0",
       .max = "255",
       .help = "Code we send with a page that expects an answer (2: USSR request).",
       .field = dialectField<&UssdDialectConfig::replyContinueOp>()},
      {.path = "ussd.dialects[].reply_end_op",
       .type = T::Int,
       .defaultText = "17",
       .min = "0",
       .max = "255",
       .help = "Code we send with the last page (17: PSSR response). It may equal "
               "reply_continue_op only with session_key its_session_info, whose end bit then "
               "marks the last page.",
       .field = dialectField<&UssdDialectConfig::replyEndOp>()},
      {.path = "ussd.dialects[].session_key",
       .type = T::Enum,
       .defaultText = "its_session_info",
       .allowed = {"its_session_info", "user_message_reference", "tlv", "none"},
       .help = "Where the operator's dialog id is: its_session_info (its first octet), "
               "user_message_reference, a vendor TLV (session_tlv), or none (the MSISDN "
               "alone). The session TLVs are echoed on every reply.",
       .field = dialectField<&UssdDialectConfig::sessionKey>()},
      {.path = "ussd.dialects[].session_tlv",
       .type = T::Int,
       .defaultText = "0",
       .min = "0",
       .max = "65535",
       .help = "Tag of the vendor TLV that holds the dialog id when session_key is tlv "
               "(e.g. 0x1501, ussd_session_id).",
       .field = dialectField<&UssdDialectConfig::sessionTlv>()},
      {.path = "ussd.dialects[].service_code",
       .type = T::Enum,
       .defaultText = "text",
       .allowed = {"text", "destination_addr", "tlv"},
       .help = "Where the dialled string (*123*1#) is on a begin: the message text, "
               "destination_addr, or a vendor TLV (service_code_tlv).",
       .field = dialectField<&UssdDialectConfig::serviceCode>()},
      {.path = "ussd.dialects[].service_code_tlv",
       .type = T::Int,
       .defaultText = "0",
       .min = "0",
       .max = "65535",
       .help = "Tag of the TLV that holds the dialled string when service_code is tlv.",
       .field = dialectField<&UssdDialectConfig::serviceCodeTlv>()},
      {.path = "ussd.dialects[].cell_tlv",
       .type = T::Int,
       .defaultText = "0",
       .min = "0",
       .max = "65535",
       .help = "Tag of a vendor TLV that carries the caller's serving cell as a 7-octet cell "
               "global identity (MCC/MNC in TBCD, LAC, CI; 3GPP TS 29.002). With an imported "
               "cell table (import kind cells) the menu can offer points near the caller. "
               "0: the channel gives no cell.",
       .field = dialectField<&UssdDialectConfig::cellTlv>()},
      {.path = "ussd.dialects[].reply_with",
       .type = T::Enum,
       .defaultText = "submit_sm",
       .allowed = {"submit_sm", "data_sm"},
       .help = "Command that carries our pages (data_sm puts the text in message_payload).",
       .field = dialectField<&UssdDialectConfig::replyWith>()},
      {.path = "ussd.dialects[].data_coding",
       .type = T::Enum,
       .defaultText = "auto",
       .allowed = {"auto", "ucs2", "latin1"},
       .help = "Coding of our pages: auto (GSM 7-bit when the page fits it, else UCS-2), "
               "ucs2 always, or latin1 (UCS-2 for a page Latin-1 cannot carry).",
       .field = dialectField<&UssdDialectConfig::dataCoding>()},
      // phone
      {.path = "phone.default_region",
       .type = T::String,
       .defaultText = "KE",
       .min = "2",
       .max = "2",
       .help = "ISO 3166-1 alpha-2 region for phone numbers written without +country code.",
       .field = field<&G::phone, &PhoneConfig::defaultRegion>(),
       .check = checkRegion},
      // upstream
      {.path = "upstream.enabled",
       .type = T::Bool,
       .defaultText = "false",
       .help = "Sync the loan book and push events with the MFI's loan system "
               "(docs/upstream-protocol.md).",
       .field = field<&G::upstream, &UpstreamConfig::enabled>()},
      {.path = "upstream.url",
       .type = T::String,
       .defaultText = "",
       .min = "0",
       .max = "2048",
       .help = "Base URL of the upstream sync endpoint, https://host[:port][/base]; requests "
               "go to <base>/v1/... Required when upstream.enabled is true.",
       .field = field<&G::upstream, &UpstreamConfig::url>(),
       .check = checkUpstreamUrl},
      {.path = "upstream.auth",
       .type = T::Enum,
       .defaultText = "none",
       .allowed = {"none", "bearer", "basic"},
       .help = "How the gateway authenticates: a bearer token (upstream.token_file) or HTTP "
               "basic (upstream.username + upstream.password_file).",
       .field = field<&G::upstream, &UpstreamConfig::auth>()},
      {.path = "upstream.token_file",
       .type = T::SecretFile,
       .defaultText = "",
       .min = "1",
       .max = "4096",
       .help = "File holding the bearer token (mode 600).",
       .field = kUpstreamToken},
      {.path = "upstream.username",
       .type = T::String,
       .defaultText = "",
       .min = "0",
       .max = "256",
       .help = "User name for basic auth (no ':').",
       .field = field<&G::upstream, &UpstreamConfig::username>(),
       .check = checkBasicUser},
      {.path = "upstream.password_file",
       .type = T::SecretFile,
       .defaultText = "",
       .min = "0",
       .max = "1024",
       .help = "File holding the basic-auth password (mode 600).",
       .field = kUpstreamPassword},
      {.path = "upstream.interval",
       .type = T::Duration,
       .defaultText = "15m",
       .min = "1s",
       .max = "24h",
       .help = "Time between sync windows while upstream answers (push events, then pull "
               "changes).",
       .field = field<&G::upstream, &UpstreamConfig::interval>()},
      {.path = "upstream.reconcile_interval",
       .type = T::Duration,
       .defaultText = "24h",
       .min = "1m",
       .max = "720h",
       .help = "Time between reconciles (loan count and hash per branch); a branch that "
               "differs is pulled again in full.",
       .field = field<&G::upstream, &UpstreamConfig::reconcileInterval>()},
      {.path = "upstream.backoff_min",
       .type = T::Duration,
       .defaultText = "10s",
       .min = "100ms",
       .max = "1h",
       .help = "First retry after a failed sync window; doubles per failure, with +-20% "
               "jitter.",
       .field = field<&G::upstream, &UpstreamConfig::backoffMin>()},
      {.path = "upstream.backoff_max",
       .type = T::Duration,
       .defaultText = "30m",
       .min = "100ms",
       .max = "24h",
       .help = "Longest pause between retries while upstream is unreachable; also the wait "
               "after a permanent refusal (4xx).",
       .field = field<&G::upstream, &UpstreamConfig::backoffMax>()},
      {.path = "upstream.timeout",
       .type = T::Duration,
       .defaultText = "30s",
       .min = "1s",
       .max = "10m",
       .help = "Limit on each step of a request (connect, TLS handshake, send) and on each "
               "silence while an answer arrives.",
       .field = field<&G::upstream, &UpstreamConfig::timeout>()},
      {.path = "upstream.page_size",
       .type = T::Int,
       .defaultText = "500",
       .min = "1",
       .max = "5000",
       .help = "Records asked for per page; each page and its cursor commit together.",
       .field = field<&G::upstream, &UpstreamConfig::pageSize>()},
      {.path = "upstream.push_batch",
       .type = T::Int,
       .defaultText = "100",
       .min = "1",
       .max = "1000",
       .help = "Events pushed per request.",
       .field = field<&G::upstream, &UpstreamConfig::pushBatch>()},
      {.path = "upstream.tls_ca_file",
       .type = T::Path,
       .defaultText = "",
       .help = "PEM file of the CA(s) that sign upstream's certificate. Empty: the system's "
               "CA store.",
       .field = field<&G::upstream, &UpstreamConfig::tlsCaFile>()},
      {.path = "upstream.tls_verify",
       .type = T::Bool,
       .defaultText = "true",
       .help = "Check upstream's certificate and name. Turn off only on a test bench.",
       .field = field<&G::upstream, &UpstreamConfig::tlsVerify>()},
      {.path = "upstream.tls_server_name",
       .type = T::String,
       .defaultText = "",
       .min = "0",
       .max = "253",
       .help = "Name upstream's certificate must carry (and SNI). Empty: the URL's host.",
       .field = field<&G::upstream, &UpstreamConfig::tlsServerName>(),
       .check = checkHost},
      {.path = "upstream.tls_cert_file",
       .type = T::Path,
       .defaultText = "",
       .help = "Client certificate (PEM), when upstream asks for one.",
       .field = field<&G::upstream, &UpstreamConfig::tlsCertFile>()},
      {.path = "upstream.tls_key_file",
       .type = T::Path,
       .defaultText = "",
       .help = "Private key of upstream.tls_cert_file (PEM, mode 600). Empty: inside "
               "tls_cert_file.",
       .field = field<&G::upstream, &UpstreamConfig::tlsKeyFile>()},
      {.path = "upstream.adapter",
       .type = T::Enum,
       .defaultText = "mfigw",
       .allowed = {"mfigw", "fineract"},
       .help = "What upstream speaks: mfigw (docs/upstream-protocol.md) or fineract (Apache "
               "Fineract / Mifos X REST; upstream.url is https://host/fineract-provider/api, "
               "upstream.auth basic; each window pulls every client and loan page by page "
               "and pushes deferral requests as reschedule requests).",
       .field = field<&G::upstream, &UpstreamConfig::adapter>()},
      {.path = "upstream.fineract_tenant",
       .type = T::String,
       .defaultText = "default",
       .min = "1",
       .max = "100",
       .help = "Fineract tenant, sent as the Fineract-Platform-TenantId header.",
       .field = field<&G::upstream, &UpstreamConfig::fineractTenant>()},
      {.path = "upstream.fineract_credit_request",
       .type = T::Enum,
       .defaultText = "off",
       .allowed = {"off", "loan_application"},
       .help = "What a credit request becomes in Fineract: loan_application (POST /loans, "
               "submitted for a loan officer, our key as externalId; needs "
               "upstream.fineract_loan_product_id) or off (kept as rejected for the operator).",
       .field = field<&G::upstream, &UpstreamConfig::fineractCreditRequest>()},
      {.path = "upstream.fineract_loan_product_id",
       .type = T::Int,
       .defaultText = "0",
       .min = "0",
       .max = "2147483647",
       .help = "Fineract loan product of loan applications from credit requests; 0: none.",
       .field = field<&G::upstream, &UpstreamConfig::fineractLoanProductId>()},
      {.path = "upstream.fineract_reschedule_reason_id",
       .type = T::Int,
       .defaultText = "0",
       .min = "0",
       .max = "2147483647",
       .help = "Code value id (LoanRescheduleReason) sent with deferral requests; 0: none.",
       .field = field<&G::upstream, &UpstreamConfig::fineractRescheduleReasonId>()},
      // shutdown
      {.path = "shutdown.drain_timeout",
       .type = T::Duration,
       .defaultText = "10s",
       .min = "1s",
       .max = "120s",
       .help = "On SIGTERM, time to finish in-flight work and unbind before exiting; keep "
               "it below the unit's TimeoutStopSec.",
       .field = field<&G::shutdown, &ShutdownConfig::drainTimeout>()},
  };
}

// ---- Scalar syntaxes ----

std::optional<std::int64_t> parseInt(std::string_view s) {
  std::int64_t n = 0;
  int base = 10;
  // Operators' interface documents write TLV tags and op codes in hex.
  if (s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
    s.remove_prefix(2);
    base = 16;
    if (s.empty() || s[0] == '-' || s[0] == '+') return std::nullopt;
  }
  if (s.empty()) return std::nullopt;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), n, base);
  if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return n;
}

// Splits "256MiB" into 256 and "MiB"; nullopt without leading digits or on overflow.
std::optional<std::pair<std::uint64_t, std::string_view>> splitNumber(std::string_view s) {
  std::size_t digits = 0;
  while (digits < s.size() && s[digits] >= '0' && s[digits] <= '9')
    ++digits;
  if (digits == 0) return std::nullopt;
  std::uint64_t n = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + digits, n);
  if (ec != std::errc() || end != s.data() + digits) return std::nullopt;
  return std::pair{n, s.substr(digits)};
}

struct Unit {
  std::string_view suffix;
  std::uint64_t factor;
};
// Largest first, so formatting picks the largest unit that divides exactly.
constexpr std::array<Unit, 5> kSizeUnits = {{
    {"TiB", 1ull << 40},
    {"GiB", 1ull << 30},
    {"MiB", 1ull << 20},
    {"KiB", 1ull << 10},
    {"B", 1},
}};
constexpr std::array<Unit, 4> kDurationUnits = {{
    {"h", 3600000},
    {"m", 60000},
    {"s", 1000},
    {"ms", 1},
}};

template <std::size_t N>
std::optional<std::uint64_t> parseWithUnits(std::string_view text, const std::array<Unit, N>& units,
                                            bool unitRequired) {
  const auto split = splitNumber(text);
  if (!split) return std::nullopt;
  const auto [n, suffix] = *split;
  if (suffix.empty()) {
    if (unitRequired) return std::nullopt;
    return n;
  }
  for (const Unit& u : units) {
    if (suffix == u.suffix) {
      if (n > std::numeric_limits<std::uint64_t>::max() / u.factor) return std::nullopt;
      return n * u.factor;
    }
  }
  return std::nullopt;
}

template <std::size_t N>
std::string formatWithUnits(std::uint64_t n, const std::array<Unit, N>& units,
                            std::string_view zero) {
  if (n == 0) return std::string(zero);
  for (const Unit& u : units) {
    if (n % u.factor == 0) return fmt::format("{}{}", n / u.factor, u.suffix);
  }
  return std::to_string(n);
}

struct HostPort {
  std::string_view host;
  std::uint16_t port = 0;
};

std::optional<HostPort> parseHostPort(std::string_view s) {
  std::string_view host;
  std::string_view port;
  if (!s.empty() && s.front() == '[') {
    const auto close = s.find("]:");
    if (close == std::string_view::npos) return std::nullopt;
    host = s.substr(1, close - 1);
    port = s.substr(close + 2);
  } else {
    const auto colon = s.rfind(':');
    if (colon == std::string_view::npos) return std::nullopt;
    host = s.substr(0, colon);
    port = s.substr(colon + 1);
    // An unbracketed IPv6 address is ambiguous ("::1:80"): ask for brackets.
    if (host.find(':') != std::string_view::npos) return std::nullopt;
  }
  if (host.empty() || !isPrintableAscii(host) || host.find(' ') != std::string_view::npos ||
      port.empty() || port.size() > 5) {
    return std::nullopt;
  }
  const auto n = splitNumber(port);
  if (!n || !n->second.empty() || n->first > 65535) return std::nullopt;
  return HostPort{host, static_cast<std::uint16_t>(n->first)};
}

// Quotes a value for an error message: escaped, and cut short so a pasted blob or a
// fuzzer's input does not flood the terminal.
std::string quoted(std::string_view s) {
  constexpr std::size_t kMax = 40;
  std::string out = "\"";
  for (std::size_t i = 0; i < s.size() && i < kMax; ++i) {
    const auto ch = static_cast<unsigned char>(s[i]);
    if (ch == '"' || ch == '\\') {
      out += '\\';
      out += static_cast<char>(ch);
    } else if (ch < 0x20 || ch == 0x7f) {
      out += fmt::format("\\x{:02x}", ch);
    } else {
      out += static_cast<char>(ch);
    }
  }
  if (s.size() > kMax) out += "...";
  out += '"';
  return out;
}

// The numeric value of a bound or default, in the unit SettingValue::integer uses.
std::optional<std::int64_t> numericValue(SettingType type, std::string_view text) {
  switch (type) {
    case SettingType::Size: {
      const auto n = parseSize(text);
      if (!n || *n > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
        return std::nullopt;
      }
      return static_cast<std::int64_t>(*n);
    }
    case SettingType::Duration: {
      const auto d = parseDuration(text);
      if (!d) return std::nullopt;
      return d->count();
    }
    default:
      // Int values, and the length bounds of String and SecretFile.
      return parseInt(text);
  }
}

// The row's bounds as numbers; a missing bound is the widest value. Plain integers rather
// than optionals: GCC 12 reports optionals read in fmt calls as maybe-uninitialized.
struct Bounds {
  std::int64_t lo = std::numeric_limits<std::int64_t>::min();
  std::int64_t hi = std::numeric_limits<std::int64_t>::max();
  bool hasLo = false;
  bool hasHi = false;
};

Bounds boundsOf(const SettingSpec& spec, SettingType syntax) {
  Bounds b;
  if (const auto lo = numericValue(syntax, spec.min); !spec.min.empty() && lo) {
    b.lo = *lo;
    b.hasLo = true;
  }
  if (const auto hi = numericValue(syntax, spec.max); !spec.max.empty() && hi) {
    b.hi = *hi;
    b.hasHi = true;
  }
  return b;
}

// "" when n is within the row's bounds, else "must be between X and Y".
std::string boundsError(const SettingSpec& spec, std::int64_t n) {
  const Bounds b = boundsOf(spec, spec.type);
  if (n >= b.lo && n <= b.hi) return "";
  if (b.hasLo && b.hasHi) return fmt::format("must be between {} and {}", spec.min, spec.max);
  if (b.hasLo) return fmt::format("must be at least {}", spec.min);
  return fmt::format("must be at most {}", spec.max);
}

std::string lengthError(const SettingSpec& spec, std::size_t length, std::string_view what) {
  const Bounds b = boundsOf(spec, SettingType::Int);
  const auto n = static_cast<std::int64_t>(length);
  if (n >= b.lo && n <= b.hi) return "";
  if (b.hasLo && b.hasHi && b.lo == b.hi) {
    return fmt::format("{} must be {} characters long (got {})", what, b.lo, length);
  }
  if (b.hasLo && b.hasHi) {
    return fmt::format("{} must be {} to {} characters long (got {})", what, b.lo, b.hi, length);
  }
  if (b.hasLo) {
    return fmt::format("{} must be at least {} characters long (got {})", what, b.lo, length);
  }
  return fmt::format("{} must be at most {} characters long (got {})", what, b.hi, length);
}

std::string joinAllowed(const std::vector<std::string_view>& allowed) {
  std::string out;
  for (const auto& a : allowed) {
    if (!out.empty()) out += ", ";
    out += a.empty() ? std::string("\"\"") : std::string(a);
  }
  return out;
}

// ---- Rendering helpers ----

// The value of a row as the loader's own syntax would write it.
std::string formatValue(const SettingSpec& spec, const SettingValue& v) {
  switch (spec.type) {
    case SettingType::Bool:
      return v.boolean ? "true" : "false";
    case SettingType::Int:
      return std::to_string(v.integer);
    case SettingType::Size:
      return formatSize(static_cast<std::uint64_t>(v.integer));
    case SettingType::Duration:
      return formatDuration(Duration{v.integer});
    case SettingType::List:
      return std::to_string(v.integer);
    case SettingType::IntList: {
      std::string out = "[";
      for (const std::int64_t n : v.integers)
        out += (out.size() > 1 ? ", " : "") + std::to_string(n);
      return out + "]";
    }
    default:
      return v.text;
  }
}

std::string boundsText(const SettingSpec& spec) {
  if (spec.type == SettingType::Enum) return joinAllowed(spec.allowed);
  if (spec.min.empty() && spec.max.empty()) return "";
  const bool length = spec.type == SettingType::String || spec.type == SettingType::SecretFile;
  std::string range;
  if (!spec.min.empty() && !spec.max.empty()) {
    range =
        spec.min == spec.max ? std::string(spec.min) : fmt::format("{} .. {}", spec.min, spec.max);
  } else if (!spec.min.empty()) {
    range = fmt::format(">= {}", spec.min);
  } else {
    range = fmt::format("<= {}", spec.max);
  }
  if (spec.type == SettingType::IntList) return "each " + range;
  if (!length) return range;
  return fmt::format("{} {}", spec.type == SettingType::SecretFile ? "content length" : "length",
                     range);
}

std::string defaultShown(const SettingSpec& spec) {
  if (spec.defaultText.empty()) return "\"\"";
  return std::string(spec.defaultText);
}

std::string_view sectionOf(std::string_view path) {
  return path.substr(0, path.find('.'));
}

// Escapes what would break a table cell ('|') or start emphasis ('*' in "+254****78").
std::string markdownText(std::string_view s) {
  std::string out;
  for (char ch : s) {
    if (ch == '|' || ch == '*' || ch == '<') out += '\\';
    out += ch;
  }
  return out;
}

std::vector<std::string_view> splitPath(std::string_view path) {
  std::vector<std::string_view> parts;
  std::size_t start = 0;
  while (true) {
    const auto dot = path.find('.', start);
    parts.push_back(path.substr(start, dot - start));
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  return parts;
}

void emitSetting(YAML::Emitter& out, const SettingSpec& spec, const SettingValue& v) {
  out << YAML::Key << std::string(spec.key()) << YAML::Value;
  switch (spec.type) {
    case SettingType::Bool:
      out << v.boolean;
      break;
    case SettingType::Int:
      out << v.integer;
      break;
    case SettingType::IntList:
      out << YAML::Flow << YAML::BeginSeq;
      for (const std::int64_t n : v.integers)
        out << n;
      out << YAML::EndSeq;
      break;
    case SettingType::SecretFile:
      // yaml-cpp writes "" for an empty string only when asked for double quotes.
      out << YAML::DoubleQuoted << v.text;
      out << YAML::Comment(v.secret.empty() ? "no secret loaded" : "content: ***");
      break;
    default: {
      const std::string text = formatValue(spec, v);
      if (text.empty()) {
        out << YAML::DoubleQuoted << text;
      } else {
        out << text;
      }
      break;
    }
  }
}

}  // namespace

const std::vector<SettingSpec>& settingsTable() {
  static const std::vector<SettingSpec> table = buildTable();
  return table;
}

const SettingSpec* findSetting(std::string_view path) {
  for (const auto& spec : settingsTable()) {
    if (spec.path == path) return &spec;
  }
  return nullptr;
}

std::optional<std::uint64_t> parseSize(std::string_view text) {
  return parseWithUnits(text, kSizeUnits, false);
}

std::optional<Duration> parseDuration(std::string_view text) {
  const auto ms = parseWithUnits(text, kDurationUnits, true);
  if (!ms || *ms > static_cast<std::uint64_t>(std::numeric_limits<Duration::rep>::max())) {
    return std::nullopt;
  }
  return Duration{static_cast<Duration::rep>(*ms)};
}

std::string formatSize(std::uint64_t bytes) {
  return formatWithUnits(bytes, kSizeUnits, "0");
}

std::string formatDuration(Duration duration) {
  if (duration.count() < 0) return fmt::format("{}ms", duration.count());
  return formatWithUnits(static_cast<std::uint64_t>(duration.count()), kDurationUnits, "0ms");
}

ParseOutcome parseScalar(const SettingSpec& spec, std::string_view text) {
  ParseOutcome out;
  auto fail = [&](std::string message) {
    out.error = std::move(message);
    return out;
  };
  switch (spec.type) {
    case SettingType::Bool:
      // Only the two canonical words: "yes", "on" or "1" are YAML 1.1 folklore that
      // yaml-cpp and the operator may read differently.
      if (text == "true") {
        out.value.boolean = true;
      } else if (text != "false") {
        return fail(fmt::format("expected true or false (got {})", quoted(text)));
      }
      break;
    case SettingType::Int:
    case SettingType::Size:
    case SettingType::Duration: {
      const auto n = numericValue(spec.type, text);
      if (!n) {
        if (spec.type == SettingType::Int) {
          return fail(fmt::format("expected an integer (got {})", quoted(text)));
        }
        if (spec.type == SettingType::Size) {
          // A size too large for 64 bits is still a size: report it against the bound.
          const auto split = splitNumber(text);
          if (!split ||
              !(split->second.empty() || split->second == "B" || split->second == "KiB" ||
                split->second == "MiB" || split->second == "GiB" || split->second == "TiB")) {
            return fail(fmt::format("expected a size such as 512, 64KiB, 256MiB or 8GiB (got {})",
                                    quoted(text)));
          }
          const auto tooLarge = std::numeric_limits<std::int64_t>::max();
          return fail(fmt::format("{} (got {})", boundsError(spec, tooLarge), quoted(text)));
        }
        return fail(
            fmt::format("expected a duration such as 500ms, 30s, 5m or 1h (got {})", quoted(text)));
      }
      if (auto e = boundsError(spec, *n); !e.empty()) {
        return fail(fmt::format("{} (got {})", e, quoted(text)));
      }
      out.value.integer = *n;
      break;
    }
    case SettingType::String:
      if (auto e = lengthError(spec, text.size(), "value"); !e.empty()) return fail(e);
      out.value.text = std::string(text);
      break;
    case SettingType::Enum:
      if (std::find(spec.allowed.begin(), spec.allowed.end(), text) == spec.allowed.end()) {
        return fail(
            fmt::format("must be one of {} (got {})", joinAllowed(spec.allowed), quoted(text)));
      }
      out.value.text = std::string(text);
      break;
    case SettingType::Path:
      // An optional file (default "") may be left empty; a required directory may not.
      if (text.empty() && !spec.defaultText.empty()) return fail("must not be empty");
      if (text.find('\0') != std::string_view::npos) return fail("must not contain NUL");
      out.value.text = std::string(text);
      break;
    case SettingType::SecretFile:
      // Empty is allowed: every secret file setting has a documented fallback.
      if (text.find('\0') != std::string_view::npos) return fail("must not contain NUL");
      out.value.text = std::string(text);
      break;
    case SettingType::HostPort:
      if (!parseHostPort(text)) {
        return fail(
            fmt::format("expected host:port such as 127.0.0.1:8470 or [::1]:8470 "
                        "(got {})",
                        quoted(text)));
      }
      out.value.text = std::string(text);
      break;
    case SettingType::List:
      return fail("expected a list");
    case SettingType::IntList: {
      std::string_view items = text;
      if (items.size() >= 2 && items.front() == '[' && items.back() == ']') {
        items = items.substr(1, items.size() - 2);
      } else if (items.empty()) {
        return fail("expected an integer or a list such as [1, 0x81] (got \"\")");
      }
      while (!items.empty()) {
        const auto comma = items.find(',');
        std::string_view item = items.substr(0, comma);
        items = comma == std::string_view::npos ? std::string_view() : items.substr(comma + 1);
        while (!item.empty() && item.front() == ' ')
          item.remove_prefix(1);
        while (!item.empty() && item.back() == ' ')
          item.remove_suffix(1);
        if (item.empty() && items.empty() && out.value.integers.empty()) break;  // "[]"
        const auto n = parseInt(item);
        if (!n) return fail(fmt::format("expected an integer (got {})", quoted(item)));
        if (auto e = boundsError(spec, *n); !e.empty()) {
          return fail(fmt::format("{} (got {})", e, quoted(item)));
        }
        out.value.integers.push_back(*n);
      }
      break;
    }
  }
  if (spec.check != nullptr) {
    if (auto e = spec.check(out.value); !e.empty()) {
      return fail(fmt::format("{} (got {})", e, quoted(text)));
    }
  }
  return out;
}

std::string checkSecretLength(const SettingSpec& spec, const Secret& secret) {
  return lengthError(spec, secret.reveal().size(), "secret");
}

std::vector<RuleViolation> checkCrossFieldRules(const GatewayConfig& config) {
  std::vector<RuleViolation> out;
  // The env can only grow; a cap below the start size would refuse writes from day one.
  if (config.store.maxMapSize < config.store.mapSize) {
    out.push_back(
        {"store.max_map_size",
         fmt::format("must be at least store.map_size ({}; got {})",
                     formatSize(config.store.mapSize), formatSize(config.store.maxMapSize)),
         {"store.max_map_size", "store.map_size"}});
  }
  const auto& links = config.smpp.links;
  for (std::size_t i = 0; i < links.size(); ++i) {
    const std::string item = fmt::format("smpp.links[{}]", i);
    for (std::size_t j = 0; j < i; ++j) {
      // Names key logs, metrics and per-link state; two equal names would merge them.
      if (!links[i].name.empty() && links[i].name == links[j].name) {
        out.push_back(
            {item + ".name",
             fmt::format("duplicate link name {} (also smpp.links[{}])", quoted(links[i].name), j),
             {item + ".name", fmt::format("smpp.links[{}].name", j)}});
        break;
      }
    }
    // A response that may arrive after the next enquire_link is due would let two
    // keep-alives overlap and hide a dead link for twice the interval.
    if (links[i].responseTimeout >= links[i].enquireLinkInterval) {
      out.push_back({item + ".response_timeout",
                     fmt::format("must be shorter than enquire_link_interval ({}; got {})",
                                 formatDuration(links[i].enquireLinkInterval),
                                 formatDuration(links[i].responseTimeout)),
                     {item + ".response_timeout", item + ".enquire_link_interval"}});
    }
    // TLS settings on a plain link would be silently ignored: say so instead.
    const bool tlsDetails = !links[i].tlsCaFile.empty() || !links[i].tlsServerName.empty() ||
                            !links[i].tlsCertFile.empty() || !links[i].tlsKeyFile.empty() ||
                            !links[i].tlsVerify;
    if (tlsDetails && !links[i].tls) {
      out.push_back({item + ".tls", "tls_* settings are given but tls is false", {item + ".tls"}});
    }
    if (!links[i].tlsKeyFile.empty() && links[i].tlsCertFile.empty()) {
      out.push_back({item + ".tls_key_file",
                     "needs tls_cert_file (the certificate this key belongs to)",
                     {item + ".tls_key_file", item + ".tls_cert_file"}});
    }
  }
  const UpstreamConfig& up = config.upstream;
  if (up.enabled && up.url.empty()) {
    out.push_back({"upstream.url",
                   "is required when upstream.enabled is true",
                   {"upstream.url", "upstream.enabled"}});
  }
  if (up.auth == "bearer" && up.token.empty()) {
    out.push_back({"upstream.token_file",
                   "is required when upstream.auth is bearer",
                   {"upstream.token_file", "upstream.auth"}});
  }
  if (up.auth == "basic" && up.username.empty()) {
    out.push_back({"upstream.username",
                   "is required when upstream.auth is basic",
                   {"upstream.username", "upstream.auth"}});
  }
  if (up.adapter == "fineract" && up.enabled && up.auth != "basic") {
    out.push_back({"upstream.auth",
                   "must be basic when upstream.adapter is fineract",
                   {"upstream.auth", "upstream.adapter"}});
  }
  if (up.adapter == "fineract" && up.fineractCreditRequest == "loan_application" &&
      up.fineractLoanProductId == 0) {
    out.push_back({"upstream.fineract_loan_product_id",
                   "is required when upstream.fineract_credit_request is loan_application",
                   {"upstream.fineract_loan_product_id", "upstream.fineract_credit_request"}});
  }
  if (up.backoffMax < up.backoffMin) {
    out.push_back({"upstream.backoff_max",
                   fmt::format("must be at least upstream.backoff_min ({}; got {})",
                               formatDuration(up.backoffMin), formatDuration(up.backoffMax)),
                   {"upstream.backoff_max", "upstream.backoff_min"}});
  }
  // TLS settings on a plain http:// URL would be silently ignored: say so instead.
  const bool upstreamTlsDetails = !up.tlsCaFile.empty() || !up.tlsServerName.empty() ||
                                  !up.tlsCertFile.empty() || !up.tlsKeyFile.empty() ||
                                  !up.tlsVerify;
  if (upstreamTlsDetails && !up.url.empty() && !up.url.starts_with("https://")) {
    out.push_back(
        {"upstream.url", "tls_* settings are given but the URL is not https://", {"upstream.url"}});
  }
  if (!up.tlsKeyFile.empty() && up.tlsCertFile.empty()) {
    out.push_back({"upstream.tls_key_file",
                   "needs upstream.tls_cert_file (the certificate this key belongs to)",
                   {"upstream.tls_key_file", "upstream.tls_cert_file"}});
  }
  // Dialect names, codes and references (ussd_dialect.cpp knows the built-in ones).
  for (auto& problem : checkUssdDialects(config)) {
    std::vector<std::string> involved{problem.path};
    out.push_back({problem.path, std::move(problem.message), std::move(involved)});
  }
  if (config.sms.retryMax < config.sms.retryMin) {
    out.push_back(
        {"sms.retry_max",
         fmt::format("must be at least sms.retry_min ({}; got {})",
                     formatDuration(config.sms.retryMin), formatDuration(config.sms.retryMax)),
         {"sms.retry_max", "sms.retry_min"}});
  }
  return out;
}

std::string renderHelpConfig() {
  std::string out =
      "Settings of gateway.yaml (sizes: 512, 64KiB, 256MiB, 8GiB; durations: 500ms, 30s, "
      "5m, 1h;\nsecret files: mode 600, one trailing newline ignored; relative paths are "
      "relative to the\nconfig file's directory).\n";
  for (const auto& spec : settingsTable()) {
    out += fmt::format("\n{}\n  type: {}   default: {}", spec.path, toString(spec.type),
                       defaultShown(spec));
    if (const auto bounds = boundsText(spec); !bounds.empty()) {
      out += fmt::format("   {}: {}", spec.type == SettingType::Enum ? "values" : "range", bounds);
    }
    out += fmt::format("\n  {}\n", spec.help);
  }
  return out;
}

std::string renderConfigMarkdown() {
  std::string out =
      "# Configuration reference\n"
      "\n"
      "<!-- Generated from the settings table in gateway/config_schema.cpp; do not edit.\n"
      "     Regenerate: MFIGW_REGENERATE=1 <build>/tests/gateway/gateway_test "
      "--gtest_filter='ConfigDocs.*' -->\n"
      "\n"
      "`mfi-gatewayd --config /etc/mfi-gateway/gateway.yaml` reads one YAML file. Every "
      "key is\noptional unless marked *required*; an empty file runs on the defaults. "
      "`mfi-gatewayd\n--check-config FILE` checks a file without starting, and "
      "`mfi-gatewayd --help-config`\nprints this table.\n"
      "\n"
      "Value syntax:\n"
      "\n"
      "- **bool**: `true` or `false` (not `yes`, `on` or `1`).\n"
      "- **size**: bytes, optionally with a binary suffix: `512`, `64KiB`, `256MiB`, `8GiB`, "
      "`1TiB`.\n"
      "- **duration**: an integer with a unit: `500ms`, `30s`, `5m`, `1h`.\n"
      "- **host:port**: `127.0.0.1:8470`, `gw.example.org:8470`, `[::1]:8470`.\n"
      "- **path**: relative paths are relative to the directory of the config file.\n"
      "- **secret file**: a file holding only the secret (one trailing newline is "
      "ignored).\n  It must be a regular file not readable by other users (`chmod 600`); "
      "its content\n  never appears in logs, errors or the effective config.\n"
      "- Quote values that start with `*`, such as the service code `\"*123#\"`: unquoted, "
      "YAML\n  reads them as an alias.\n"
      "\n"
      "Errors name the file, line, column and key, and all of them are reported at once:\n"
      "\n"
      "```\n"
      "/etc/mfi-gateway/gateway.yaml:14:7: smpp.links[0].enquire_link_interval: must be "
      "between 5s and 300s (got \"2s\")\n"
      "/etc/mfi-gateway/gateway.yaml:20:3: store.mapsize: unknown key; did you mean "
      "'map_size'?\n"
      "```\n";
  std::string_view section;
  for (const auto& spec : settingsTable()) {
    if (sectionOf(spec.path) != section) {
      section = sectionOf(spec.path);
      out += fmt::format(
          "\n## `{}`\n\n| Key | Type | Default | Range / values | Description |\n"
          "|---|---|---|---|---|\n",
          section);
    }
    const std::string def =
        spec.required() ? std::string("*required*") : fmt::format("`{}`", defaultShown(spec));
    const std::string bounds = boundsText(spec);
    out += fmt::format("| `{}` | {} | {} | {} | {} |\n", spec.path, toString(spec.type), def,
                       markdownText(bounds), markdownText(spec.help));
  }
  out +=
      "\n## Defaults\n\nThe effective configuration of an empty file, as the admin API "
      "shows it:\n\n```yaml\n";
  out += renderEffectiveConfig(GatewayConfig{});
  out += "```\n";
  return out;
}

std::string renderEffectiveConfig(const GatewayConfig& config) {
  YAML::Emitter out;
  out << YAML::BeginMap;
  std::vector<std::string_view> open;  // sections currently open, outermost first
  const auto& table = settingsTable();
  for (const auto& spec : table) {
    if (spec.path.find("[]") != std::string_view::npos) continue;  // inside a List row
    auto parts = splitPath(spec.path);
    parts.pop_back();
    std::size_t common = 0;
    while (common < open.size() && common < parts.size() && open[common] == parts[common]) {
      ++common;
    }
    for (; open.size() > common; open.pop_back())
      out << YAML::EndMap;
    for (; open.size() < parts.size(); open.push_back(parts[open.size()])) {
      out << YAML::Key << std::string(parts[open.size()]) << YAML::Value << YAML::BeginMap;
    }
    if (spec.type != SettingType::List) {
      emitSetting(out, spec, spec.field.read(config, 0));
      continue;
    }
    const auto count = static_cast<std::size_t>(spec.field.read(config, 0).integer);
    out << YAML::Key << std::string(spec.key()) << YAML::Value;
    if (count == 0) out << YAML::Flow;
    out << YAML::BeginSeq;
    const std::string itemPrefix = std::string(spec.path) + "[].";
    for (std::size_t i = 0; i < count; ++i) {
      out << YAML::BeginMap;
      for (const auto& item : table) {
        if (item.path.substr(0, itemPrefix.size()) == itemPrefix) {
          emitSetting(out, item, item.field.read(config, i));
        }
      }
      out << YAML::EndMap;
    }
    out << YAML::EndSeq;
  }
  for (; !open.empty(); open.pop_back())
    out << YAML::EndMap;
  out << YAML::EndMap;
  return std::string(out.c_str()) + "\n";
}

}  // namespace mfigw::gateway
