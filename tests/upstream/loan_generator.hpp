// Synthetic but realistic loan snapshots for the sync tests and the bytes-per-loan figure:
// seeded, so every run sends the same bytes. Values follow reference/upstream.md section 4.3
// (amounts in minor units, Kenyan phone numbers, 8 product names, 60 officers, 2-3 unpaid
// installments, some loans in arrears).
#pragma once

#include <array>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "store/day_number.hpp"
#include "store/loan_snapshot.hpp"

namespace mfigw::testing {

inline std::vector<store::LoanSnapshot> generateLoans(std::size_t count, std::uint16_t branches,
                                                      std::uint32_t seed = 42,
                                                      std::size_t firstIndex = 0) {
  static const std::vector<std::string> kProducts = {"Biashara", "Kilimo", "Elimu", "Nyumba",
                                                     "Jijenge",  "Mwanzo", "Afya",  "Boda"};
  std::mt19937 rng(seed);
  const auto pick = [&rng](std::uint32_t lo, std::uint32_t hi) {
    return std::uniform_int_distribution<std::uint32_t>(lo, hi)(rng);
  };
  const store::DayNumber today = store::toDayNumber(2024, 3, 1);
  std::vector<store::LoanSnapshot> out;
  out.reserve(count);
  for (std::size_t n = firstIndex; n < firstIndex + count; ++n) {
    store::LoanSnapshot l;
    l.loanId = fmt::format("L{:07}", n);
    l.accountNo = fmt::format("{:09}", 100000000 + n * 7);
    l.clientId = fmt::format("C{:06}", n * 4 / 5);
    l.msisdn = fmt::format("2547{:08}", pick(0, 99999999));
    l.language = std::array{"sw", "en", "sw", "lg"}[pick(0, 3)];
    l.currency = "KES";
    l.decimals = 2;
    l.disbursed = static_cast<std::int64_t>(pick(5, 500)) * 1000 * 100;  // round thousands
    l.principalOutstanding = l.disbursed * pick(5, 95) / 100;
    l.totalOutstanding = l.principalOutstanding + l.principalOutstanding * pick(3, 12) / 100;
    const bool arrears = pick(0, 9) == 0;
    l.status = arrears ? store::LoanStatus::Arrears : store::LoanStatus::Active;
    const std::int64_t installment = l.disbursed / 12;
    if (arrears) {
      l.totalOverdue = installment * pick(1, 3);
      l.overdueSince = today - static_cast<store::DayNumber>(pick(1, 90));
    }
    const bool weekly = pick(0, 2) == 0;
    store::DayNumber due = today + static_cast<store::DayNumber>(pick(1, weekly ? 7 : 30));
    const std::uint32_t upcoming = pick(2, 3);
    for (std::uint32_t i = 0; i < upcoming; ++i) {
      l.installments.push_back({due, installment, 0});
      due += weekly ? 7 : 30;
    }
    if (pick(0, 4) == 0) l.installments.front().flags = 1;  // partly paid
    l.lastPaymentDay = today - static_cast<store::DayNumber>(pick(1, 40));
    l.lastPaymentAmount = installment;
    l.product = kProducts[pick(0, static_cast<std::uint32_t>(kProducts.size() - 1))];
    l.officer = fmt::format("Officer {:02}", pick(1, 60));
    l.branch = static_cast<std::uint16_t>(1 + n % branches);
    if (pick(0, 49) == 0) l.flags = static_cast<std::uint8_t>(store::LoanFlag::Paused);
    out.push_back(std::move(l));
  }
  return out;
}

}  // namespace mfigw::testing
