// Drives smpp::Session with SMSC bytes made by our encode() and a fake clock: no sockets,
// no sleeps (STYLE.md G2, G13).
#include <gtest/gtest.h>

#include <optional>
#include <vector>

#include "smpp/codec.hpp"
#include "smpp/session.hpp"

namespace mfigw::smpp {
namespace {

using namespace std::chrono_literals;
using TimePoint = Session::TimePoint;

SessionOptions testOptions() {
  SessionOptions o;
  o.systemId = "mfigw";
  o.password = "secret";
  o.systemType = "";
  o.window = 10;
  o.tps = 1000;  // the bucket (burst = window) does not get in the way unless a test wants it
  o.enquireLinkInterval = 30s;
  o.responseTimeout = 10s;
  o.bindTimeout = 10s;
  o.reconnectMin = 1s;
  o.reconnectMax = 8s;
  o.jitter = 0.2;
  o.throttleBackoffMin = 200ms;
  o.throttleBackoffMax = 10s;
  return o;
}

template <class T>
std::vector<T> all(const Actions& actions) {
  std::vector<T> out;
  for (const auto& a : actions)
    if (const T* p = std::get_if<T>(&a)) out.push_back(*p);
  return out;
}

std::vector<Pdu> written(const Actions& actions) {
  std::vector<Pdu> out;
  for (const auto& w : all<action::Write>(actions)) {
    auto r = decode(w.bytes);
    EXPECT_TRUE(r.ok());
    if (r.ok()) out.push_back(r.pdu());
  }
  return out;
}

template <class T>
std::vector<T> writtenOf(const Actions& actions) {
  std::vector<T> out;
  for (auto& p : written(actions))
    if (auto* t = std::get_if<T>(&p)) out.push_back(*t);
  return out;
}

std::optional<TimePoint> armed(const Actions& actions, TimerId id) {
  std::optional<TimePoint> at;
  for (const auto& a : all<action::ArmTimer>(actions))
    if (a.id == id) at = a.at;
  return at;
}

bool cancelled(const Actions& actions, TimerId id) {
  for (const auto& a : all<action::CancelTimer>(actions))
    if (a.id == id) return true;
  return false;
}

OutgoingMessage message(std::uint64_t localId) {
  SubmitSm s;
  s.destination = {1, 1, "255712345678"};
  s.shortMessage = "msg " + std::to_string(localId);
  return {localId, s};
}

struct Harness {
  explicit Harness(SessionOptions o = testOptions(), double u = 0.5)
      : random(u), session(std::move(o), [this] { return random; }) {}

  // start -> connected -> bind_resp(status); returns the actions of the bind_resp.
  Actions bind(CommandStatus status = CommandStatus::Ok) {
    session.start(now);
    const Actions a = session.onConnected(now);
    const auto binds = writtenOf<BindTransceiver>(a);
    EXPECT_EQ(binds.size(), 1u);
    BindTransceiverResp resp;
    resp.sequenceNumber = binds.empty() ? 0 : binds[0].sequenceNumber;
    resp.commandStatus = status;
    resp.systemId = "SMSC";
    return session.onBytes(encode(resp), now);
  }

  Actions feed(const Pdu& pdu) { return session.onBytes(encode(pdu), now); }

  Actions submitResp(std::uint32_t seq, CommandStatus st, std::string id = "") {
    SubmitSmResp r;
    r.sequenceNumber = seq;
    r.commandStatus = st;
    r.messageId = std::move(id);
    return feed(r);
  }

