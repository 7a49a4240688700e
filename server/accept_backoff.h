// What the listeners (RESP and HTTP) do when accept() fails for lack of resources.
//
// Contract: IsResourceShortage() tells a failure that means "no descriptors or memory right now"
// from one that concerns a single connection; on a shortage the caller waits kAcceptBackoff
// before accepting again, because the pending connection stays in the backlog and retrying at
// once would spin the loop.
#pragma once

#include <cerrno>
#include <chrono>

#include <boost/asio/error.hpp>
#include <boost/system/error_code.hpp>

namespace drayman {

inline constexpr auto kAcceptBackoff = std::chrono::milliseconds(100);

inline bool IsResourceShortage(const boost::system::error_code& error) {
  namespace asio = boost::asio;
  return error == asio::error::no_descriptors || error.value() == ENFILE ||
         error == asio::error::no_buffer_space || error == asio::error::no_memory;
}

}  // namespace drayman
