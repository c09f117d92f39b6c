// The daemon's effective configuration, as plain values.
//
// Purpose: what gateway.yaml says, after defaults, bounds and secret files are applied.
//   The one schema table in config_schema.cpp fills this struct; nothing else parses YAML
//   for configuration. Libraries never see this type: gateway/ copies what each needs into
//   that library's own Options struct.
// Ownership: plain values, copyable; a reload builds a new one and swaps it in.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "gateway/secret.hpp"

namespace mfigw::gateway {

using Duration = std::chrono::milliseconds;

struct LogConfig {
  std::string level = "info";  // default for every part
  // Per-part overrides; empty means "use level".
  std::string smpp;
  std::string store;
  std::string menus;
  std::string gateway;
  std::string http;
  bool maskMsisdn = true;
};

struct StoreConfig {
  std::string path = "/var/lib/mfi-gateway";
  std::uint64_t mapSize = 256ull << 20;        // initial map of the durable env
  std::uint64_t maxMapSize = 8ull << 30;       // growth stops here; then MDB_MAP_FULL
  std::uint64_t sessionMapSize = 64ull << 20;  // relaxed-sync env for USSD sessions
  Duration sessionSyncInterval{1000};          // how often the relaxed env is flushed
  std::uint32_t groupCommitMaxBatch = 1024;    // logical writes per transaction at most
};

struct AdminConfig {
  std::string listen = "127.0.0.1:8470";
  std::string tokenFile;  // empty: generated at <store.path>/admin.token on first start
  Secret token;           // read from tokenFile (or the generated file)
  std::uint64_t bodyLimit = 64ull << 10;
  Duration readTimeout{10000};
  std::uint32_t maxConnections = 64;
};

struct SmppLinkConfig {
  std::string name;
  std::string host;
  std::uint16_t port = 2775;
  std::string systemId;
  std::string passwordFile;
  Secret password;
  std::string systemType;
  std::string bindMode = "transceiver";  // transceiver | pair
  std::uint32_t window = 10;
  std::uint32_t tps = 10;
  Duration enquireLinkInterval{30000};
  Duration responseTimeout{10000};
  bool tls = false;
  std::string tlsCaFile;  // empty: the system's CA store
  bool tlsVerify = true;
  std::string tlsServerName;  // empty: host
  std::string tlsCertFile;
  std::string tlsKeyFile;
  std::string receiptIdFormat = "as_is";  // as_is | hex_to_decimal | decimal_to_hex
  std::string split = "udh8";             // udh8 | udh16 | sar | payload
  bool latin1 = false;                    // the SMSC takes data_coding 3
  std::string ussdDialect = "smpp34";     // a built-in or ussd.dialects[] name
};

struct SmppConfig {
  bool simulator = false;  // run the built-in SMSC simulator and bind to it
  std::vector<SmppLinkConfig> links;
};

struct SmsConfig {
  std::string source = "MFI";  // sender id shown on the phone
  std::uint32_t maxParts = 6;  // longer texts are refused
  bool transliterate = false;  // á -> a when that keeps a text in GSM-7
  Duration retryMin{30000};    // first retry after a transient failure (doubles)
  Duration retryMax{3600000};
  Duration keepFinal{7LL * 24 * 3600 * 1000};  // final outbox rows kept this long, then purged
};

struct MenusConfig {
  std::string dir = "/usr/share/mfi-gateway/menus";
  std::string serviceCode = "*123#";
};

struct PhoneConfig {
  std::string defaultRegion = "KE";  // ISO 3166-1 alpha-2, for numbers without a +
};

// How one operator's USSD centre speaks USSD over SMPP (reference/ussd.md 1.4). The
// built-in profiles (smpp34, user_message_reference) live in ussd_dialect.cpp; these are the
// operator's own, declared under ussd.dialects. The defaults are the SMPP 3.4 conventions.
struct UssdDialectConfig {
  std::string name;
  // ussd_service_op codes the network sends (0..255; a code belongs to one list only).
  std::vector<std::uint32_t> beginOps{1};      // PSSR indication: the phone dialled
  std::vector<std::uint32_t> continueOps{18};  // USSR confirm: the phone answered
  std::vector<std::uint32_t> endOps{};         // the network released the dialog
  std::vector<std::uint32_t> abortOps{0x81};   // the user or the network gave up
  // Codes we send: a page that expects an answer, and the last page.
  std::uint32_t replyContinueOp = 2;            // USSR request
  std::uint32_t replyEndOp = 17;                // PSSR response
  std::string sessionKey = "its_session_info";  // | user_message_reference | tlv | none
  std::uint32_t sessionTlv = 0;                 // the vendor TLV's tag, when session_key: tlv
  std::string serviceCode = "text";             // | destination_addr | tlv
  std::uint32_t serviceCodeTlv = 0;             // when service_code: tlv
  std::uint32_t cellTlv = 0;            // vendor TLV with the caller's cell (7-octet CGI); 0: none
  std::string replyWith = "submit_sm";  // | data_sm
  std::string dataCoding = "auto";      // | ucs2 | latin1
};

struct UssdConfig {
  Duration idleTimeout{60000};    // per screen
  Duration dialogCap{180000};     // whole dialog
  Duration resumeWindow{120000};  // a re-dial within this offers to continue
  std::string httpKeyFile;        // aggregator ingress key (path credential); empty: off
  Secret httpKey;
  std::uint32_t pinMaxTries = 3;  // wrong PINs in a row before the PIN locks
  Duration pinLockout{1800000};   // how long a locked PIN stays locked
  Duration stepDeadline{8000};    // a step still running then answers with a fallback page
  std::vector<UssdDialectConfig> dialects;
};

// The sync with the MFI's loan system (docs/upstream-protocol.md).
struct UpstreamConfig {
  bool enabled = false;
  std::string url;            // https://host[:port][/base]; required when enabled
  std::string auth = "none";  // none | bearer | basic
  std::string tokenFile;      // bearer
  Secret token;
  std::string username;  // basic
  std::string passwordFile;
  Secret password;
  Duration interval{900000};             // between successful sync windows
  Duration reconcileInterval{86400000};  // between count+hash comparisons
  Duration backoffMin{10000};            // first retry while upstream is unreachable
  Duration backoffMax{1800000};
  Duration timeout{30000};  // per step (connect, TLS, send, each silence while reading)
  std::uint32_t pageSize = 500;
  std::uint32_t pushBatch = 100;
  std::string tlsCaFile;  // empty: the system's CA store
  bool tlsVerify = true;
  std::string tlsServerName;  // empty: the URL's host
  std::string tlsCertFile;
  std::string tlsKeyFile;
  std::string adapter = "mfigw";  // mfigw | fineract
  std::string fineractTenant = "default";
  std::string fineractCreditRequest = "off";  // off | loan_application
  std::uint32_t fineractLoanProductId = 0;
  std::uint32_t fineractRescheduleReasonId = 0;
};

struct ShutdownConfig {
  Duration drainTimeout{10000};
};

struct GatewayConfig {
  LogConfig log;
  StoreConfig store;
  AdminConfig admin;
  SmppConfig smpp;
  SmsConfig sms;
  MenusConfig menus;
  UssdConfig ussd;
  PhoneConfig phone;
  UpstreamConfig upstream;
  ShutdownConfig shutdown;
};

}  // namespace mfigw::gateway
