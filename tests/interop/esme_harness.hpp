// tests/interop/esme_harness.hpp: our ESME (EsmeLink) against tests/interop/smsc.js, the
// node-smpp SMSC, and the bookkeeping that matches receipts to messages.
//
// Purpose:   NodeSmsc starts smsc.js on a free loopback port and reads its summary; EsmeRun
//            drives one EsmeLink on the test thread with bounded waits; RecordingHandler keeps
//            every acknowledgement and receipt; matchReceipts() pairs receipts with messages
//            through messageIdsMatch() and folds them with MessageDeliveryTracker.
// Threading: the test thread only (the io_context runs inside runUntil()).
// Errors:    a node side that cannot start throws std::runtime_error with its output.
// Ownership: NodeSmsc owns the node process; EsmeRun owns the io_context, handler and link.
#pragma once

#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "smpp/delivery_receipt.hpp"
#include "smpp/esme_link.hpp"
#include "tests/interop/node_child.hpp"

namespace mfigw::interop {

using namespace std::chrono_literals;

inline const std::filesystem::path kInteropDir = MFIGW_INTEROP_DIR;

// smsc.js on 127.0.0.1, any free port.
class NodeSmsc {
 public:
  NodeSmsc(std::string systemId, std::string password, std::vector<std::string> extraArgs = {})
      : child_(kInteropDir, "smsc.js", args(std::move(systemId), std::move(password), extraArgs)) {
    const auto line = child_.waitForLine("listening ", 20s);
    if (!line) throw std::runtime_error("smsc.js did not start:\n" + child_.output());
    port_ = static_cast<std::uint16_t>(std::stoi(line->substr(10)));
  }

  std::uint16_t port() const { return port_; }
  NodeChild& child() { return child_; }
  // Lines of smsc.js that contain `word` (bound, bind_rejected, dropped, closed, ...).
  std::size_t linesWith(const std::string& word) const {
    const auto all = child_.lines();
    return static_cast<std::size_t>(std::count_if(all.begin(), all.end(), [&](const auto& l) {
      return l.find(" " + word) != std::string::npos;
    }));
  }
  // Closes smsc.js's stdin (it prints its counters and exits) and returns the counters.
  nlohmann::json summary() {
    child_.closeStdin();
    const auto line = child_.waitForLine("summary ", 10s);
    if (!line) throw std::runtime_error("smsc.js printed no summary:\n" + child_.output());
    return nlohmann::json::parse(line->substr(8));
  }

 private:
  static std::vector<std::string> args(std::string systemId, std::string password,
                                       const std::vector<std::string>& extra) {
    std::vector<std::string> out = {"0", std::move(systemId), std::move(password)};
    out.insert(out.end(), extra.begin(), extra.end());
    return out;
  }

  NodeChild child_;
  std::uint16_t port_ = 0;
};

// Records what the link reports; answers every deliver_sm at once (nothing to commit here).
class RecordingHandler final : public smpp::LinkHandler {
 public:
  std::shared_ptr<smpp::EsmeLink> link;
  std::vector<std::pair<std::uint64_t, std::string>> acks;  // every ack, duplicates included
  std::set<std::uint64_t> ackedIds;
  std::size_t failures = 0;
  std::vector<smpp::DeliveryReceipt> receipts;
  std::size_t binds = 0;
  std::size_t requeued = 0;
  std::optional<std::pair<smpp::CommandStatus, bool>> bindRejected;

