// mfi-smsc-sim: a stand-alone SMSC simulator for demos and manual tests.
//
//   mfi-smsc-sim --listen 127.0.0.1:2775 --account id:password [--account ...]
//                [--receipt-delay-ms N] [--receipt-outcome DELIVRD|UNDELIV|EXPIRED|REJECTD]
//                [--throttle-tps N] [--hex-ids] [--enquire-link-s N]
//                [--tls-cert FILE.pem --tls-key FILE.pem]
//                [--ussd-dialect smpp34|user_message_reference]
//
// Runs until SIGINT/SIGTERM, prints one line per bind/unbind/close and a counter summary on
// exit. Passwords are never printed.
#include <pthread.h>

#include <csignal>
#include <cstdlib>
#include <exception>
#include <iostream>
#include <optional>
#include <string>
#include <string_view>

#include "smpp/sim/sim_server.hpp"

namespace {

using namespace mfigw::smpp;
using namespace mfigw::smpp::sim;

[[noreturn]] void usage(const std::string& error) {
  if (!error.empty()) std::cerr << "mfi-smsc-sim: " << error << "\n";
  std::cerr << "usage: mfi-smsc-sim --listen HOST:PORT --account ID:PASSWORD [--account ...]\n"
               "         [--receipt-delay-ms N] [--receipt-outcome DELIVRD|UNDELIV|EXPIRED|"
               "REJECTD]\n"
               "         [--throttle-tps N] [--hex-ids] [--enquire-link-s N]\n"
               "         [--tls-cert FILE.pem --tls-key FILE.pem]   (SMPP over TLS)\n"
               "         [--ussd-dialect smpp34|user_message_reference]   (where USSD "
               "dialogs carry their id)\n";
  std::exit(error.empty() ? 0 : 2);
}

long number(std::string_view flag, const std::string& value) {
  try {
    std::size_t used = 0;
    const long v = std::stol(value, &used);
    if (used == value.size() && v >= 0) return v;
  } catch (const std::exception&) {
  }
  usage(std::string(flag) + ": not a non-negative number");
}

}  // namespace

int main(int argc, char** argv) {
  SimulatorOptions options;
  std::string host = "127.0.0.1";
  long port = 2775;
  SimTls tls;
  for (int i = 1; i < argc; ++i) {
    const std::string_view flag = argv[i];
    if (flag == "--help" || flag == "-h") usage("");
    if (flag == "--hex-ids") {
      options.messageIdFormat = MessageIdFormat::Hex;
      continue;
    }
    if (i + 1 >= argc) usage(std::string(flag) + " needs a value");
    const std::string value = argv[++i];
    if (flag == "--listen") {
      const auto colon = value.rfind(':');
      if (colon == std::string::npos) usage("--listen: expected HOST:PORT");
      host = value.substr(0, colon);
      port = number(flag, value.substr(colon + 1));
      if (port > 65535) usage("--listen: port out of range");
    } else if (flag == "--account") {
      const auto colon = value.find(':');
      if (colon == std::string::npos || colon == 0) usage("--account: expected ID:PASSWORD");
      options.accounts.push_back({value.substr(0, colon), value.substr(colon + 1)});
    } else if (flag == "--receipt-delay-ms") {
      options.receiptDelay = std::chrono::milliseconds(number(flag, value));
    } else if (flag == "--receipt-outcome") {
      const auto state = stateFromStat(value);
      if (!state || !isFinal(*state))
        usage("--receipt-outcome: DELIVRD, UNDELIV, EXPIRED, REJECTD");
      options.receiptOutcome = *state;
    } else if (flag == "--throttle-tps") {
      options.throttleTps = static_cast<double>(number(flag, value));
    } else if (flag == "--enquire-link-s") {
      options.enquireLinkInterval = std::chrono::seconds(number(flag, value));
    } else if (flag == "--ussd-dialect") {
      const auto dialect = ussdDialectNamed(value);
      if (!dialect) usage("--ussd-dialect: smpp34 or user_message_reference");
      options.ussd = *dialect;
    } else if (flag == "--tls-cert") {
      tls.certFile = value;
    } else if (flag == "--tls-key") {
      tls.keyFile = value;
    } else {
      usage("unknown option " + std::string(flag));
    }
  }
  if (options.accounts.empty()) usage("at least one --account is needed");
  if (tls.certFile.empty() != tls.keyFile.empty()) usage("--tls-cert and --tls-key go together");

  options.onLinkEvent = [](const LinkEvent& e) {
    std::cout << "conn=" << e.connection << " " << toString(e.kind) << " system_id=" << e.systemId;
    if (e.bindKind) std::cout << " bind=" << toString(*e.bindKind);
    if (e.kind == LinkEvent::Kind::BindRejected) std::cout << " status=" << toString(e.status);
    std::cout << std::endl;
  };

  // Block the signals before the io thread starts, so only sigwait() below sees them.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  try {
    std::optional<SimTls> useTls;
    if (!tls.certFile.empty()) useTls = tls;
    SimServer server(options, host, static_cast<std::uint16_t>(port), useTls);
    std::cout << "mfi-smsc-sim listening on " << host << ":" << server.port()
              << (useTls ? " (TLS)" : "") << std::endl;
    server.start();
    int received = 0;
    sigwait(&signals, &received);
    const Counters c = server.counters();
    server.stop();
    std::cout << "binds=" << c.binds << " bind_rejections=" << c.bindRejections
              << " unbinds=" << c.unbinds << " submits=" << c.submits;
    for (const auto& [status, n] : c.submitRespsByStatus) {
      std::cout << " resp_" << toString(status) << "=" << n;
    }
    std::cout << " receipts_sent=" << c.receiptsSent << " receipts_acked=" << c.receiptsAcked
              << " receipts_undeliverable=" << c.receiptsUndeliverable << " mo_sent=" << c.moSent
              << " mo_acked=" << c.moAcked << " deliver_resp_errors=" << c.deliverRespErrors
              << std::endl;
  } catch (const std::exception& e) {
    std::cerr << "mfi-smsc-sim: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