  double random;
  TimePoint now{std::chrono::hours(1)};
  Session session;
};

// ---- bind -------------------------------------------------------------------------------

TEST(SessionBind, StartConnectsThenBindsTransceiver) {
  Harness h;
  Actions a = h.session.start(h.now);
  EXPECT_EQ(all<action::Connect>(a).size(), 1u);
  EXPECT_EQ(armed(a, TimerId::BindTimeout), h.now + 10s);
  EXPECT_EQ(h.session.state(), SessionState::Connecting);

  a = h.session.onConnected(h.now);
  const auto binds = writtenOf<BindTransceiver>(a);
  ASSERT_EQ(binds.size(), 1u);
  EXPECT_EQ(binds[0].systemId, "mfigw");
  EXPECT_EQ(binds[0].password, "secret");
  EXPECT_EQ(h.session.state(), SessionState::Binding);
  for (const auto& e : all<action::Event>(a))
    EXPECT_EQ(e.text.find("secret"), std::string::npos);

  BindTransceiverResp resp;
  resp.sequenceNumber = binds[0].sequenceNumber;
  a = h.feed(resp);
  EXPECT_EQ(h.session.state(), SessionState::Bound);
  EXPECT_TRUE(cancelled(a, TimerId::BindTimeout));
  EXPECT_EQ(armed(a, TimerId::EnquireLinkIdle), h.now + 30s);
  const auto changes = all<action::StateChanged>(a);
  ASSERT_EQ(changes.size(), 1u);
  EXPECT_EQ(changes[0].from, SessionState::Binding);
  EXPECT_EQ(changes[0].to, SessionState::Bound);
}

TEST(SessionBind, TransmitterModeSendsBindTransmitter) {
  SessionOptions o = testOptions();
  o.mode = BindMode::Transmitter;
  Harness h(o);
  h.session.start(h.now);
  EXPECT_EQ(writtenOf<BindTransmitter>(h.session.onConnected(h.now)).size(), 1u);
}

TEST(SessionBind, BadPasswordRaisesAlarmAndDoesNotReconnect) {
  Harness h;
  h.session.submit(message(7), h.now);  // queued before the bind
  const Actions a = h.bind(CommandStatus::InvPaswd);
  const auto rej = all<action::BindRejected>(a);
  ASSERT_EQ(rej.size(), 1u);
  EXPECT_TRUE(rej[0].credentials);
  EXPECT_EQ(rej[0].status, CommandStatus::InvPaswd);
  EXPECT_EQ(all<action::Close>(a).size(), 1u);
  EXPECT_FALSE(armed(a, TimerId::Reconnect));
  EXPECT_EQ(h.session.state(), SessionState::Idle);
  // Nothing is lost: the queued message is handed back.
  const auto rq = all<action::Requeue>(a);
  ASSERT_EQ(rq.size(), 1u);
  ASSERT_EQ(rq[0].messages.size(), 1u);
  EXPECT_EQ(rq[0].messages[0].localId, 7u);
  // A stale reconnect timer does nothing; a new start() tries again.
  EXPECT_TRUE(h.session.onTimer(TimerId::Reconnect, h.now + 1h).empty());
  EXPECT_EQ(all<action::Connect>(h.session.start(h.now)).size(), 1u);
}

TEST(SessionBind, SystemErrorReconnectsWithGrowingJitteredBackoff) {
  // u = 0 gives the low edge of the jitter band (factor 0.8), u -> 1 the high edge (1.2).
  for (const double u : {0.0, 0.5, 0.999}) {
    Harness h(testOptions(), u);
    const double factor = 0.8 + 0.4 * u;
    std::chrono::steady_clock::duration base = 1s;
    for (int attempt = 0; attempt < 5; ++attempt) {
      const Actions a = attempt == 0 ? h.bind(CommandStatus::SysErr) : [&] {
        Actions c = h.session.onConnected(h.now);
        const auto binds = writtenOf<BindTransceiver>(c);
        BindTransceiverResp resp;
        resp.sequenceNumber = binds.at(0).sequenceNumber;
        resp.commandStatus = CommandStatus::SysErr;
        return h.feed(resp);
      }();
      const auto rej = all<action::BindRejected>(a);
      ASSERT_EQ(rej.size(), 1u);
      EXPECT_FALSE(rej[0].credentials);
      EXPECT_EQ(h.session.state(), SessionState::Backoff);
      const auto at = armed(a, TimerId::Reconnect);
      ASSERT_TRUE(at);
      const auto delay = *at - h.now;
      const auto expected = std::chrono::duration_cast<std::chrono::steady_clock::duration>(
          std::chrono::duration<double, std::nano>(static_cast<double>(base.count()) * factor));
      EXPECT_NEAR(static_cast<double>(delay.count()), static_cast<double>(expected.count()), 2.0)
          << "attempt " << attempt << " u " << u;
      EXPECT_GE(delay, base * 8 / 10);
      EXPECT_LE(delay, base * 12 / 10);
      base = std::min<std::chrono::steady_clock::duration>(base * 2, 8s);
      h.now = *at;
      const Actions r = h.session.onTimer(TimerId::Reconnect, h.now);
      EXPECT_EQ(all<action::Connect>(r).size(), 1u);
    }
  }
}

TEST(SessionBind, SuccessfulBindResetsReconnectBackoff) {
  Harness h;
  h.bind(CommandStatus::SysErr);
  h.session.onTimer(TimerId::Reconnect, h.now);
  EXPECT_EQ(h.session.reconnectBackoffBase(), 2s);
  Actions c = h.session.onConnected(h.now);
  BindTransceiverResp resp;
  resp.sequenceNumber = writtenOf<BindTransceiver>(c).at(0).sequenceNumber;
  h.feed(resp);
  EXPECT_EQ(h.session.state(), SessionState::Bound);
  EXPECT_EQ(h.session.reconnectBackoffBase(), 1s);
}

TEST(SessionBind, BindTimeoutClosesAndReconnects) {
  Harness h;
  h.session.start(h.now);
  h.session.onConnected(h.now);
  const Actions a = h.session.onTimer(TimerId::BindTimeout, h.now + 10s);
  EXPECT_EQ(all<action::Close>(a).size(), 1u);
  EXPECT_TRUE(armed(a, TimerId::Reconnect));
  EXPECT_EQ(h.session.state(), SessionState::Backoff);
}

// ---- keep-alive, malformed input ---------------------------------------------------------

TEST(SessionLink, InboundEnquireLinkIsAnswered) {
  Harness h;
  h.bind();
  const auto resps = writtenOf<EnquireLinkResp>(h.feed(EnquireLink{4242, CommandStatus::Ok}));
  ASSERT_EQ(resps.size(), 1u);
  EXPECT_EQ(resps[0].sequenceNumber, 4242u);
}

TEST(SessionLink, EnquireLinkSentWhenIdleAndMissingRespCloses) {
  Harness h;
  h.bind();
  // Traffic at +20 s pushes the idle deadline out: the timer at +30 s only re-arms.
  h.now += 20s;
  h.feed(EnquireLink{5, CommandStatus::Ok});
  h.now += 10s;
  Actions a = h.session.onTimer(TimerId::EnquireLinkIdle, h.now);
  EXPECT_TRUE(writtenOf<EnquireLink>(a).empty());
  ASSERT_TRUE(armed(a, TimerId::EnquireLinkIdle));
  h.now = *armed(a, TimerId::EnquireLinkIdle);
  a = h.session.onTimer(TimerId::EnquireLinkIdle, h.now);
  const auto el = writtenOf<EnquireLink>(a);
  ASSERT_EQ(el.size(), 1u);
  const auto deadline = armed(a, TimerId::ResponseTimeout);
  ASSERT_TRUE(deadline);
  EXPECT_EQ(*deadline, h.now + 10s);

  // Answered: the link lives on.
  h.feed(EnquireLinkResp{el[0].sequenceNumber, CommandStatus::Ok});
  EXPECT_TRUE(all<action::Close>(h.session.onTimer(TimerId::ResponseTimeout, *deadline)).empty());
  EXPECT_EQ(h.session.state(), SessionState::Bound);

  // Next one unanswered: closed and reconnecting.
  h.now += 30s;
  a = h.session.onTimer(TimerId::EnquireLinkIdle, h.now);
  ASSERT_EQ(writtenOf<EnquireLink>(a).size(), 1u);
  h.now += 10s;
  a = h.session.onTimer(TimerId::ResponseTimeout, h.now);
  EXPECT_EQ(all<action::Close>(a).size(), 1u);
  EXPECT_TRUE(armed(a, TimerId::Reconnect));
  EXPECT_EQ(h.session.state(), SessionState::Backoff);
}

TEST(SessionLink, BytesInAnyChunkingAreFramed) {
  Harness h;
  h.session.start(h.now);
  const auto bind = writtenOf<BindTransceiver>(h.session.onConnected(h.now)).at(0);
  BindTransceiverResp resp;
  resp.sequenceNumber = bind.sequenceNumber;
  const std::string bytes = encode(resp) + encode(EnquireLink{3, CommandStatus::Ok});
  Actions got;
  for (char c : bytes)
    for (auto& a : h.session.onBytes(std::string_view(&c, 1), h.now))
      got.push_back(std::move(a));
  EXPECT_EQ(h.session.state(), SessionState::Bound);
  ASSERT_EQ(writtenOf<EnquireLinkResp>(got).size(), 1u);
}

TEST(SessionLink, MalformedPduGetsGenericNackWithItsSequence) {
  Harness h;
  h.bind();
  // A header-only PDU with an unknown command id and sequence 77.
  std::string bad = encode(EnquireLink{77, CommandStatus::Ok});
  bad[4] = 0;
  bad[5] = 0;
  bad[6] = 0x0F;
  bad[7] = 0x0F;  // command_id 0x00000F0F: not an SMPP command
  const Actions a = h.session.onBytes(bad, h.now);
  const auto nacks = writtenOf<GenericNack>(a);
  ASSERT_EQ(nacks.size(), 1u);
  EXPECT_EQ(nacks[0].sequenceNumber, 77u);
  EXPECT_EQ(nacks[0].commandStatus, CommandStatus::InvCmdId);
  EXPECT_TRUE(all<action::Close>(a).empty());
  EXPECT_EQ(h.session.state(), SessionState::Bound);
}

TEST(SessionLink, OversizeCommandLengthClosesTheLink) {
  SessionOptions o = testOptions();
  o.maxPduSize = 1024;
  Harness h(o);
  h.bind();
  std::string header = encode(EnquireLink{1, CommandStatus::Ok});
  header[0] = 0x00;
  header[1] = 0x10;  // command_length 0x100010 > 1024
  const Actions a = h.session.onBytes(header, h.now);
  EXPECT_EQ(all<action::Close>(a).size(), 1u);
  EXPECT_TRUE(armed(a, TimerId::Reconnect));
  EXPECT_EQ(h.session.state(), SessionState::Backoff);
}

TEST(SessionLink, PeerUnbindIsAnsweredThenReconnects) {
  Harness h;
  h.bind();
  const Actions a = h.feed(Unbind{9, CommandStatus::Ok});
  const auto resp = writtenOf<UnbindResp>(a);
  ASSERT_EQ(resp.size(), 1u);
  EXPECT_EQ(resp[0].sequenceNumber, 9u);
  EXPECT_EQ(all<action::Close>(a).size(), 1u);
  EXPECT_TRUE(armed(a, TimerId::Reconnect));
}

// ---- submit: window, throttle, TPS, timeouts ---------------------------------------------

TEST(SessionSubmit, WindowFullEleventhWaitsUntilAResponse) {
  Harness h;
  h.bind();
  std::vector<SubmitSm> sent;
  for (std::uint64_t id = 1; id <= 11; ++id) {
    for (auto& s : writtenOf<SubmitSm>(h.session.submit(message(id), h.now)))
      sent.push_back(s);
  }
  ASSERT_EQ(sent.size(), 10u);
  EXPECT_EQ(h.session.inFlight(), 10u);
  EXPECT_EQ(h.session.queued(), 1u);
  EXPECT_FALSE(h.session.canSubmit(h.now));

  h.now += 1s;  // the bucket (burst 10 at 1000 tps) has refilled: only the window holds #11
  const Actions a = h.submitResp(sent[3].sequenceNumber, CommandStatus::Ok, "abc123");
  const auto acked = all<action::SubmitAcked>(a);
  ASSERT_EQ(acked.size(), 1u);
  EXPECT_EQ(acked[0].localId, 4u);
  EXPECT_EQ(acked[0].smscMessageId, "abc123");
  const auto next = writtenOf<SubmitSm>(a);
  ASSERT_EQ(next.size(), 1u);
  EXPECT_EQ(next[0].shortMessage, "msg 11");
  EXPECT_EQ(h.session.queued(), 0u);
}

TEST(SessionSubmit, PermanentAndTransientFailures) {
  Harness h;
  h.bind();
  const auto s1 = writtenOf<SubmitSm>(h.session.submit(message(1), h.now)).at(0);
  const auto s2 = writtenOf<SubmitSm>(h.session.submit(message(2), h.now)).at(0);
  const auto s3 = writtenOf<SubmitSm>(h.session.submit(message(3), h.now)).at(0);
  auto f = all<action::SubmitFailed>(h.submitResp(s1.sequenceNumber, CommandStatus::InvDstAdr));
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].localId, 1u);
  EXPECT_TRUE(f[0].permanent);
  f = all<action::SubmitFailed>(h.submitResp(s2.sequenceNumber, CommandStatus::SysErr));
  ASSERT_EQ(f.size(), 1u);
  EXPECT_FALSE(f[0].permanent);
  // generic_nack for our submit: a transient failure of that message.
  f = all<action::SubmitFailed>(h.feed(GenericNack{s3.sequenceNumber, CommandStatus::InvCmdLen}));
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].localId, 3u);
  EXPECT_FALSE(f[0].permanent);
  EXPECT_EQ(h.session.inFlight(), 0u);
}

