// drayman._native: the real Drayman server, started in-process on its own event-loop thread.
//
// Contract: NativeServer(args) parses Redis-style arguments exactly as drayman-server does
// ("--port", "0", "--requirepass", "x", ...); start() binds (so port 0 resolves) and runs the
// loop on a new thread; stop() closes every connection and joins. Neither holds the GIL while it
// waits, so Python threads (and clients in this process) keep running. Several servers may run
// in one process: each owns its io_context, engine and thread.
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "broker/config/config.h"
#include "broker/engine.h"
#include "server/server.h"

namespace py = pybind11;

namespace {

class NativeServer {
 public:
  explicit NativeServer(const std::vector<std::string>& args) {
    std::vector<const char*> argv = {"drayman"};
    for (const std::string& arg : args) argv.push_back(arg.c_str());
    drayman::Config config;
    std::string error;
    if (!config.ParseCommandLine(static_cast<int>(argv.size()), argv.data(), &error)) {
      throw std::invalid_argument(error);
    }
    server_ = std::make_unique<drayman::Server>(std::move(config));
  }

  void Start() {
    py::gil_scoped_release release;
    server_->Start();
  }

  void Stop() {
    py::gil_scoped_release release;
    server_->Stop();
  }

  int port() const { return server_->port(); }
  // True once the server stopped by itself (a client's SHUTDOWN) or through stop().
  bool stopped() const { return server_->stopped(); }

 private:
  std::unique_ptr<drayman::Server> server_;
};

}  // namespace

PYBIND11_MODULE(_native, module) {
  module.doc() = "The Drayman server, in-process";
  module.attr("version") = std::string(drayman::kDraymanVersion);
  module.attr("redis_version") = std::string(drayman::kRedisCompatVersion);
  py::class_<NativeServer>(module, "NativeServer")
      .def(py::init<const std::vector<std::string>&>(), py::arg("args"))
      .def("start", &NativeServer::Start)
      .def("stop", &NativeServer::Stop)
      .def_property_readonly("port", &NativeServer::port)
      .def_property_readonly("stopped", &NativeServer::stopped);
}
