// The daemon's SMPP binds: one EsmeLink per configured link (two for a transmitter +
// receiver pair), plus the built-in SMSC simulator when smpp.simulator is on.
//
// Purpose:   turns smpp.links[] into running links, reports their state (metrics, status,
//            logs with the link's name), and answers the sender's two questions: how many
//            more submits the bound links take now (room), and which link takes the next one
//            (pick). Deliveries go to an InboundSink, submit outcomes to a SubmitSink.
// Threading: the loop thread only (the links run on its io_context). The simulator, when on,
//            runs on a thread of its own and is reached over 127.0.0.1 like a real SMSC.
// Errors:    a bad TLS file throws StartupError-worthy std::runtime_error from the
//            constructor; everything later is a link event (logged, counted), never a throw.
// Ownership: owns the links and the simulator; sinks are borrowed and must outlive stop().
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <variant>
#include <vector>

#include <spdlog/logger.h>
#include <boost/asio/io_context.hpp>

#include "gateway/admin_routes.hpp"
#include "gateway/config.hpp"
#include "gateway/metrics.hpp"
#include "smpp/delivery_receipt.hpp"
#include "smpp/esme_link.hpp"
#include "smpp/submit_builder.hpp"

namespace mfigw::smpp::sim {
class SimServer;
}

namespace mfigw::gateway {

using LinkIndex = std::size_t;

// What the outbox sender hears back about its submits.
class SubmitSink {
 public:
  virtual ~SubmitSink() = default;
  virtual void onSubmitAcked(LinkIndex link, std::uint64_t localId,
                             const std::string& smscMessageId) = 0;
  virtual void onSubmitFailed(LinkIndex link, std::uint64_t localId, smpp::CommandStatus status,
                              bool permanent) = 0;
  virtual void onRequeue(LinkIndex link, std::vector<smpp::OutgoingMessage> messages) = 0;
  // A link became able to take submits: a good moment to claim more work.
  virtual void onRoom() = 0;
};

// Where MO messages and receipts go. Acknowledge through SmscLinks::acknowledge() once the
// deliver is committed.
class InboundSink {
 public:
  virtual ~InboundSink() = default;
  virtual void onDeliver(LinkIndex link, std::variant<smpp::DeliverSm, smpp::DataSm> pdu) = 0;
};

// One running link as the rest of the gateway sees it.
struct LinkInfo {
  std::string name;
  smpp::BindMode mode = smpp::BindMode::Transceiver;
  std::uint32_t window = 10;
  smpp::SubmitTemplate submit;  // addresses, split mode, encoding options for this link
  smpp::IdFormat receiptIds = smpp::IdFormat::AsIs;
  std::uint32_t tps = 10;  // the bind's submit rate limit
};

class SmscLinks {
 public:
  SmscLinks(boost::asio::io_context& io, const GatewayConfig& config, Metrics& metrics,
            spdlog::logger& log);
  ~SmscLinks();
  SmscLinks(const SmscLinks&) = delete;
  SmscLinks& operator=(const SmscLinks&) = delete;

  void setSinks(SubmitSink* submits, InboundSink* inbound);
  void start();
  // Unbinds every link; `done` runs on the loop when all are idle (or at once if none).
  void stop(std::function<void()> done);

  [[nodiscard]] std::size_t size() const { return links_.size(); }
  [[nodiscard]] const LinkInfo& info(LinkIndex link) const;
  // Submits the bound transmitting links take now: a window on the wire plus ~200 ms of
  // their TPS queued behind it (at least one more window).
  [[nodiscard]] std::size_t room() const;
  // The bound transmitting link with the most room, or nullopt when none is bound.
  [[nodiscard]] std::optional<LinkIndex> pick() const;
  void submit(LinkIndex link, smpp::OutgoingMessage message);
  void acknowledge(LinkIndex link, std::uint32_t sequenceNumber, smpp::CommandStatus status);

  [[nodiscard]] std::vector<LinkStatus> status() const;
  // The simulator's port when smpp.simulator is on (tools and tests reach it there).
  [[nodiscard]] std::optional<std::uint16_t> simulatorPort() const;
  [[nodiscard]] smpp::sim::SimServer* simulator() { return simulator_.get(); }

 private:
  class Handler;  // one per link: forwards LinkHandler calls with the link's index

  struct Link {
    LinkInfo info;
    std::unique_ptr<Handler> handler;
    std::shared_ptr<smpp::EsmeLink> esme;
  };

  void add(LinkInfo info, smpp::LinkEndpoint endpoint, smpp::SessionOptions options);
  void onStateChanged(LinkIndex link, smpp::SessionState from, smpp::SessionState to);
  void checkStopped();

  boost::asio::io_context& io_;
  Metrics& metrics_;
  spdlog::logger& log_;
  std::unique_ptr<smpp::sim::SimServer> simulator_;
  std::vector<Link> links_;
  SubmitSink* submits_ = nullptr;
  InboundSink* inbound_ = nullptr;
  std::function<void()> stopped_;
};

}  // namespace mfigw::gateway