TEST(SessionSubmit, ThrottledPutsBackPausesResendsAndSuccessShrinksBackoff) {
  Harness h(testOptions(), 0.5);  // u = 0.5: no jitter effect
  h.bind();
  const auto s1 = writtenOf<SubmitSm>(h.session.submit(message(1), h.now)).at(0);
  Actions a = h.submitResp(s1.sequenceNumber, CommandStatus::Throttled);
  EXPECT_TRUE(all<action::SubmitFailed>(a).empty());
  EXPECT_TRUE(writtenOf<SubmitSm>(a).empty());
  EXPECT_EQ(h.session.queued(), 1u);
  EXPECT_EQ(armed(a, TimerId::Throttle), h.now + 200ms);
  // A new submit during the pause waits behind the throttled one.
  EXPECT_TRUE(writtenOf<SubmitSm>(h.session.submit(message(2), h.now + 100ms)).empty());

  h.now += 200ms;
  a = h.session.onTimer(TimerId::Throttle, h.now);
  auto resent = writtenOf<SubmitSm>(a);
  ASSERT_EQ(resent.size(), 2u);
  EXPECT_EQ(resent[0].shortMessage, "msg 1");
  EXPECT_NE(resent[0].sequenceNumber, s1.sequenceNumber);
  EXPECT_EQ(resent[1].shortMessage, "msg 2");

  // Throttled again: the pause doubles.
  a = h.submitResp(resent[0].sequenceNumber, CommandStatus::MsgQFul);
  EXPECT_EQ(armed(a, TimerId::Throttle), h.now + 400ms);
  // The other in-flight one, answered throttled within the same pause, does not double it.
  a = h.submitResp(resent[1].sequenceNumber, CommandStatus::Throttled);
  EXPECT_EQ(h.session.throttleBackoffBase(), 800ms);
  EXPECT_EQ(h.session.queued(), 2u);

  h.now += 400ms;
  a = h.session.onTimer(TimerId::Throttle, h.now);
  resent = writtenOf<SubmitSm>(a);
  ASSERT_EQ(resent.size(), 2u);
  EXPECT_EQ(resent[0].shortMessage, "msg 1");  // original order kept
  EXPECT_EQ(resent[1].shortMessage, "msg 2");
  a = h.submitResp(resent[0].sequenceNumber, CommandStatus::Ok, "id1");
  EXPECT_EQ(all<action::SubmitAcked>(a).size(), 1u);
  EXPECT_EQ(h.session.throttleBackoffBase(), 400ms);
  h.submitResp(resent[1].sequenceNumber, CommandStatus::Ok, "id2");
  EXPECT_EQ(h.session.throttleBackoffBase(), 200ms);
}