  void onDeliver(std::variant<smpp::DeliverSm, smpp::DataSm> pdu) override {
    const auto& deliver = std::get<smpp::DeliverSm>(pdu);
    if ((deliver.esmClass & 0x04) != 0) {
      smpp::ReceiptTlvs tlvs;
      tlvs.receiptedMessageId = deliver.tlvs.receiptedMessageId();
      tlvs.messageState = deliver.tlvs.messageState();
      if (auto receipt = smpp::parseReceipt(deliver.shortMessage, tlvs)) {
        receipts.push_back(*receipt);
      }
    }
    link->acknowledge(deliver.sequenceNumber, smpp::CommandStatus::Ok);
  }
  void onSubmitAcked(std::uint64_t localId, const std::string& smscMessageId) override {
    acks.emplace_back(localId, smscMessageId);
    ackedIds.insert(localId);
  }
  void onSubmitFailed(std::uint64_t, smpp::CommandStatus, bool) override { ++failures; }
  void onRequeue(std::vector<smpp::OutgoingMessage> messages) override {
    requeued += messages.size();
  }
  void onStateChanged(smpp::SessionState, smpp::SessionState to) override {
    if (to == smpp::SessionState::Bound) ++binds;
  }
  void onBindRejected(smpp::CommandStatus status, bool credentials) override {
    bindRejected = {status, credentials};
  }
  void onEvent(smpp::EventKind, const std::string&) override {}
};

// Receipts paired with the messages they report on.
struct ReceiptMatch {
  std::map<std::uint64_t, smpp::MessageDeliveryTracker> trackers;  // localId -> state
  std::size_t matchedReceipts = 0;
  std::set<std::string> unmatchedIds;  // receipt ids no acknowledgement carried
  std::size_t delivered() const {
    return static_cast<std::size_t>(std::count_if(trackers.begin(), trackers.end(), [](auto& t) {
      return t.second.aggregate() == smpp::AggregateState::Delivered;
    }));
  }
};

// Looks each receipt up by the canonical form of the acknowledged id (normalised the way the
// link is configured) and confirms the pair with messageIdsMatch(). A message acknowledged
// twice (resent after a drop) has two ids; a receipt for either one counts for it.
inline ReceiptMatch matchReceipts(const RecordingHandler& h, smpp::IdFormat format) {
  std::map<std::string, std::pair<std::uint64_t, std::string>> byId;
  for (const auto& [localId, smscId] : h.acks) {
    byId[smpp::canonicalMessageId(smpp::normalizeMessageId(smscId, format))] = {localId, smscId};
  }
  ReceiptMatch out;
  for (const smpp::DeliveryReceipt& r : h.receipts) {
    const auto it = byId.find(smpp::canonicalMessageId(r.messageId));
    if (it == byId.end() || !smpp::messageIdsMatch(it->second.second, r.messageId, format)) {
      out.unmatchedIds.insert(r.messageId);
      continue;
    }
    ++out.matchedReceipts;
    out.trackers.try_emplace(it->second.first, 1).first->second.record(0, r.state);
  }
  return out;
}

inline smpp::SubmitSm textMessage(std::uint64_t i) {
  smpp::SubmitSm pdu;
  pdu.source = {5, 0, "MFI"};
  pdu.destination = {1, 1, "2547123" + std::to_string(10000 + i)};
  pdu.registeredDelivery = 1;
  pdu.shortMessage = "Reminder " + std::to_string(i);
  return pdu;
}

// One EsmeLink on the test thread, bound to a NodeSmsc.
struct EsmeRun {
  boost::asio::io_context io;
  RecordingHandler handler;
  NodeSmsc& smsc;
  std::size_t maxInFlight = 0;  // sampled between loop turns

  EsmeRun(NodeSmsc& node, const std::string& password, std::uint32_t window = 10,
          std::chrono::milliseconds enquireLinkInterval = 30s)
      : smsc(node) {
    smpp::SessionOptions session;
    session.enquireLinkInterval = enquireLinkInterval;
    session.systemId = "mfi";
    session.password = password;
    session.window = window;
    session.tps = 100000;
    session.reconnectMin = 20ms;
    session.reconnectMax = 200ms;
    session.responseTimeout = 5s;
    handler.link = smpp::EsmeLink::create(io, {"127.0.0.1", smsc.port()}, session, handler);
  }

  // Runs the loop until `done` holds, the deadline passes or smsc.js dies (bounded).
  bool runUntil(const std::function<bool()>& done, std::chrono::seconds limit = 60s) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (!done() && std::chrono::steady_clock::now() < deadline && smsc.child().running()) {
      io.run_for(10ms);
      io.restart();
      maxInFlight = std::max(maxInFlight, handler.link->inFlight());
    }
    return done();
  }
  // Runs the loop for a fixed while (to watch that something does NOT happen).
  void runFor(std::chrono::milliseconds span) {
    // The timer keeps the loop running for the whole span even when the link has nothing
    // armed (run_for returns as soon as the io_context runs out of work).
    boost::asio::steady_timer watch(io, span);
    watch.async_wait([](const boost::system::error_code&) {});
    io.run_for(span + 100ms);
    io.restart();
  }
  // Unbinds and waits for Idle.
  bool stop() {
    handler.link->stop();
    return runUntil([&] { return handler.link->state() == smpp::SessionState::Idle; }, 10s);
  }
};

}  // namespace mfigw::interop
