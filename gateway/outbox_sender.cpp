#include "gateway/outbox_sender.hpp"

#include <algorithm>
#include <memory>

#include "smpp/delivery_receipt.hpp"
#include "smpp/submit_builder.hpp"

namespace mfigw::gateway {

namespace {

using namespace std::chrono_literals;

// Without a wake-up (an API send, a link coming up) the sender still looks this often, for
// messages whose not_before or retry time has come.
constexpr auto kPoll = 1000ms;

std::string textError(smpp::TextError error) {
  switch (error) {
    case smpp::TextError::InvalidUtf8:
      return "text is not valid UTF-8";
    case smpp::TextError::TooManyParts:
      return "text needs more than 255 SMS parts";
    case smpp::TextError::TooLong:
      return "text is longer than one message_payload (64 KiB)";
    default:
      return "text cannot be encoded";
  }
}

}  // namespace

OutboxSender::OutboxSender(boost::asio::io_context& io, StoreLayout& stores, SmscLinks& links,
                           const SmsConfig& config, Metrics& metrics, MsisdnMasker mask,
                           spdlog::logger& log)
    : io_(io),
      stores_(stores),
      outbox_(stores.outbox()),
      links_(links),
      config_(config),
      metrics_(metrics),
      mask_(mask),
      log_(log),
      poll_(io) {}

std::int64_t OutboxSender::nowSeconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::int64_t OutboxSender::retryAt(std::uint32_t attempts) const {
  auto delay = config_.retryMin;
  for (std::uint32_t i = 0; i < attempts && delay < config_.retryMax; ++i)
    delay *= 2;
  delay = std::min(delay, config_.retryMax);
  return nowSeconds() + std::chrono::duration_cast<std::chrono::seconds>(delay).count();
}

void OutboxSender::start() {
  const store::Outbox& outbox = outbox_;
  auto recovered = std::make_shared<std::size_t>(0);
  const std::int64_t now = nowSeconds();
  stores_.durableWriter().submit(
      [&outbox, recovered, now](store::WriteTxn& txn) { *recovered = outbox.recover(txn, now); },
      [this, recovered](std::error_code ec) {
        if (ec) {
          log_.error("outbox recovery not stored, retrying error={}", ec.message());
          armPoll(kPoll);
          return;
        }
        if (*recovered > 0)
          log_.warn(
              "outbox: {} message(s) were being sent when the daemon stopped; sending "
              "them again (the SMSC may see some twice)",
              *recovered);
        started_ = true;
        pump();
      });
}

void OutboxSender::wake() {
  if (!started_ || stopped_) return;
  if (claiming_) {
    again_ = true;
    return;
  }
  pump();
}

void OutboxSender::stop() {
  stopped_ = true;
  poll_.cancel();
}

void OutboxSender::armPoll(std::chrono::milliseconds after) {
  if (stopped_) return;
  poll_.expires_after(after);
  poll_.async_wait([this](const boost::system::error_code& ec) {
    if (ec) return;
    if (!started_) {
      start();
      return;
    }
    wake();
  });
}

void OutboxSender::pump() {
  if (claiming_ || stopped_) return;
  // Claimed messages still held here (not yet on a link) take their share of the room.
  const std::size_t linkRoom = links_.room();
  const std::size_t room = linkRoom > held_.size() ? linkRoom - held_.size() : 0;
  if (room == 0) {
    armPoll(kPoll);  // links down or full: a bind or an answer wakes us sooner
    return;
  }
  claiming_ = true;
  again_ = false;
  const store::Outbox& outbox = outbox_;
  const store::OptOutTable& optouts = stores_.tables().optouts;
  auto claimed = std::make_shared<std::vector<store::OutboxMessage>>();
  auto cancelled = std::make_shared<std::size_t>(0);
  const std::int64_t now = nowSeconds();
  stores_.durableWriter().submit(
      [&outbox, &optouts, claimed, cancelled, now, room](store::WriteTxn& txn) {
        *claimed = outbox.claim(txn, now, room);
        // The last check before the phone: a STOP that arrived after queueing wins.
        std::erase_if(*claimed, [&](const store::OutboxMessage& m) {
          // A notice (the STOP/START confirmation itself) goes to opted-out numbers.
          if (m.kind == store::OutboxKind::Notice || !optouts.contains(txn, m.to)) return false;
          outbox.cancel(txn, m.id, now);
          ++*cancelled;
          return true;
        });
      },
      [this, claimed, cancelled, room](std::error_code ec) {
        claiming_ = false;
        if (ec) {
          log_.error("outbox claim not stored, retrying error={}", ec.message());
          armPoll(kPoll);
          return;
        }
        if (*cancelled > 0)
          log_.info("outbox: {} message(s) cancelled, number opted out", *cancelled);
        const bool full = claimed->size() + *cancelled >= room;
        dispatch(std::move(*claimed));
        if (full || again_) {
          pump();
        } else {
          armPoll(kPoll);
        }
      });
}

std::size_t OutboxSender::windowTotal() const {
  std::size_t total = 0;
  for (LinkIndex i = 0; i < links_.size(); ++i)
    total += links_.info(i).window;
  return std::max<std::size_t>(total, 1);
}

void OutboxSender::dispatch(std::vector<store::OutboxMessage> claimed) {
  for (store::OutboxMessage& message : claimed)
    held_.push_back(std::move(message));
  feed();
}

void OutboxSender::feed() {
  // At most a window of parts whose SMSC answer is not committed yet: what a crash can make
  // the SMSC see twice. An answer frees its slot only once it is durable (partRecorded).
  const std::size_t limit = windowTotal();
  while (!held_.empty() && unrecorded_ < limit) {
    const auto link = links_.pick();
    if (!link) {
      // Every link went down since the claim: back to the queue, nothing counted.
      const store::Outbox& outbox = outbox_;
      std::vector<std::uint64_t> ids;
      for (const store::OutboxMessage& m : held_)
        ids.push_back(m.id);
      held_.clear();
      stores_.durableWriter().submit(
          [&outbox, ids](store::WriteTxn& txn) {
            for (std::uint64_t id : ids)
              outbox.requeue(txn, id, nowSeconds());
          },
          {});
      return;
    }
    const store::OutboxMessage message = std::move(held_.front());
    held_.pop_front();
    send(message, *link);
  }
}

void OutboxSender::partRecorded(std::size_t parts) {
  unrecorded_ = unrecorded_ > parts ? unrecorded_ - parts : 0;
  feed();
  wake();  // room for the next claim
}

void OutboxSender::send(const store::OutboxMessage& message, LinkIndex link) {
  const LinkInfo& info = links_.info(link);
  smpp::SubmitTemplate base = info.submit;
  if (!message.source.empty()) base.source.addr = message.source;
  auto built = smpp::buildSubmits(base, message.to, message.text,
                                  static_cast<std::uint16_t>(message.id & 0xffff));
  if (!built || built->parts.size() > store::OutboxMessage::kMaxParts) {
    const std::string why = built ? "text needs more than 255 SMS parts" : textError(built.error());
    log_.warn("outbox: message failed id={} to={} reason={}", message.id, mask_(message.to), why);
    const store::Outbox& outbox = outbox_;
    const std::uint64_t id = message.id;
    stores_.durableWriter().submit(
        [&outbox, id, why](store::WriteTxn& txn) {
          outbox.markFailed(txn, id, 0, why, true, 0, nowSeconds());
        },
        {});
    return;
  }
  const auto parts = static_cast<std::uint8_t>(built->parts.size());
  inFlight_[message.id] = InFlight{parts, 0, message.attempts, false};
  unrecorded_ += parts;
  for (std::uint8_t i = 0; i < parts; ++i) {
    links_.submit(link, {outboxLocalId(message.id, i), std::move(built->parts[i])});
  }
}

void OutboxSender::partAnswered(std::uint64_t id) {
  const auto it = inFlight_.find(id);
  if (it == inFlight_.end()) return;
  if (++it->second.answered >= it->second.parts) inFlight_.erase(it);
  wake();  // a window slot is free
}

void OutboxSender::onSubmitAcked(LinkIndex link, std::uint64_t localId, const std::string& smscId) {
  if (!isOutboxLocalId(localId)) return;  // a USSD page: nothing to record
  const std::uint64_t id = localId >> 8;
  const auto part = static_cast<std::uint8_t>(localId & 0xff);
  const auto it = inFlight_.find(id);
  const std::uint8_t parts = it == inFlight_.end() ? std::uint8_t{1} : it->second.parts;
  metrics_.counter(MetricId::SmsSubmittedTotal, {links_.info(link).name}).inc();
  // Stored in the form receipts use, so a receipt finds its part with one lookup.
  std::string key =
      smpp::canonicalMessageId(smpp::normalizeMessageId(smscId, links_.info(link).receiptIds));
  const store::Outbox& outbox = outbox_;
  stores_.durableWriter().submit(
      [&outbox, id, part, parts, key = std::move(key)](store::WriteTxn& txn) mutable {
        outbox.markPartSubmitted(txn, id, part, parts, std::move(key), nowSeconds());
      },
      [this, id](std::error_code ec) {
        // Not stored: the message stays `sending` and goes again after a restart; the SMSC
        // already has it, so that is one duplicate at worst.
        if (ec) log_.error("outbox: submit result not stored id={} error={}", id, ec.message());
        partRecorded(1);
      });
  partAnswered(id);
}

void OutboxSender::onSubmitFailed(LinkIndex link, std::uint64_t localId, smpp::CommandStatus status,
                                  bool permanent) {
  if (!isOutboxLocalId(localId)) return;  // a USSD page refused: the dialog shows nothing more
  const std::uint64_t id = localId >> 8;
  metrics_
      .counter(MetricId::SmsSubmitFailuresTotal,
               {links_.info(link).name, permanent ? "permanent" : "transient"})
      .inc();
  const auto it = inFlight_.find(id);
  const std::uint32_t attempts = it == inFlight_.end() ? 0 : it->second.attempts;
  const bool first = it == inFlight_.end() || !it->second.failed;
  if (it != inFlight_.end()) it->second.failed = true;
  if (first) {
    // One failure decides for the whole message; later parts' answers change nothing.
    log_.info("outbox: submit refused id={} status={} permanent={}", id, smpp::toString(status),
              permanent);
    const store::Outbox& outbox = outbox_;
    const std::int64_t at = retryAt(attempts);
    const std::string why = "SMSC refused: " + smpp::toString(status);
    stores_.durableWriter().submit(
        [&outbox, id, status, why, permanent, at](store::WriteTxn& txn) {
          outbox.markFailed(txn, id, static_cast<std::uint32_t>(status), why, permanent, at,
                            nowSeconds());
        },
        [this](std::error_code) { partRecorded(1); });
  } else {
    partRecorded(1);  // the message's outcome is already on its way to the store
  }
  partAnswered(id);
}

void OutboxSender::onRequeue(LinkIndex, std::vector<smpp::OutgoingMessage> messages) {
  std::vector<std::uint64_t> ids;
  std::size_t parts = 0;
  for (const smpp::OutgoingMessage& m : messages) {
    if (!isOutboxLocalId(m.localId)) continue;  // a USSD page: the dialog is gone with the link
    ++parts;                                    // never reached the SMSC: no slot to keep
    const std::uint64_t id = m.localId >> 8;
    if (inFlight_.erase(id) > 0) ids.push_back(id);
  }
  unrecorded_ = unrecorded_ > parts ? unrecorded_ - parts : 0;
  if (ids.empty()) return;
  log_.info("outbox: {} message(s) handed back by a link, queued again", ids.size());
  const store::Outbox& outbox = outbox_;
  stores_.durableWriter().submit(
      [&outbox, ids](store::WriteTxn& txn) {
        for (std::uint64_t id : ids)
          outbox.requeue(txn, id, nowSeconds());
      },
      [this](std::error_code) { wake(); });
}

}  // namespace mfigw::gateway
