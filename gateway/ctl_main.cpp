// mfi-gatewayctl: the operator's command-line tool, a client of the daemon's admin API.
//
// Usage: mfi-gatewayctl [--admin HOST:PORT] [--token-file FILE] [--timeout SECONDS]
//                       [--wait SECONDS] [--json] COMMAND [ARGS...]
// Exit codes (scripts and the demo depend on them): 0 success / ready, 1 the daemon answered
// but is not ready, 2 any error (cannot connect, token refused, bad usage, bad answer).
// New commands (queue, send, dial, import, sync ...) are one function plus one row in
// kCommands; they share option parsing, the token and the AdminClient.
#include <array>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <iostream>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "gateway/admin_client.hpp"
#include "gateway/admin_routes.hpp"
#include "gateway/secret.hpp"

namespace {

using mfigw::gateway::AdminClient;
using mfigw::gateway::AdminClientError;
using mfigw::gateway::AdminReply;
using mfigw::gateway::AdminStatus;
using mfigw::gateway::HostPort;
using mfigw::gateway::Secret;

constexpr int kExitOk = 0;
constexpr int kExitNotReady = 1;
constexpr int kExitError = 2;

constexpr std::string_view kDefaultAdmin = "127.0.0.1:8470";
constexpr std::string_view kDefaultTokenFile = "/var/lib/mfi-gateway/admin.token";
constexpr std::string_view kTokenFileEnv = "MFIGW_TOKEN_FILE";
constexpr std::chrono::milliseconds kPollInterval{250};

// Usage mistakes and failures the operator must see; main() prints "error: <what>".
class CtlError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct CtlOptions {
  std::string admin{kDefaultAdmin};
  std::string tokenFile;  // empty: $MFIGW_TOKEN_FILE, else kDefaultTokenFile
  std::chrono::milliseconds timeout = AdminClient::kDefaultTimeout;
  std::optional<std::chrono::milliseconds> wait;
  bool json = false;
  bool help = false;
  std::string msisdn = "+254712345678";  // dial and sms: the simulated phone
  bool dryRun = false;                   // import
  std::string kind;                      // import: clients, loans, groups, payment_points, areas
  std::string command;
  std::vector<std::string> args;
};

class Ctl {
 public:
  explicit Ctl(CtlOptions options) : options_(std::move(options)) {
    const auto endpoint = mfigw::gateway::parseHostPort(options_.admin);
    if (!endpoint || endpoint->port == 0) {
      throw CtlError(fmt::format("--admin expects HOST:PORT, got \"{}\"", options_.admin));
    }
    endpoint_ = *endpoint;
  }

  [[nodiscard]] const CtlOptions& options() const { return options_; }
  [[nodiscard]] std::string where() const {
    return mfigw::gateway::formatHostPort(endpoint_.host, endpoint_.port);
  }

  // For /healthz and /readyz, which need no token (and must work before one exists).
  [[nodiscard]] AdminClient anonymousClient() const {
    return AdminClient(endpoint_.host, endpoint_.port, Secret{}, options_.timeout);
  }
  [[nodiscard]] AdminClient client() const {
    return AdminClient(endpoint_.host, endpoint_.port, readToken(), options_.timeout);
  }

  // Turns the statuses every authenticated command treats alike into errors.
  static void checkReply(const AdminReply& reply, std::string_view what) {
    if (reply.status == 401) {
      throw CtlError("the daemon refused the admin token (401); check --token-file");
    }
    if (reply.status < 200 || reply.status >= 300) {
      std::string message;
      try {
        message = nlohmann::json::parse(reply.body).at("error").at("message").get<std::string>();
      } catch (const std::exception&) {
        message = reply.body.substr(0, 200);
      }
      throw CtlError(fmt::format("{} failed with HTTP {}: {}", what, reply.status, message));
    }
  }

 private:
  [[nodiscard]] std::string tokenFile() const {
    if (!options_.tokenFile.empty()) {
      return options_.tokenFile;
    }
    const char* env = std::getenv(std::string(kTokenFileEnv).c_str());
    return env != nullptr && *env != '\0' ? std::string(env) : std::string(kDefaultTokenFile);
  }