TEST(SessionSubmit, TokenBucketPacesAtTps) {
  SessionOptions o = testOptions();
  o.tps = 5;
  o.window = 2;  // burst 2
  Harness h(o);
  h.bind();
  int sent = 0;
  for (std::uint64_t id = 1; id <= 6; ++id) {
    for (const auto& s : writtenOf<SubmitSm>(h.session.submit(message(id), h.now))) {
      ++sent;
      h.submitResp(s.sequenceNumber, CommandStatus::Ok);
    }
  }
  // The burst goes at once; the rest waits for tokens.
  EXPECT_EQ(sent, 2);
  EXPECT_FALSE(h.session.canSubmit(h.now));
  // Then one per 200 ms, driven by the Throttle timer the session arms.
  std::vector<TimePoint> sendTimes;
  auto next = h.now + 200ms;
  for (int i = 0; i < 4; ++i) {
    h.now = next;
    const Actions a = h.session.onTimer(TimerId::Throttle, h.now);
    const auto s = writtenOf<SubmitSm>(a);
    ASSERT_EQ(s.size(), 1u) << i;
    sendTimes.push_back(h.now);
    h.submitResp(s[0].sequenceNumber, CommandStatus::Ok);
    if (i < 3) {
      const auto at = armed(a, TimerId::Throttle);
      ASSERT_TRUE(at);
      next = *at;
    }
  }
  for (std::size_t i = 1; i < sendTimes.size(); ++i)
    EXPECT_EQ(sendTimes[i] - sendTimes[i - 1], 200ms);
  EXPECT_EQ(h.session.queued(), 0u);
}

