#include "gateway/inbound_dispatcher.hpp"

#include <memory>

#include "gateway/msisdn.hpp"
#include "gateway/optout_event.hpp"
#include "gateway/sms_keywords.hpp"
#include "smpp/concat_reassembler.hpp"
#include "smpp/delivery_receipt.hpp"
#include "smpp/text_encoding.hpp"

namespace mfigw::gateway {

namespace {

using namespace std::chrono_literals;

constexpr std::uint8_t kEsmTypeMask = 0x3C;
constexpr std::uint8_t kEsmReceipt = 0x04;       // SMSC delivery receipt
constexpr std::uint8_t kEsmIntermediate = 0x20;  // intermediate delivery notification
constexpr std::uint8_t kEsmUdhi = 0x40;
constexpr auto kHelpInterval = 1h;

std::int64_t nowSeconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

store::PartState partState(smpp::MessageState state) {
  switch (state) {
    case smpp::MessageState::Delivered:
      return store::PartState::Delivered;
    case smpp::MessageState::Expired:
      return store::PartState::Expired;
    case smpp::MessageState::Undeliverable:
    case smpp::MessageState::Rejected:
    case smpp::MessageState::Deleted:
      return store::PartState::Failed;
    default:
      return store::PartState::Submitted;  // en route, accepted, unknown: not final yet
  }
}

std::string_view stateLabel(store::PartState state) {
  switch (state) {
    case store::PartState::Delivered:
      return "delivered";
    case store::PartState::Failed:
      return "failed";
    case store::PartState::Expired:
      return "expired";
    default:
      return "other";
  }
}

}  // namespace

InboundDispatcher::InboundDispatcher(StoreLayout& stores, SmscLinks& links, OutboxSender& sender,
                                     const GatewayConfig& config, Metrics& metrics,
                                     MsisdnMasker mask, spdlog::logger& log)
    : stores_(stores), links_(links), sender_(sender), metrics_(metrics), mask_(mask), log_(log) {
  setConfig(config);
}

void InboundDispatcher::setConfig(const GatewayConfig& config) {
  source_ = config.sms.source;
  serviceCode_ = config.menus.serviceCode;
  region_ = config.phone.defaultRegion;
  mask_ = MsisdnMasker(config.log.maskMsisdn);
}

void InboundDispatcher::answer(const Inbound& in, std::string_view kind,
                               smpp::CommandStatus status) {
  metrics_
      .counter(MetricId::SmppDeliversTotal, {links_.info(in.link).name, kind,
                                             status == smpp::CommandStatus::Ok ? "ok" : "retry"})
      .inc();
  links_.acknowledge(in.link, in.sequence, status);
}

void InboundDispatcher::onDeliver(LinkIndex link, std::variant<smpp::DeliverSm, smpp::DataSm> pdu) {
  Inbound in;
  in.link = link;
  if (auto* d = std::get_if<smpp::DeliverSm>(&pdu)) {
    const bool ussd = d->serviceType == "USSD" || d->tlvs.ussdServiceOp().has_value();
    if (ussd) {
      if (ussd_) {
        ussd_(link, std::move(*d));
        return;
      }
      in.sequence = d->sequenceNumber;
      answer(in, "ussd", smpp::CommandStatus::Ok);
      log_.warn("USSD request dropped: no menu service running from={}", mask_(d->source.addr));
      return;
    }
    in.sequence = d->sequenceNumber;
    in.serviceType = d->serviceType;
    in.from = d->source.addr;
    in.esmClass = d->esmClass;
    in.dataCoding = d->dataCoding;
    in.userData = d->tlvs.messagePayload().value_or(d->shortMessage);
    in.tlvs = std::move(d->tlvs);
  } else {
    auto& data = std::get<smpp::DataSm>(pdu);
    in.sequence = data.sequenceNumber;
    in.serviceType = data.serviceType;
    in.from = data.source.addr;
    in.esmClass = data.esmClass;
    in.dataCoding = data.dataCoding;
    in.userData = data.tlvs.messagePayload().value_or("");
    in.tlvs = std::move(data.tlvs);
  }
  const std::uint8_t type = in.esmClass & kEsmTypeMask;
  if (type == kEsmReceipt || type == kEsmIntermediate) {
    receipt(in);
  } else {
    mobileOriginated(in);
  }
}

void InboundDispatcher::receipt(const Inbound& in) {
  smpp::ReceiptTlvs tlvs;
  tlvs.receiptedMessageId = in.tlvs.receiptedMessageId();
  tlvs.messageState = in.tlvs.messageState();
  const auto parsed = smpp::parseReceipt(in.userData, tlvs);
  if (!parsed) {
    log_.warn("receipt without a message id, ignored link={}", links_.info(in.link).name);
    metrics_.counter(MetricId::SmsReceiptsTotal, {"unknown_id"}).inc();
    answer(in, "receipt", smpp::CommandStatus::Ok);
    return;
  }
  const std::string key = smpp::canonicalMessageId(parsed->messageId);
  const store::PartState state = partState(parsed->state);
  auto outcome = std::make_shared<std::optional<store::ReceiptOutcome>>();
  const store::Outbox& outbox = stores_.outbox();
  stores_.durableWriter().submit(
      [&outbox, key, state, outcome](store::WriteTxn& txn) {
        *outcome = outbox.applyReceipt(txn, key, state, nowSeconds());
      },
      [this, in, state, outcome, key](std::error_code ec) {
        if (ec) {
          log_.error("receipt not stored, SMSC will resend error={}", ec.message());
          answer(in, "receipt", smpp::CommandStatus::MsgQFul);
          return;
        }
        metrics_.counter(MetricId::SmsReceiptsTotal, {*outcome ? stateLabel(state) : "unknown_id"})
            .inc();
        if (*outcome && (*outcome)->changed && store::isFinal((*outcome)->state)) {
          log_.debug("message final id={} state={}", (*outcome)->id,
                     store::toString((*outcome)->state));
        } else if (!*outcome) {
          log_.debug("receipt for an id we do not know smsc_id={}", key);
        }
        answer(in, "receipt", smpp::CommandStatus::Ok);
      });
}

bool InboundDispatcher::helpAllowed(const std::string& msisdn) {
  const auto now = std::chrono::steady_clock::now();
  auto [it, fresh] = lastHelp_.try_emplace(msisdn, now);
  if (!fresh && now - it->second < kHelpInterval) return false;
  it->second = now;
  if (lastHelp_.size() > 100000) lastHelp_.clear();  // bounded memory; worst case one extra help
  return true;
}

void InboundDispatcher::mobileOriginated(const Inbound& in) {
  const auto number = normalizeMsisdn(in.from, region_);
  if (!number.e164) {
    log_.warn("MO from an unusable number, ignored from={} reason={}", mask_(in.from),
              number.error);
    answer(in, "mo", smpp::CommandStatus::Ok);
    return;
  }
  const std::string msisdn = *number.e164;
  std::string_view userData = in.userData;
  if ((in.esmClass & kEsmUdhi) != 0) {
    const auto* bytes = reinterpret_cast<const std::uint8_t*>(userData.data());
    const auto udh = smpp::parseUserDataHeader({bytes, userData.size()});
    if (udh) userData.remove_prefix(udh->length);
  }
  const auto encoding =
      smpp::encodingFromDataCoding(in.dataCoding).value_or(smpp::TextEncoding::Gsm7);
  const auto* raw = reinterpret_cast<const std::uint8_t*>(userData.data());
  const auto text = smpp::decode({raw, userData.size()}, encoding);
  const KeywordMatch match = text ? matchKeyword(*text) : KeywordMatch{};

  Keyword keyword = match.keyword;
  if ((keyword == Keyword::Help || keyword == Keyword::Unknown || keyword == Keyword::Balance) &&
      !helpAllowed(msisdn)) {
    log_.info("MO answered recently, no reply from={} keyword={}", mask_(msisdn),
              toString(keyword));
    answer(in, "mo", smpp::CommandStatus::Ok);
    return;
  }
  store::OutboxMessage reply;
  reply.to = msisdn;
  reply.lang = match.lang;
  reply.kind = keyword == Keyword::Stop || keyword == Keyword::Start ? store::OutboxKind::Notice
                                                                     : store::OutboxKind::Reply;
  reply.priority = store::OutboxPriority::Dialog;
  reply.text = keywordReply(keyword, match.lang, source_, serviceCode_);
  reply.notAfter = nowSeconds() + 24 * 3600;  // a reply a day late only confuses

  auto queued = std::make_shared<bool>(false);
  auto cancelled = std::make_shared<std::size_t>(0);
  const store::Outbox& outbox = stores_.outbox();
  const store::OptOutTable& optouts = stores_.tables().optouts;
  const store::UpstreamEvents& events = stores_.tables().upstreamEvents;
  const std::int64_t arrived = nowSeconds();
  const store::EventKey eventKey = optOutEventKey(msisdn, userData, arrived);
  const std::string eventPayload = optOutEventPayload(msisdn, match.lang);
  stores_.durableWriter().submit(
      [&outbox, &optouts, &events, keyword, msisdn, reply, queued, cancelled, eventKey,
       eventPayload](store::WriteTxn& txn) {
        const std::int64_t now = nowSeconds();
        const bool optedOut = optouts.contains(txn, msisdn);
        if (keyword == Keyword::Stop) {
          *cancelled = outbox.cancelTo(txn, msisdn, now);
          if (optedOut) return;  // confirmed once, the first time
          optouts.put(txn, msisdn, store::OptOut{msisdn, now, store::OptOutSource::Sms});
          // Upstream learns it from the same commit: both or neither.
          events.append(txn, eventKey, now, store::UpstreamEventType::OptOut, eventPayload);
        } else if (keyword == Keyword::Start) {
          if (!optedOut) return;
          optouts.erase(txn, msisdn);
        } else if (optedOut) {
          return;  // they asked for silence
        }
        outbox.enqueue(txn, reply, now);
        *queued = true;
      },
      [this, in, keyword, msisdn, queued, cancelled](std::error_code ec) {
        if (ec) {
          log_.error("MO not stored, SMSC will resend from={} error={}", mask_(msisdn),
                     ec.message());
          answer(in, "mo", smpp::CommandStatus::MsgQFul);
          return;
        }
        if (keyword == Keyword::Stop) {
          if (*queued) metrics_.counter(MetricId::OptoutsTotal).inc();
          log_.info("STOP from={} cancelled={} confirmed={}", mask_(msisdn), *cancelled, *queued);
        } else {
          log_.info("MO from={} keyword={} replied={}", mask_(msisdn), toString(keyword), *queued);
        }
        if (*queued) {
          metrics_
              .counter(MetricId::SmsAcceptedTotal,
                       {keyword == Keyword::Stop || keyword == Keyword::Start ? "notice" : "reply"})
              .inc();
          sender_.wake();
        }
        answer(in, "mo", smpp::CommandStatus::Ok);
      });
}

}  // namespace mfigw::gateway
