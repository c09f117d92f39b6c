// asyncCommit: the durable group-commit writer's submit() as an Asio awaitable.
//
// Purpose:   Coroutines (the sync windows) wait for a store commit with co_await; the
//            completion is posted back to the awaiting coroutine's executor, whatever
//            thread the writer reports from.
// Threading: Call from the coroutine's executor; `work` runs on the writer's thread.
// Errors:    The commit's std::error_code (map_full, write_failed...) is the result.
// Ownership: `work` must live until the completion (the awaiting frame holds it).
#pragma once

#include <memory>
#include <system_error>
#include <utility>

#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/post.hpp>

#include "store/group_commit_writer.hpp"

namespace mfigw::gateway {

template <typename Token>
auto asyncCommit(store::GroupCommitWriter& writer, const store::GroupCommitWriter::Work& work,
                 Token&& token) {
  namespace asio = boost::asio;
  return asio::async_initiate<Token, void(std::error_code)>(
      [&writer, &work](auto handler) {
        auto executor = asio::get_associated_executor(handler);
        auto shared = std::make_shared<decltype(handler)>(std::move(handler));
        writer.submit(work, [shared, executor](std::error_code ec) {
          asio::post(executor, [shared, ec]() mutable { std::move (*shared)(ec); });
        });
      },
      token);
}

}  // namespace mfigw::gateway