TEST(SessionSubmit, ResponseTimeoutClosesAndResendsAfterReconnect) {
  Harness h;
  h.bind();
  std::vector<SubmitSm> sent;
  for (std::uint64_t id = 1; id <= 3; ++id)
    for (auto& s : writtenOf<SubmitSm>(h.session.submit(message(id), h.now)))
      sent.push_back(s);
  ASSERT_EQ(sent.size(), 3u);
  h.submitResp(sent[1].sequenceNumber, CommandStatus::Ok);  // #2 acknowledged

  h.now += 10s;
  Actions a = h.session.onTimer(TimerId::ResponseTimeout, h.now);
  EXPECT_EQ(all<action::Close>(a).size(), 1u);
  EXPECT_EQ(h.session.state(), SessionState::Backoff);
  EXPECT_EQ(h.session.inFlight(), 0u);
  EXPECT_EQ(h.session.queued(), 2u);  // #1 and #3 kept for the next bind
  // Late bytes from the dead link are ignored.
  EXPECT_TRUE(h.submitResp(sent[0].sequenceNumber, CommandStatus::Ok).empty());

  const auto at = armed(a, TimerId::Reconnect);
  ASSERT_TRUE(at);
  h.now = *at;
  h.session.onTimer(TimerId::Reconnect, h.now);
  a = h.session.onConnected(h.now);
  BindTransceiverResp resp;
  resp.sequenceNumber = writtenOf<BindTransceiver>(a).at(0).sequenceNumber;
  a = h.feed(resp);
  const auto resent = writtenOf<SubmitSm>(a);
  ASSERT_EQ(resent.size(), 2u);
  EXPECT_EQ(resent[0].shortMessage, "msg 1");
  EXPECT_EQ(resent[1].shortMessage, "msg 3");
  for (const auto& r : resent)
    for (const auto& old : sent)
      EXPECT_NE(r.sequenceNumber, old.sequenceNumber);
  auto acked = all<action::SubmitAcked>(h.submitResp(resent[0].sequenceNumber, CommandStatus::Ok));
  ASSERT_EQ(acked.size(), 1u);
  EXPECT_EQ(acked[0].localId, 1u);
  acked = all<action::SubmitAcked>(h.submitResp(resent[1].sequenceNumber, CommandStatus::Ok));
  ASSERT_EQ(acked.size(), 1u);
  EXPECT_EQ(acked[0].localId, 3u);
}

