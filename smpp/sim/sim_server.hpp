// smpp/sim/sim_server.hpp: runs an SmscSimulator on TCP (Asio), for tests, benchmarks and the
// mfi-smsc-sim tool.
//
// Purpose:   listens (127.0.0.1, port 0 allowed), feeds each connection's bytes to one shared
//            SmscSimulator and executes its actions: queued writes per socket, closes, the
//            simulator's single timer. Commands change the simulator's behaviour at run time.
// Threading: one io_context run by one thread (start(): a thread of its own; run(): the
//            caller's). Every public method may be called from any other thread: it is posted
//            to the io_context and returns once it has taken effect (called from the io thread
//            itself, or before start(), it runs inline).
// Errors:    the constructor throws boost::system::system_error when it cannot listen, and
//            std::runtime_error naming the file when it cannot load a TLS file. Socket errors close
//            that connection only (the simulator records the close); a failed TLS handshake never
//            reaches the simulator.
// Ownership: owns the io_context, the sockets and the simulator.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <future>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <type_traits>
#include <utility>

#include "smpp/sim/smsc_simulator.hpp"

namespace mfigw::smpp::sim {

// SMPP over TLS on the simulator's port (PEM files), to test ESMEs that use TLS.
struct SimTls {
  std::string certFile;
  std::string keyFile;
};

class SimServer {
 public:
  explicit SimServer(SimulatorOptions options, const std::string& host = "127.0.0.1",
                     std::uint16_t port = 0, std::optional<SimTls> tls = std::nullopt);
  ~SimServer();
  SimServer(const SimServer&) = delete;
  SimServer& operator=(const SimServer&) = delete;

  std::uint16_t port() const { return port_; }
  // Runs the io_context on a background thread.
  void start();
  // Runs the io_context on the calling thread until stop() (from another thread).
  void run();
  // Closes the listener and every connection and waits for the io thread. Idempotent.
  void stop();

  // Commands: see SmscSimulator.
  void throttleNext(std::size_t count);
  void failNext(std::size_t count, CommandStatus status);
  void setThrottleTps(double tps);
  void setResponseDelay(std::chrono::milliseconds delay);
  void setReceiptDelay(std::chrono::milliseconds delay);
  void setReceiptOutcome(MessageState outcome, std::optional<double> deliveredRatio = {});
  void setAnswering(bool answering);
  void dropAll();
  void dropAfter(std::size_t count);
  // The connection and sequence number used, or nullopt when no receiver is bound.
  std::optional<std::pair<ConnectionId, std::uint32_t>> injectMo(MoMessage mo);
  std::optional<std::pair<ConnectionId, std::uint32_t>> startUssd(std::string msisdn,
                                                                  std::string serviceCode,
                                                                  std::string sessionInfo);
  std::optional<std::pair<ConnectionId, std::uint32_t>> ussdInput(std::string msisdn,
                                                                  std::string serviceCode,
                                                                  std::string input,
                                                                  std::string sessionInfo);
  std::optional<std::pair<ConnectionId, std::uint32_t>> ussdOp(std::string msisdn,
                                                               std::string serviceCode,
                                                               std::string text, std::uint8_t op,
                                                               std::string sessionInfo);
  // index: into sentDeliveries() (inspect() it to find the one to send again).
  std::optional<std::pair<ConnectionId, std::uint32_t>> redeliverUssd(std::size_t index);
  void setUssdDialect(UssdDialectOptions dialect);

  Counters counters();
  // Runs f(simulator) on the io thread and returns its result (copy what you need out).
  template <typename F>
  auto inspect(F f) -> std::invoke_result_t<F, const SmscSimulator&> {
    using R = std::invoke_result_t<F, const SmscSimulator&>;
    std::promise<R> done;
    auto fut = done.get_future();
    call([&] {
      if constexpr (std::is_void_v<R>) {
        f(std::as_const(*sim_));
        done.set_value();
      } else {
        done.set_value(f(std::as_const(*sim_)));
      }
    });
    return fut.get();
  }

 private:
  // Asio lives in the .cpp only, so this header stays light for its users.
  struct Impl;
  // Runs fn on the io thread and waits for it (inline when that is this thread or none runs).
  void call(std::function<void()> fn);

  std::unique_ptr<Impl> impl_;
  SmscSimulator* sim_ = nullptr;  // owned by impl_
  std::uint16_t port_ = 0;
  std::thread thread_;
  std::atomic<bool> running_{false};
  std::atomic<bool> stopped_{false};
};

}  // namespace mfigw::smpp::sim
