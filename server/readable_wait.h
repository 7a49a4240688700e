// ReadableWait: "tell me when this socket has bytes", with no syscall per wait.
//
// Contract: Start() queues one wait on the socket's descriptor in the io_context's reactor;
// the callback runs on the loop thread once the descriptor is readable (or has an error or
// EOF, or the socket was closed: then with the error Asio reports). The caller must then read
// until a short read or EAGAIN before it starts the next wait (the reactor is edge-triggered),
// or post its own continuation. One wait per ReadableWait at a time, always on the same
// io_context (its reactor is looked up once); `keep_alive` is held until the callback runs, or
// until the io_context abandons the wait at destruction.
//
// Why not Asio's public API: in Boost 1.81, `async_wait(wait_read)` re-arms the descriptor with
// epoll_ctl on every call, and a queued `async_read_some` first tries a recv at once (EAGAIN when
// the client is waiting for its reply), so either costs one syscall per request more than Redis
// (epoll_wait, read, write). This operation answers the reactor's immediate attempt with
// "done, exhausted": it completes at once only when the reactor saw an edge since the last wait
// (bytes may be waiting), and otherwise stays queued without a syscall until epoll reports the
// descriptor. It uses Asio's reactor_op and epoll_reactor::start_op (boost/asio/detail), so it is
// pinned to the Boost version it was written against.
#pragma once

#include <boost/asio.hpp>
#include <boost/asio/detail/reactor.hpp>
#include <boost/asio/detail/reactor_op.hpp>
#include <boost/version.hpp>
#include <cstddef>
#include <memory>
#include <utility>

static_assert(BOOST_VERSION / 100 == 1081,
              "ReadableWait relies on Boost.Asio 1.81's reactor_op and epoll_reactor::start_op; "
              "check them before building with another Boost");

namespace drayman {

// A stream socket that lets ReadableWait reach its reactor registration.
class ReactorSocket : public boost::asio::generic::stream_protocol::socket {
 public:
  using Base = boost::asio::generic::stream_protocol::socket;
  explicit ReactorSocket(Base&& socket) : Base(std::move(socket)) {}

  boost::asio::detail::reactive_socket_service_base::base_implementation_type& reactor_impl() {
    return impl_.get_implementation();
  }
};

class ReadableWait : private boost::asio::detail::reactor_op {
 public:
  using Callback = void (*)(void* target, const boost::system::error_code& error);

  ReadableWait() : reactor_op(boost::system::error_code(), &Perform, &Complete) {}
  ReadableWait(const ReadableWait&) = delete;
  ReadableWait& operator=(const ReadableWait&) = delete;

  void Start(boost::asio::io_context& io, ReactorSocket& socket, std::shared_ptr<void> keep_alive,
             Callback callback, void* target) {
    keep_alive_ = std::move(keep_alive);
    callback_ = callback;
    target_ = target;
    ec_ = boost::system::error_code();
    // use_service locks the io_context's service registry and compares type names: looked up
    // once per wait object (its socket never changes io_context), not once per request.
    if (reactor_ == nullptr) reactor_ = &boost::asio::use_service<boost::asio::detail::reactor>(io);
    auto& impl = socket.reactor_impl();
    reactor_->start_op(boost::asio::detail::reactor::read_op, impl.socket_, impl.reactor_data_,
                       this, /*is_continuation=*/false, /*allow_speculative=*/true);
  }

 private:
  // No syscall: the caller reads. "Exhausted" makes the reactor stop trying at once until the
  // next epoll edge on this descriptor.
  static status Perform(reactor_op*) { return done_and_exhausted; }

  static void Complete(void* owner, boost::asio::detail::operation* base,
                       const boost::system::error_code&, std::size_t) {
    auto* self = static_cast<ReadableWait*>(base);
    // Moved out first: releasing it may destroy the object that owns this wait.
    std::shared_ptr<void> keep_alive = std::move(self->keep_alive_);
    if (owner == nullptr) return;  // abandoned: the io_context is being destroyed
    const boost::system::error_code error = self->ec_;
    self->callback_(self->target_, error);
  }

  boost::asio::detail::reactor* reactor_ = nullptr;
  std::shared_ptr<void> keep_alive_;
  Callback callback_ = nullptr;
  void* target_ = nullptr;
};

}  // namespace drayman