TEST(SessionSubmit, PeerDisconnectKeepsUnackedForNextBind) {
  Harness h;
  h.bind();
  h.session.submit(message(1), h.now);
  const Actions a = h.session.onDisconnected(h.now);
  EXPECT_TRUE(all<action::Close>(a).empty());  // already closed by the peer
  EXPECT_TRUE(armed(a, TimerId::Reconnect));
  EXPECT_EQ(h.session.queued(), 1u);
}

// ---- stop, deliver -----------------------------------------------------------------------

TEST(SessionStop, UnbindsAndHandsBackTheRest) {
  Harness h;
  h.bind();
  std::vector<SubmitSm> sent;
  for (std::uint64_t id = 1; id <= 12; ++id)
    for (auto& s : writtenOf<SubmitSm>(h.session.submit(message(id), h.now)))
      sent.push_back(s);
  ASSERT_EQ(sent.size(), 10u);
  h.now += 1s;                                              // tokens again
  h.submitResp(sent[0].sequenceNumber, CommandStatus::Ok);  // frees a slot: #11 goes out
  ASSERT_EQ(h.session.queued(), 1u);

  Actions a = h.session.stop(h.now);
  const auto unbinds = writtenOf<Unbind>(a);
  ASSERT_EQ(unbinds.size(), 1u);
  EXPECT_EQ(h.session.state(), SessionState::Unbinding);
  EXPECT_TRUE(armed(a, TimerId::UnbindTimeout));
  // Responses still arriving while unbinding are honoured.
  EXPECT_EQ(
      all<action::SubmitAcked>(h.submitResp(sent[1].sequenceNumber, CommandStatus::Ok)).size(), 1u);
  // And nothing new goes out.
  EXPECT_TRUE(writtenOf<SubmitSm>(h.session.submit(message(99), h.now)).empty());

  a = h.feed(UnbindResp{unbinds[0].sequenceNumber, CommandStatus::Ok});
  EXPECT_EQ(all<action::Close>(a).size(), 1u);
  EXPECT_FALSE(armed(a, TimerId::Reconnect));
  EXPECT_EQ(h.session.state(), SessionState::Idle);
  const auto rq = all<action::Requeue>(a);
  ASSERT_EQ(rq.size(), 1u);
  std::vector<std::uint64_t> ids;
  for (const auto& m : rq[0].messages)
    ids.push_back(m.localId);
  // In flight #3..#11 (sent order), then queued #12 and #99.
  EXPECT_EQ(ids, (std::vector<std::uint64_t>{3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 99}));
  EXPECT_EQ(h.session.queued(), 0u);
  EXPECT_EQ(h.session.inFlight(), 0u);
}

