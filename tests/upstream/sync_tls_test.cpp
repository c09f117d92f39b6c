// Sync over TLS on 127.0.0.1: the certificate is verified (chain and name), a wrong CA or
// name never gets a byte of data through, and a server that asks for a client certificate
// gets one when configured. The certificates are the simulator's test fixtures
// (tests/smpp_sim/data: self-signed, CN smsc.test, SANs DNS:smsc.test and IP:127.0.0.1).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <iostream>

#include "tests/upstream/loan_generator.hpp"
#include "tests/upstream/sync_harness.hpp"

namespace mfigw::testing {
namespace {

using ::testing::HasSubstr;

const std::string kCerts = MFIGW_SOURCE_DIR "/tests/smpp_sim/data/";

ReferenceUpstreamOptions tlsServer(bool requireClientCert = false) {
  ReferenceUpstreamOptions o;
  o.tls = ReferenceTls{kCerts + "smsc.crt", kCerts + "smsc.key",
                       requireClientCert ? kCerts + "smsc.crt" : ""};
  return o;
}

TEST(SyncTls, VerifiedConnectionCarriesTheSync) {
  SyncHarness h(tlsServer());
  h.server->putLoans(generateLoans(600, 2));
  gateway::UpstreamOptions o = h.options();
  ASSERT_TRUE(o.client.url.tls);
  o.client.tls.caFile = kCerts + "smsc.crt";  // checked against the IP SAN 127.0.0.1
  h.startSync(o);
  ASSERT_TRUE(h.windowsDone(1)) << h.status().lastError;
  EXPECT_EQ(h.localLoanCount(), 600u);
  EXPECT_EQ(h.status().connections, 1u);  // one handshake for the whole window

  o.client.tls.serverName = "smsc.test";  // or by name
  h.restartSync(o);
  ASSERT_TRUE(h.windowsDone(1)) << h.status().lastError;
}

TEST(SyncTls, AWrongCaOrNameNeverSyncs) {
  SyncHarness h(tlsServer());
  h.server->putLoans(generateLoans(10, 1));
  gateway::UpstreamOptions o = h.options();
  o.client.tls.caFile = kCerts + "other.crt";
  h.startSync(o);
  ASSERT_TRUE(h.runUntil([&] { return h.status().windowsFailed >= 1; }));
  EXPECT_EQ(h.status().lastFailureKind, "tls");
  EXPECT_THAT(h.status().lastError, HasSubstr("certificate"));

  o.client.tls.caFile = kCerts + "smsc.crt";
  o.client.tls.serverName = "upstream.example";  // not in the certificate
  h.restartSync(o);
  ASSERT_TRUE(h.runUntil([&] { return h.status().windowsFailed >= 1; }));
  EXPECT_EQ(h.status().lastFailureKind, "tls");
  EXPECT_EQ(h.localLoanCount(), 0u);
  EXPECT_EQ(h.server->requestCount(), 0u);
}

TEST(SyncTls, ClientCertificateWhenTheServerAsksForOne) {
  SyncHarness h(tlsServer(/*requireClientCert=*/true));
  h.server->putLoans(generateLoans(10, 1));
  gateway::UpstreamOptions o = h.options();
  o.client.tls.caFile = kCerts + "smsc.crt";
  h.startSync(o);
  ASSERT_TRUE(h.runUntil([&] { return h.status().windowsFailed >= 1; }));
  EXPECT_EQ(h.server->requestCount(), 0u);  // no certificate, no request

  o.client.tls.certFile = kCerts + "smsc.crt";
  o.client.tls.keyFile = kCerts + "smsc.key";
  h.restartSync(o);
  ASSERT_TRUE(h.windowsDone(1)) << h.status().lastError;
  EXPECT_EQ(h.localLoanCount(), 10u);
}

// The fixed cost of a window over TLS (a full handshake: no session resumption), for the
// figure in docs/upstream-protocol.md.
TEST(SyncTls, BytesOfAWindowWithNothingToMove) {
  SyncHarness h(tlsServer());
  gateway::UpstreamOptions o = h.options();
  o.client.tls.caFile = kCerts + "smsc.crt";
  h.startSync(o);
  ASSERT_TRUE(h.windowsDone(1)) << h.status().lastError;  // pulls nothing, reconciles once
  const auto first = h.status();
  ASSERT_TRUE(h.sync->syncNow());
  ASSERT_TRUE(h.windowsDone(2)) << h.status().lastError;
  const auto second = h.status();
  const std::uint64_t in = second.bytesIn - first.bytesIn;
  const std::uint64_t out = second.bytesOut - first.bytesOut;
  std::cout << "empty window over TLS: " << in << " B in, " << out << " B out\n";
  RecordProperty("empty_tls_window_bytes", std::to_string(in + out));
  EXPECT_GT(in + out, 1000u);  // a handshake happened
}

}  // namespace
}  // namespace mfigw::testing
