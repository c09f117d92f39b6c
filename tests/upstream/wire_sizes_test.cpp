// The size of the protocol's bodies, without sockets: bytes per loan of a changes page, raw
// and gzipped, for 1, 100 and 1,000 loans (the figures in docs/upstream-protocol.md come
// from this test and from SyncPull.BytesPerSyncedLoanGzipped).
#include <gtest/gtest.h>

#include <iostream>

#include "gateway/upstream_codec.hpp"
#include "gateway/upstream_gzip.hpp"
#include "tests/upstream/loan_generator.hpp"

namespace mfigw::testing {
namespace {

TEST(UpstreamWire, BytesPerLoanOfAChangesPage) {
  for (const std::size_t n : {std::size_t{1}, std::size_t{100}, std::size_t{1000}}) {
    gateway::ChangePage page;
    page.feed = gateway::UpstreamFeed::Loans;
    page.loans = generateLoans(n, 8);
    for (std::size_t i = 0; i < n; ++i)
      page.loans[i].ver = 1709251200000 + i;
    page.next = {page.loans.back().ver, page.loans.back().loanId};
    page.hasMore = true;
    const std::string raw = gateway::encodeChangePage(page);
    const std::string packed = gateway::gzip(raw);
    const double rawPerLoan = static_cast<double>(raw.size()) / static_cast<double>(n);
    const double gzipPerLoan = static_cast<double>(packed.size()) / static_cast<double>(n);
    std::cout << "page of " << n << " loans: " << raw.size() << " B raw (" << rawPerLoan
              << " B/loan), " << packed.size() << " B gzip (" << gzipPerLoan << " B/loan)\n";
    if (n == 1) std::cout << "one record: " << raw << "\n";
    // What the page decodes to is what was encoded.
    const gateway::ChangePage back = gateway::decodeChangePage(raw, gateway::UpstreamFeed::Loans);
    ASSERT_EQ(back.loans.size(), n);
    EXPECT_EQ(back.loans.back(), page.loans.back());
    if (n >= 100) {
      EXPECT_LT(gzipPerLoan, rawPerLoan / 3);
    }
  }
}

}  // namespace
}  // namespace mfigw::testing