TEST(SessionStop, UnbindTimeoutClosesAnyway) {
  Harness h;
  h.bind();
  h.session.submit(message(1), h.now);
  h.session.stop(h.now);
  const Actions a = h.session.onTimer(TimerId::UnbindTimeout, h.now + 5s);
  EXPECT_EQ(all<action::Close>(a).size(), 1u);
  EXPECT_EQ(h.session.state(), SessionState::Idle);
  ASSERT_EQ(all<action::Requeue>(a).size(), 1u);
  EXPECT_EQ(all<action::Requeue>(a)[0].messages.at(0).localId, 1u);
}

TEST(SessionStop, ResponseTimeoutWhileUnbindingEndsIdleNotReconnecting) {
  Harness h;
  h.bind();
  h.session.submit(message(1), h.now);
  h.session.stop(h.now);
  const Actions a = h.session.onTimer(TimerId::ResponseTimeout, h.now + 10s);
  EXPECT_EQ(all<action::Close>(a).size(), 1u);
  EXPECT_FALSE(armed(a, TimerId::Reconnect));
  EXPECT_EQ(h.session.state(), SessionState::Idle);
  ASSERT_EQ(all<action::Requeue>(a).size(), 1u);
}

TEST(SessionStop, StopWhileBackingOffCancelsReconnect) {
  Harness h;
  h.session.submit(message(5), h.now);
  h.bind(CommandStatus::SysErr);
  ASSERT_EQ(h.session.state(), SessionState::Backoff);
  const Actions a = h.session.stop(h.now);
  EXPECT_TRUE(cancelled(a, TimerId::Reconnect));
  EXPECT_EQ(h.session.state(), SessionState::Idle);
  ASSERT_EQ(all<action::Requeue>(a).size(), 1u);
  EXPECT_EQ(all<action::Requeue>(a)[0].messages.at(0).localId, 5u);
  EXPECT_TRUE(h.session.onTimer(TimerId::Reconnect, h.now + 1h).empty());
}