  [[nodiscard]] Secret readToken() const {
    const std::string path = tokenFile();
    std::FILE* file = std::fopen(path.c_str(), "re");
    if (file == nullptr) {
      throw CtlError(fmt::format("cannot read token file {}: {}", path, std::strerror(errno)));
    }
    std::string token;
    std::array<char, 256> chunk{};
    std::size_t n = 0;
    while ((n = std::fread(chunk.data(), 1, chunk.size(), file)) > 0 && token.size() < 4096) {
      token.append(chunk.data(), n);
    }
    std::fclose(file);
    // Editors and `echo` leave a newline; it is never part of the token.
    while (!token.empty() && (token.back() == '\n' || token.back() == '\r' || token.back() == ' ' ||
                              token.back() == '\t')) {
      token.pop_back();
    }
    if (token.empty()) {
      throw CtlError(fmt::format("token file {} is empty", path));
    }
    return Secret(std::move(token));
  }

  CtlOptions options_;
  HostPort endpoint_;
};

std::chrono::milliseconds parseSeconds(std::string_view option, const std::string& value) {
  try {
    std::size_t used = 0;
    const double seconds = std::stod(value, &used);
    if (used == value.size() && seconds >= 0 && seconds <= 86400) {
      return std::chrono::milliseconds(static_cast<std::int64_t>(seconds * 1000));
    }
  } catch (const std::exception&) {
  }
  throw CtlError(fmt::format("{} expects seconds (0..86400), got \"{}\"", option, value));
}

// --wait: poll /readyz until it says 200 or the time is up. Unreachable counts as "not yet"
// because the demo starts the daemon and this tool together.
int waitUntilReady(const Ctl& ctl, std::chrono::milliseconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  std::string lastError;
  bool reachable = false;
  for (;;) {
    try {
      const AdminReply reply = ctl.anonymousClient().get("/readyz");
      reachable = true;
      lastError.clear();
      if (reply.status == 200) {
        return kExitOk;
      }
      if (reply.status != 503) {
        lastError = fmt::format("/readyz answered HTTP {}", reply.status);
      }
    } catch (const AdminClientError& e) {
      lastError = e.what();
    }
    if (std::chrono::steady_clock::now() + kPollInterval > deadline) {
      break;
    }
    std::this_thread::sleep_for(kPollInterval);
  }
  const auto seconds = std::chrono::duration<double>(limit).count();
  if (!lastError.empty()) {
    std::cerr << fmt::format("error: not ready after {:g}s: {}\n", seconds, lastError);
    return kExitError;
  }
  std::cerr << fmt::format("not ready after {:g}s{}\n", seconds,
                           reachable ? " (the daemon answers but is not ready)" : "");
  return kExitNotReady;
}

std::string formatBytes(std::uint64_t bytes) {
  constexpr std::array<std::string_view, 5> kUnits = {"B", "KiB", "MiB", "GiB", "TiB"};
  auto value = static_cast<double>(bytes);
  std::size_t unit = 0;
  while (value >= 1024 && unit + 1 < kUnits.size()) {
    value /= 1024;
    ++unit;
  }
  return unit == 0 ? fmt::format("{} B", bytes) : fmt::format("{:.1f} {}", value, kUnits[unit]);
}

std::string formatDuration(std::int64_t seconds) {
  const std::int64_t days = seconds / 86400;
  const std::int64_t h = seconds % 86400 / 3600;
  const std::int64_t m = seconds % 3600 / 60;
  const std::int64_t s = seconds % 60;
  return days > 0 ? fmt::format("{}d {:02}:{:02}:{:02}", days, h, m, s)
                  : fmt::format("{:02}:{:02}:{:02}", h, m, s);
}

void printStatus(const Ctl& ctl, const AdminStatus& status) {
  std::cout << fmt::format("mfi-gatewayd {} at {}: {}\n", status.version, ctl.where(),
                           status.ready ? "ready" : "NOT READY");
  std::cout << fmt::format("  uptime  {}\n", formatDuration(status.uptimeSeconds));
  for (const auto& store : status.stores) {
    std::cout << fmt::format("  store   {}: {} used of {} map\n", store.env,
                             formatBytes(store.usedBytes), formatBytes(store.mapSizeBytes));
  }
  if (status.links.empty()) {
    std::cout << "  links   none configured\n";
  }
  for (const auto& link : status.links) {
    std::cout << fmt::format("  link    {}: {}{}\n", link.name, link.up ? "up" : "DOWN",
                             link.state.empty() ? "" : fmt::format(" ({})", link.state));
  }
}

// ---- commands ----

void expectNoArgs(const Ctl& ctl) {
  if (!ctl.options().args.empty()) {
    throw CtlError(fmt::format("{}: unexpected argument \"{}\"", ctl.options().command,
                               ctl.options().args.front()));
  }
}

int cmdStatus(const Ctl& ctl) {
  expectNoArgs(ctl);
  if (ctl.options().wait) {
    if (const int rc = waitUntilReady(ctl, *ctl.options().wait); rc == kExitError) {
      return rc;
    }
  }
  const AdminReply reply = ctl.client().get("/api/v1/status");
  Ctl::checkReply(reply, "status");
  AdminStatus status;
  try {
    status = mfigw::gateway::adminStatusFromJson(nlohmann::json::parse(reply.body));
  } catch (const nlohmann::json::exception& e) {
    throw CtlError(fmt::format("unexpected status answer from {}: {}", ctl.where(), e.what()));
  }
  if (ctl.options().json) {
    std::cout << reply.body;
    if (!reply.body.ends_with('\n')) {
      std::cout << '\n';
    }
  } else {
    printStatus(ctl, status);
  }
  return status.ready ? kExitOk : kExitNotReady;
}

int cmdReady(const Ctl& ctl) {
  expectNoArgs(ctl);
  if (ctl.options().wait) {
    const int rc = waitUntilReady(ctl, *ctl.options().wait);
    if (rc == kExitOk) {
      std::cout << "ready\n";
    }
    return rc;
  }
  const AdminReply reply = ctl.anonymousClient().get("/readyz");
  if (reply.status == 200) {
    std::cout << "ready\n";
    return kExitOk;
  }
  if (reply.status == 503) {
    std::cout << "not ready\n";
    return kExitNotReady;
  }
  throw CtlError(fmt::format("/readyz answered HTTP {}", reply.status));
}

// The simulated phone: dials through the daemon's built-in simulator and shows each page
// as a feature phone would, with what it costs on the air. Inputs come from the terminal
// (or any stdin: `printf '1\n' | mfi-gatewayctl dial '*123#'`).
int cmdDial(const Ctl& ctl) {
  if (ctl.options().args.size() != 1)
    throw CtlError("usage: dial CODE [--msisdn N], e.g. dial '*123#'");
  AdminClient client = ctl.client();
  nlohmann::json request = {{"msisdn", ctl.options().msisdn}, {"input", ctl.options().args[0]}};
  std::cout << fmt::format("dialling {} from {}\n", ctl.options().args[0], ctl.options().msisdn);
  for (;;) {
    const AdminReply reply = client.post("/api/v1/simulator/ussd", request.dump());
    Ctl::checkReply(reply, "dial");
    const nlohmann::json page = nlohmann::json::parse(reply.body);
    const std::string encoding = page.at("encoding").get<std::string>();
    const std::size_t budget = encoding == "Gsm7" ? 182 : 80;
    std::cout << "+--------------------------------------\n";
    std::string text = page.at("text").get<std::string>();
    for (std::size_t start = 0; start <= text.size();) {
      const std::size_t end = text.find('\n', start);
      std::cout << "| " << text.substr(start, end - start) << '\n';
      if (end == std::string::npos) break;
      start = end + 1;
    }
    std::cout << fmt::format("+-- {}/{} {}{}\n", page.at("units").get<std::size_t>(), budget,
                             encoding, page.at("continues").get<bool>() ? "" : ", end of session");
    if (!page.at("continues").get<bool>()) return kExitOk;
    std::cout << "> " << std::flush;
    std::string input;
    if (!std::getline(std::cin, input)) {
      std::cout << "\n(hung up)\n";
      return kExitOk;
    }
    request = {{"msisdn", ctl.options().msisdn},
               {"input", input},
               {"session", page.at("session").get<std::string>()}};
  }
}

int cmdSms(const Ctl& ctl) {
  if (ctl.options().args.empty()) throw CtlError("usage: sms TEXT... [--msisdn N], e.g. sms STOP");
  std::string text;
  for (const auto& word : ctl.options().args)
    text += (text.empty() ? "" : " ") + word;
  const AdminReply reply =
      ctl.client().post("/api/v1/simulator/sms",
                        nlohmann::json{{"msisdn", ctl.options().msisdn}, {"text", text}}.dump());
  Ctl::checkReply(reply, "sms");
  std::cout << fmt::format("sent \"{}\" from {} to the gateway\n", text, ctl.options().msisdn);
  return kExitOk;
}

int cmdSend(const Ctl& ctl) {
  const auto& args = ctl.options().args;
  if (args.size() < 2) throw CtlError("usage: send NUMBER TEXT...");
  std::string text;
  for (std::size_t i = 1; i < args.size(); ++i)
    text += (i > 1 ? " " : "") + args[i];
  const AdminReply reply =
      ctl.client().post("/api/v1/messages", nlohmann::json{{"to", args[0]}, {"text", text}}.dump());
  Ctl::checkReply(reply, "send");
  if (ctl.options().json) {
    std::cout << reply.body << '\n';
    return kExitOk;
  }
  const auto answer = nlohmann::json::parse(reply.body);
  std::cout << fmt::format("queued id={} parts={} encoding={}\n",
                           answer.at("id").get<std::uint64_t>(), answer.at("parts").get<int>(),
                           answer.at("encoding").get<std::string>());
  return kExitOk;
}

int cmdQueue(const Ctl& ctl) {
  const auto& args = ctl.options().args;
  AdminClient client = ctl.client();
  if (args.empty()) {
    const AdminReply reply = client.get("/api/v1/queue");
    Ctl::checkReply(reply, "queue");
    if (ctl.options().json) {
      std::cout << reply.body << '\n';
      return kExitOk;
    }
    const nlohmann::json answer = nlohmann::json::parse(reply.body);  // outlives the loop
    for (const auto& [state, count] : answer.at("states").items())
      std::cout << fmt::format("{:<10} {}\n", state, count.get<std::uint64_t>());
    return kExitOk;
  }
  if (args.size() != 2 || (args[0] != "show" && args[0] != "retry" && args[0] != "cancel"))
    throw CtlError("usage: queue [show ID | retry ID | cancel ID]");
  const AdminReply reply = args[0] == "show"
                               ? client.get("/api/v1/messages/" + args[1])
                               : client.post("/api/v1/messages/" + args[1] + "/" + args[0], "");
  Ctl::checkReply(reply, "queue " + args[0]);
  std::cout << nlohmann::json::parse(reply.body).dump(2) << '\n';
  return kExitOk;
}

// A spreadsheet into the loan book: the kind from --kind or the file name (loans.csv ->
// loans). All rows or none; every bad cell is printed as FILE:ROW:COL: column: message.
int cmdImport(const Ctl& ctl) {
  const auto& args = ctl.options().args;
  if (args.empty()) throw CtlError("usage: import FILE.csv... [--kind K] [--dry-run]");
  AdminClient client = ctl.client();
  int status = kExitOk;
  for (const std::string& path : args) {
    std::FILE* file = std::fopen(path.c_str(), "rb");
    if (file == nullptr)
      throw CtlError(fmt::format("cannot read {}: {}", path, std::strerror(errno)));
    std::string body;
    char buffer[65536];
    for (std::size_t n; (n = std::fread(buffer, 1, sizeof buffer, file)) > 0;)
      body.append(buffer, n);
    std::fclose(file);
    const std::string name = path.substr(path.find_last_of('/') + 1);
    std::string kind = ctl.options().kind;
    if (kind.empty()) kind = name.substr(0, name.find('.'));
    const std::string target = fmt::format("/api/v1/import/{}?name={}{}", kind, name,
                                           ctl.options().dryRun ? "&dry_run=1" : "");
    const AdminReply reply = client.request("POST", target, std::move(body), "text/csv");
    if (reply.status == 422) {
      const auto answer = nlohmann::json::parse(reply.body);
      for (const auto& error : answer.at("errors"))
        std::cerr << error.at("text").get<std::string>() << '\n';
      std::cerr << fmt::format("{}: {} error(s), nothing imported\n", path,
                               answer.at("error_count").get<std::size_t>());
      status = kExitError;
      continue;
    }
    Ctl::checkReply(reply, "import " + path);
    const auto answer = nlohmann::json::parse(reply.body);
    std::cout << fmt::format(
        "{}: {} {} rows: {} new, {} updated, {} unchanged{}\n", path,
        answer.at("rows").get<std::size_t>(), kind, answer.at("new").get<std::size_t>(),
        answer.at("updated").get<std::size_t>(), answer.at("unchanged").get<std::size_t>(),
        ctl.options().dryRun ? " (dry run: nothing written)" : "");
  }
  return status;
}

// The loan-book sync with upstream: where it stands (lag, last failure, bytes, records,
// events), or start a window now instead of waiting for the next one.
int cmdSync(const Ctl& ctl) {
  const auto& args = ctl.options().args;
  const std::string what = args.empty() ? "status" : args[0];
  if (args.size() > 1 || (what != "status" && what != "now"))
    throw CtlError("usage: sync [status | now]");
  AdminClient client = ctl.client();
  if (what == "now") {
    const AdminReply reply = client.post("/api/v1/sync/now", "");
    Ctl::checkReply(reply, "sync now");
    std::cout << "sync window started\n";
    return kExitOk;
  }
  const AdminReply reply = client.get("/api/v1/sync");
  Ctl::checkReply(reply, "sync status");
  if (ctl.options().json) {
    std::cout << reply.body << '\n';
    return kExitOk;
  }
  const nlohmann::json s = nlohmann::json::parse(reply.body);
  const auto count = [&s](const char* group, const char* key) {
    return s.at(group).at(key).get<std::uint64_t>();
  };
  std::cout << fmt::format("state        {}\n", s.at("state").get<std::string>())
            << fmt::format("lag          {} s since the last successful window\n",
                           s.at("lag_seconds").get<std::int64_t>())
            << fmt::format("windows      {} ok, {} failed ({} failures in a row)\n",
                           count("windows", "ok"), count("windows", "failed"),
                           s.at("consecutive_failures").get<std::uint64_t>())
            << fmt::format("bytes        {} in, {} out\n", count("bytes", "in"),
                           count("bytes", "out"))
            << fmt::format("records      {} upserted, {} deleted, {} invalid\n",
                           count("records", "upserted"), count("records", "deleted"),
                           count("records", "invalid"))
            << fmt::format("events       {} pending, {} accepted, {} duplicate, {} rejected\n",
                           count("events", "pending"), count("events", "accepted"),
                           count("events", "duplicate"), count("events", "rejected"));
  const std::string error = s.at("last_failure").at("error").get<std::string>();
  if (!error.empty())
    std::cout << fmt::format("last failure {}: {}\n",
                             s.at("last_failure").at("kind").get<std::string>(), error);
  return kExitOk;
}

struct Command {
  std::string_view name;
  std::string_view usage;
  std::string_view summary;
  int (*run)(const Ctl&);
};

constexpr std::array kCommands = {
    Command{"status", "status [--json] [--wait SECONDS]",
            "show version, readiness, uptime, store use and SMPP links", cmdStatus},
    Command{"ready", "ready [--wait SECONDS]",
            "check readiness only (no token needed); with --wait, wait for it", cmdReady},
    Command{"send", "send NUMBER TEXT...", "queue an SMS (answers once it is stored)", cmdSend},
    Command{"queue", "queue [show|retry|cancel ID]", "outbox counts by state, or one message",
            cmdQueue},
    Command{"import", "import FILE.csv... [--kind K] [--dry-run]",
            "load clients, loans, groups, payment_points, areas from CSV (all rows or none)",
            cmdImport},
    Command{"sync", "sync [status|now]",
            "loan-book sync with upstream: lag, failures, bytes; or start a window now", cmdSync},
    Command{"dial", "dial CODE [--msisdn N]",
            "a phone in the terminal: USSD through the built-in simulator", cmdDial},
    Command{"sms", "sms TEXT... [--msisdn N]",
            "send an SMS from a phone through the built-in simulator (STOP, HELP...)", cmdSms},
};

void printHelp(std::ostream& out) {
  out << "usage: mfi-gatewayctl [OPTIONS] COMMAND [ARGS...]\n\n"
         "Talks to the admin API of a running mfi-gatewayd.\n\ncommands:\n";
  for (const Command& command : kCommands) {
    out << fmt::format("  {:<34} {}\n", command.usage, command.summary);
  }
  out << fmt::format(
      "\noptions:\n"
      "  --admin HOST:PORT       admin API address (default {})\n"
      "  --token-file FILE       admin token (default ${} or {})\n"
      "  --timeout SECONDS       per-request timeout (default {})\n"
      "  --wait SECONDS          first wait until the daemon is ready (polls /readyz)\n"
      "  --json                  print the raw JSON answer\n"
      "  --msisdn N              the simulated phone of dial and sms (default +254712345678)\n"
      "  -h, --help              this help\n\n"
      "exit status: 0 ok/ready, 1 reachable but not ready, 2 error\n",
      kDefaultAdmin, kTokenFileEnv, kDefaultTokenFile,
      std::chrono::duration_cast<std::chrono::seconds>(AdminClient::kDefaultTimeout).count());
}

CtlOptions parseArgs(int argc, char** argv) {
  CtlOptions options;
  std::vector<std::string> args(argv + 1, argv + argc);
  for (std::size_t i = 0; i < args.size(); ++i) {
    std::string arg = args[i];
    std::optional<std::string> inlineValue;
    if (arg.starts_with("--") && arg.find('=') != std::string::npos) {
      inlineValue = arg.substr(arg.find('=') + 1);
      arg = arg.substr(0, arg.find('='));
    }
    const auto value = [&]() -> std::string {
      if (inlineValue) {
        return *inlineValue;
      }
      if (i + 1 >= args.size()) {
        throw CtlError(fmt::format("{} needs a value", arg));
      }
      return args[++i];
    };
    if (arg == "-h" || arg == "--help") {
      options.help = true;
    } else if (arg == "--admin") {
      options.admin = value();
    } else if (arg == "--token-file") {
      options.tokenFile = value();
    } else if (arg == "--timeout") {
      options.timeout = parseSeconds(arg, value());
      if (options.timeout.count() == 0) {
        throw CtlError("--timeout must be more than 0");
      }
    } else if (arg == "--wait") {
      options.wait = parseSeconds(arg, value());
    } else if (arg == "--dry-run") {
      options.dryRun = true;
    } else if (arg == "--kind") {
      options.kind = value();
    } else if (arg == "--msisdn") {
      options.msisdn = value();
    } else if (arg == "--json") {
      options.json = true;
    } else if (arg.starts_with("-") && arg != "-") {
      throw CtlError(fmt::format("unknown option {} (see --help)", arg));
    } else if (options.command.empty()) {
      options.command = arg;
    } else {
      options.args.push_back(arg);
    }
  }
  return options;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    CtlOptions options = parseArgs(argc, argv);
    if (options.help || options.command == "help") {
      printHelp(std::cout);
      return kExitOk;
    }
    if (options.command.empty()) {
      printHelp(std::cerr);
      return kExitError;
    }
    for (const Command& command : kCommands) {
      if (command.name == options.command) {
        const Ctl ctl(std::move(options));
        return command.run(ctl);
      }
    }
    throw CtlError(fmt::format("unknown command \"{}\" (see --help)", options.command));
  } catch (const CtlError& e) {
    std::cerr << "error: " << e.what() << '\n';
  } catch (const AdminClientError& e) {
    std::cerr << "error: " << e.what() << '\n';
  } catch (const std::exception& e) {
    std::cerr << "error: " << e.what() << '\n';
  }
  return kExitError;
}
