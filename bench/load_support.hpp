// bench/load_support.hpp: what the load generators that run the real daemon share.
//
// Purpose:   A phone number per borrower index, a loan book seeded straight into the
//            daemon's LMDB store before it starts (one client and one loan per phone), a
//            listening socket and a free port on 127.0.0.1, and a process's CPU time and
//            resident memory from /proc.
// Threading: Plain functions; one thread.
// Errors:    listenLoopback() returns 0 when it cannot listen (the caller says why and
//            exits); the store throws like the store does.
// Ownership: Callers own the sockets they get.
#pragma once

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "store/business_tables.hpp"
#include "store/day_number.hpp"
#include "store/env.hpp"

namespace mfigw::bench {

inline std::string phoneOf(std::size_t i) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "2547%08zu", i % 100000000);
  return buf;
}

struct SeedShape {
  std::uint32_t branches = 0;  // clients spread over branches 1..N; 0: all in branch 7
  bool spreadDue = false;      // due dates over the next month (else all in 5 and 35 days)
};

// One borrower and one loan per phone, in transactions of 10,000 (bounded dirty pages).
inline void seedLoanBook(const std::filesystem::path& data, std::size_t count,
                         SeedShape shape = {}) {
  std::filesystem::create_directories(data);
  store::EnvOptions options;
  options.path = data.string();
  options.mapSize = 256ull << 20;
  options.maxMapSize = 4ull << 30;
  store::Env env(options);
  const store::BusinessTables tables = store::openBusinessTables(env);
  const auto today = store::dayOfUnixSeconds(std::time(nullptr));
  for (std::size_t from = 0; from < count; from += 10000) {
    env.write([&](store::WriteTxn& txn) {
      for (std::size_t i = from; i < std::min(count, from + 10000); ++i) {
        const std::string phone = phoneOf(i);
        store::Client client;
        client.cid = "C" + phone;
        client.msisdn = phone;
        client.shortName = "Client";
        client.language = "en";
        client.homeBranch =
            shape.branches == 0 ? 7 : static_cast<std::uint32_t>(i % shape.branches + 1);
        tables.loanBook.upsertClient(txn, client);
        store::LoanSnapshot loan;
        loan.loanId = "L" + phone;
        loan.accountNo = phone.substr(4);
        loan.clientId = client.cid;
        loan.msisdn = phone;
        loan.language = "en";
        loan.currency = "KES";
        loan.decimals = 2;
        loan.disbursed = 2000000;
        loan.principalOutstanding = 1200000;
        loan.totalOutstanding = 1250000;
        const auto due =
            shape.spreadDue ? today + 1 + static_cast<std::int32_t>(i % 30) : today + 5;
        loan.installments = {{due, 250000, 0}, {due + 30, 250000, 0}};
        loan.officer = "Joseph";
        loan.branch = client.homeBranch;
        loan.ver = i + 1;
        loan.asOf = static_cast<std::uint32_t>(std::time(nullptr));
        tables.loanBook.upsertLoan(txn, loan);
      }
    });
  }
}

// A listening TCP socket on 127.0.0.1 (an ephemeral port); the port, or 0.
inline std::uint16_t listenLoopback(int& fd) {
  fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), len) != 0 || ::listen(fd, 4) != 0) return 0;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  return ntohs(addr.sin_port);
}

// A port on 127.0.0.1 nobody listens on right now (for the daemon's admin server).
inline std::uint16_t freePort() {
  int fd = -1;
  const std::uint16_t port = listenLoopback(fd);
  ::close(fd);
  return port;
}

// CPU seconds (user + system) of a process.
inline double cpuSeconds(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  std::getline(in, line);
  std::istringstream rest(line.substr(line.rfind(')') + 2));
  std::string field;
  unsigned long utime = 0, stime = 0;
  for (int i = 3; i <= 15 && rest >> field; ++i) {
    if (i == 14) utime = std::stoul(field);
    if (i == 15) stime = std::stoul(field);
  }
  return static_cast<double>(utime + stime) / static_cast<double>(::sysconf(_SC_CLK_TCK));
}

// Resident KiB of a process, or -1.
inline long rssKiB(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
  }
  return -1;
}

}  // namespace mfigw::bench