TEST(SessionSubmit, ReceiverBindHandsSubmitsStraightBack) {
  SessionOptions o = testOptions();
  o.mode = BindMode::Receiver;
  Harness h(o);
  h.session.start(h.now);
  EXPECT_EQ(writtenOf<BindReceiver>(h.session.onConnected(h.now)).size(), 1u);
  const auto rq = all<action::Requeue>(h.session.submit(message(8), h.now));
  ASSERT_EQ(rq.size(), 1u);
  EXPECT_EQ(rq[0].messages.at(0).localId, 8u);
  EXPECT_EQ(h.session.queued(), 0u);
}

TEST(SessionLink, RequestAnEsmeNeverGetsIsNacked) {
  Harness h;
  h.bind();
  SubmitSm s;
  s.sequenceNumber = 12;
  const auto nacks = writtenOf<GenericNack>(h.feed(s));
  ASSERT_EQ(nacks.size(), 1u);
  EXPECT_EQ(nacks[0].sequenceNumber, 12u);
  EXPECT_EQ(nacks[0].commandStatus, CommandStatus::InvCmdId);
}

TEST(SessionDeliver, DeliverSmIsAnsweredOnlyByAcknowledge) {
  Harness h;
  h.bind();
  DeliverSm d;
  d.sequenceNumber = 555;
  d.source = {1, 1, "255700000001"};
  d.shortMessage = "BAL";
  Actions a = h.feed(d);
  const auto del = all<action::Deliver>(a);
  ASSERT_EQ(del.size(), 1u);
  ASSERT_TRUE(std::holds_alternative<DeliverSm>(del[0].pdu));
  EXPECT_EQ(std::get<DeliverSm>(del[0].pdu).shortMessage, "BAL");
  EXPECT_TRUE(all<action::Write>(a).empty());  // not acknowledged before the commit

  a = h.session.acknowledge(555, CommandStatus::MsgQFul, h.now);
  const auto resp = writtenOf<DeliverSmResp>(a);
  ASSERT_EQ(resp.size(), 1u);
  EXPECT_EQ(resp[0].sequenceNumber, 555u);
  EXPECT_EQ(resp[0].commandStatus, CommandStatus::MsgQFul);
  // Twice is a no-op.
  EXPECT_TRUE(all<action::Write>(h.session.acknowledge(555, CommandStatus::Ok, h.now)).empty());
}

TEST(SessionDeliver, DataSmGetsDataSmResp) {
  Harness h;
  h.bind();
  DataSm d;
  d.sequenceNumber = 31;
  d.source = {1, 1, "255700000001"};
  ASSERT_EQ(all<action::Deliver>(h.feed(d)).size(), 1u);
  const auto resp = writtenOf<DataSmResp>(h.session.acknowledge(31, CommandStatus::Ok, h.now));
  ASSERT_EQ(resp.size(), 1u);
  EXPECT_EQ(resp[0].sequenceNumber, 31u);
}

TEST(SessionSubmit, SequenceNumbersStayInRange) {
  SessionOptions o = testOptions();
  o.window = 1;
  Harness h(o);
  h.bind();
  std::uint32_t last = 0;
  for (std::uint64_t id = 1; id <= 50; ++id) {
    h.now += 1s;  // a fresh token each time (burst 1)
    const auto s = writtenOf<SubmitSm>(h.session.submit(message(id), h.now)).at(0);
    EXPECT_GE(s.sequenceNumber, 1u);
    EXPECT_LE(s.sequenceNumber, 0x7FFFFFFFu);
    EXPECT_NE(s.sequenceNumber, last);
    last = s.sequenceNumber;
    h.submitResp(s.sequenceNumber, CommandStatus::Ok);
  }
}

}  // namespace
}  // namespace mfigw::smpp
