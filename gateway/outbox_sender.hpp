// OutboxSender: moves messages from the durable outbox onto the SMPP links and records what
// the SMSC says about them.
//
// Purpose:   claims due messages in batches no larger than the links' room (a window on
//            the wire and one queued per bind), checks opt-outs in the same transaction,
//            builds the submit_sm parts, and writes each outcome back through the group-commit
//            writer: part accepted (SMSC id), refused (permanent -> failed; transient -> retry
//            with doubling back-off), handed back (requeued). At start it puts back what a
//            crash left in `sending`: at-least-once, with duplicates bounded by the window:
//            claimed messages wait here and go to a link only while fewer than the links'
//            windows of parts have an SMSC answer that is not yet committed (a submit_sm_resp
//            frees its slot when its record is durable, not when it arrives).
// Threading: the loop thread; store work runs on the writer thread, completions come back
//            to the loop through the writer's post.
// Errors:    store refusals (map full) leave messages where they were and retry later; a text
//            the encoder cannot carry fails that message permanently with the reason.
// Ownership: borrows the stores, links and metrics; all must outlive stop().
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <unordered_map>
#include <vector>

#include <spdlog/logger.h>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "gateway/config.hpp"
#include "gateway/metrics.hpp"
#include "gateway/msisdn_mask.hpp"
#include "gateway/smsc_links.hpp"
#include "gateway/store_layout.hpp"
#include "store/outbox.hpp"

namespace mfigw::gateway {

// Local ids tell the links' submits apart: outbox id and part in the low byte. The top bit
// is left for other senders (USSD replies).
inline constexpr std::uint64_t outboxLocalId(std::uint64_t id, std::uint8_t part) {
  return (id << 8) | part;
}
inline constexpr bool isOutboxLocalId(std::uint64_t localId) {
  return (localId >> 63) == 0;
}

class OutboxSender final : public SubmitSink {
 public:
  OutboxSender(boost::asio::io_context& io, StoreLayout& stores, SmscLinks& links,
               const SmsConfig& config, Metrics& metrics, MsisdnMasker mask, spdlog::logger& log);

  // Recovers `sending` messages, then starts claiming.
  void start();
  // New work was committed: claim now rather than at the next poll.
  void wake();
  void stop();
  void setConfig(const SmsConfig& config) { config_ = config; }

  // SubmitSink
  void onSubmitAcked(LinkIndex link, std::uint64_t localId, const std::string& smscId) override;
  void onSubmitFailed(LinkIndex link, std::uint64_t localId, smpp::CommandStatus status,
                      bool permanent) override;
  void onRequeue(LinkIndex link, std::vector<smpp::OutgoingMessage> messages) override;
  void onRoom() override { wake(); }

  [[nodiscard]] std::size_t inFlight() const { return inFlight_.size(); }

 private:
  struct InFlight {
    std::uint8_t parts = 1;
    std::uint8_t answered = 0;
    std::uint32_t attempts = 0;
    bool failed = false;
  };

  void pump();
  void dispatch(std::vector<store::OutboxMessage> claimed);
  void feed();
  void partRecorded(std::size_t parts);
  std::size_t windowTotal() const;
  void send(const store::OutboxMessage& message, LinkIndex link);
  void armPoll(std::chrono::milliseconds after);
  void partAnswered(std::uint64_t id);
  std::int64_t retryAt(std::uint32_t attempts) const;
  static std::int64_t nowSeconds();

  boost::asio::io_context& io_;
  StoreLayout& stores_;
  store::Outbox outbox_;
  SmscLinks& links_;
  SmsConfig config_;
  Metrics& metrics_;
  MsisdnMasker mask_;
  spdlog::logger& log_;
  boost::asio::steady_timer poll_;
  std::unordered_map<std::uint64_t, InFlight> inFlight_;  // by outbox id
  std::deque<store::OutboxMessage> held_;                 // claimed, not yet handed to a link
  std::size_t unrecorded_ = 0;  // parts on a link whose answer is not committed yet
  bool claiming_ = false;
  bool again_ = false;  // woken while a claim was running
  bool started_ = false;
  bool stopped_ = false;
};

}  // namespace mfigw::gateway
