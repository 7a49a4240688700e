// HttpListener and the admin routes, over real loopback sockets: routing, keep-alive, Basic auth
// against requirepass, the size limits and the timeouts that protect the loop.
#include "server/http/http_listener.h"

#include <gtest/gtest.h>

#include <boost/asio.hpp>
#include <string>
#include <thread>

#include "broker/acl/acl.h"
#include "broker/clock.h"
#include "broker/engine.h"
#include "server/server.h"
#include "tests/server/loopback.h"

namespace drayman {
namespace {

// Reads one HTTP response (header, then Content-Length bytes); "" on EOF or timeout first.
std::string ReadResponse(LoopbackSocket& socket) {
  std::string response;
  while (response.find("\r\n\r\n") == std::string::npos) {
    std::string byte = socket.Read(1);
    if (byte.empty()) return response;
    response += byte;
  }
  const size_t header_end = response.find("\r\n\r\n") + 4;
  const size_t length_at = response.find("Content-Length: ");
  if (length_at == std::string::npos || length_at > header_end) return response;
  const size_t length = std::stoul(response.substr(length_at + 16));
  return response + socket.Read(length);
}

std::string Get(const std::string& path, const std::string& extra_headers = "") {
  return "GET " + path + " HTTP/1.1\r\nHost: localhost\r\n" + extra_headers + "\r\n";
}

Config HttpConfig(const std::vector<std::string>& extra = {}) {
  Config config = LoopbackConfig();
  std::string error;
  EXPECT_TRUE(config.Set("http-port", {"0"}, true, &error)) << error;
  for (size_t i = 0; i + 1 < extra.size(); i += 2) {
    EXPECT_TRUE(config.Set(extra[i], {extra[i + 1]}, true, &error)) << error;
  }
  return config;
}

TEST(HttpListenerTest, ServesMetricsOnTheServersLoopAndKeepsTheConnectionAlive) {
  Server server(HttpConfig());
  server.Start();
  ASSERT_GT(server.http_port(), 0);
  LoopbackSocket http(server.http_port());
  ASSERT_TRUE(http.connected());
  http.Send(Get("/metrics"));
  const std::string first = ReadResponse(http);
  EXPECT_EQ(first.rfind("HTTP/1.1 200 OK\r\n", 0), 0u) << first;
  EXPECT_NE(first.find("Content-Type: text/plain; version=0.0.4"), std::string::npos);
  EXPECT_NE(first.find("\nredis_up 1\n"), std::string::npos);
  // Same connection: keep-alive.
  http.Send(Get("/nothing-here"));
  EXPECT_EQ(ReadResponse(http).rfind("HTTP/1.1 404 Not Found\r\n", 0), 0u);
  http.Send("POST /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n");
  const std::string wrong_method = ReadResponse(http);
  EXPECT_EQ(wrong_method.rfind("HTTP/1.1 405 Method Not Allowed\r\n", 0), 0u);
  EXPECT_NE(wrong_method.find("Allow: GET\r\n"), std::string::npos);
  // The RESP listener is unaffected, and CONFIG GET reports the bound HTTP port.
  LoopbackSocket resp(server.port());
  const std::string port = std::to_string(server.http_port());
  const std::string expected =
      "*2\r\n$9\r\nhttp-port\r\n$" + std::to_string(port.size()) + "\r\n" + port + "\r\n";
  EXPECT_EQ(resp.RoundTrip("CONFIG GET http-port\r\n", expected.size()), expected);
  server.Stop();
}

TEST(HttpListenerTest, HeadAnswersTheGetHeadersWithoutABody) {
  Server server(HttpConfig());
  server.Start();
  LoopbackSocket http(server.http_port());
  http.Send("HEAD /metrics HTTP/1.1\r\nHost: x\r\n\r\n");
  std::string response;
  while (response.find("\r\n\r\n") == std::string::npos) {
    std::string byte = http.Read(1);
    if (byte.empty()) break;
    response += byte;
  }
  EXPECT_EQ(response.rfind("HTTP/1.1 200 OK\r\n", 0), 0u);
  EXPECT_NE(response.find("Content-Length: "), std::string::npos);
  http.Send(Get("/metrics"));  // the next response starts right away: no body was sent
  EXPECT_EQ(ReadResponse(http).rfind("HTTP/1.1 200 OK\r\n", 0), 0u);
  server.Stop();
}

TEST(HttpListenerTest, RequirepassAsksForBasicCredentials) {
  Server server(HttpConfig({"requirepass", "s3cret"}));
  server.Start();
  LoopbackSocket http(server.http_port());
  http.Send(Get("/metrics"));
  const std::string refused = ReadResponse(http);
  EXPECT_EQ(refused.rfind("HTTP/1.1 401 Unauthorized\r\n", 0), 0u) << refused;
  EXPECT_NE(refused.find("WWW-Authenticate: Basic realm=\"drayman\"\r\n"), std::string::npos);
  EXPECT_EQ(refused.find("redis_up"), std::string::npos);
  // "anyone:wrong" and "anyone:s3cret" in base64.
  http.Send(Get("/metrics", "Authorization: Basic YW55b25lOndyb25n\r\n"));
  EXPECT_EQ(ReadResponse(http).rfind("HTTP/1.1 401", 0), 0u);
  http.Send(Get("/metrics", "Authorization: Basic YW55b25lOnMzY3JldA==\r\n"));
  const std::string allowed = ReadResponse(http);
  EXPECT_EQ(allowed.rfind("HTTP/1.1 200 OK\r\n", 0), 0u) << allowed;
  EXPECT_NE(allowed.find("\nredis_up 1\n"), std::string::npos);
  server.Stop();
}

TEST(HttpListenerTest, OversizedHeaderOrBodyIsRefusedAndClosed) {
  Server server(HttpConfig());
  server.Start();
  {
    LoopbackSocket http(server.http_port());
    http.Send(Get("/metrics", "X-Padding: " + std::string(16 * 1024, 'a') + "\r\n"));
    const std::string response = ReadResponse(http);
    EXPECT_EQ(response.rfind("HTTP/1.1 431 ", 0), 0u) << response.substr(0, 100);
    EXPECT_EQ(http.Read(1), "");  // closed
  }
  {
    LoopbackSocket http(server.http_port());
    http.Send("POST /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: 10000000\r\n\r\n");
    EXPECT_EQ(ReadResponse(http).rfind("HTTP/1.1 413 ", 0), 0u);
    EXPECT_EQ(http.Read(1), "");
  }
  {
    LoopbackSocket http(server.http_port());
    http.Send("NOT AN HTTP REQUEST\r\n\r\n");
    EXPECT_EQ(ReadResponse(http).rfind("HTTP/1.1 400 ", 0), 0u);
  }
  server.Stop();
}

// A listener on its own loop with short limits: a client that sends half a request is dropped
// when the request timeout passes, and connections past the maximum are closed at once.
TEST(HttpListenerTest, SlowClientsAreDroppedAndConnectionsAreCapped) {
  boost::asio::io_context io;
  HttpRouter router;
  router.Add("GET", "/", [](const HttpRequest&) { return HttpResponse::Text(200, "ok"); });
  HttpListener::Limits limits;
  limits.request_timeout = std::chrono::milliseconds(200);
  limits.max_connections = 2;
  HttpListener listener(
      io, router,
      [](std::string_view) {
        return HttpAuthResult{true, ""};
      },
      limits);
  std::string error;
  ASSERT_TRUE(listener.Listen({"127.0.0.1"}, 0, &error)) << error;
  std::thread loop([&io] {
    auto guard = boost::asio::make_work_guard(io);
    io.run();
  });
  LoopbackSocket slow(listener.port());
  slow.Send("GET / HTTP/1.1\r\nHo");  // never finished
  LoopbackSocket second(listener.port());
  second.Send(Get("/"));
  EXPECT_EQ(ReadResponse(second).rfind("HTTP/1.1 200 OK", 0), 0u);
  LoopbackSocket third(listener.port());  // over the cap of 2
  EXPECT_EQ(third.Read(1), "");
  EXPECT_EQ(slow.Read(1), "");  // closed by the request timeout, well before the 5 s receive one
  boost::asio::post(io, [&] {
    listener.Close();
    io.stop();
  });
  loop.join();
  EXPECT_EQ(listener.connections_refused(), 1u);
}

TEST(HttpAuthTest, DecodesBase64) {
  EXPECT_EQ(DecodeBase64("YW55b25lOnMzY3JldA=="), "anyone:s3cret");
  EXPECT_EQ(DecodeBase64("YWI="), "ab");
  EXPECT_EQ(DecodeBase64(""), "");
  EXPECT_FALSE(DecodeBase64("YW=b"));
  EXPECT_FALSE(DecodeBase64("YWI"));
  EXPECT_FALSE(DecodeBase64("Y!I="));
}

std::string Basic(const std::string& credentials) {
  static constexpr char kDigits[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  for (size_t i = 0; i < credentials.size(); i += 3) {
    uint32_t group = static_cast<unsigned char>(credentials[i]) << 16;
    if (i + 1 < credentials.size()) group |= static_cast<unsigned char>(credentials[i + 1]) << 8;
    if (i + 2 < credentials.size()) group |= static_cast<unsigned char>(credentials[i + 2]);
    out += kDigits[(group >> 18) & 63];
    out += kDigits[(group >> 12) & 63];
    out += i + 1 < credentials.size() ? kDigits[(group >> 6) & 63] : '=';
    out += i + 2 < credentials.size() ? kDigits[group & 63] : '=';
  }
  return "Basic " + out;
}

class HttpAuthAclTest : public ::testing::Test {
 protected:
  HttpAuthResult Authorize(std::string_view header) {
    return AuthorizeHttp(engine_.acl(), engine_.commands(), header);
  }
  void SetUser(const std::string& name, const std::vector<std::string>& rules) {
    ASSERT_EQ(engine_.acl().SetUser(name, rules), "");
  }

  Config config_;
  ManualClock clock_;
  Engine engine_{config_, clock_};
};

TEST_F(HttpAuthAclTest, EveryoneWhileTheDefaultUserNeedsNoPassword) {
  EXPECT_TRUE(Authorize("").allowed);
  EXPECT_TRUE(Authorize(Basic("nobody:wrong")).allowed);
}

TEST_F(HttpAuthAclTest, RequirepassWithAnyNameAsBefore) {
  engine_.acl().SetDefaultPassword("pw");
  EXPECT_FALSE(Authorize("").allowed);
  EXPECT_FALSE(Authorize("Bearer cHc=").allowed);
  EXPECT_FALSE(Authorize(Basic(":pwx")).allowed);
  EXPECT_TRUE(Authorize(Basic(":pw")).allowed);
  const HttpAuthResult named = Authorize("basic  " + Basic("u:pw").substr(6) + " ");
  EXPECT_TRUE(named.allowed);
  EXPECT_EQ(named.user, "default");
}

TEST_F(HttpAuthAclTest, AclUsersByNameAndPassword) {
  engine_.acl().SetDefaultPassword("pw");
  SetUser("monitor", {"on", ">watch", "%R~*", "-@all", "+info", "+client|list"});
  SetUser("celery", {"on", ">tasks", "~celery*", "+@all"});
  SetUser("retired", {"off", ">old", "~*", "+@all"});
  const HttpAuthResult monitor = Authorize(Basic("monitor:watch"));
  EXPECT_TRUE(monitor.allowed);
  EXPECT_EQ(monitor.user, "monitor");
  // A known user's name with another password, even the default user's, is refused.
  EXPECT_FALSE(Authorize(Basic("monitor:pw")).allowed);
  EXPECT_FALSE(Authorize(Basic("monitor:pw")).forbidden);
  EXPECT_FALSE(Authorize(Basic("retired:old")).allowed);
  EXPECT_FALSE(Authorize(Basic("retired:old")).forbidden);
  // Authenticated, but cannot read every key: 403.
  const HttpAuthResult celery = Authorize(Basic("celery:tasks"));
  EXPECT_FALSE(celery.allowed);
  EXPECT_TRUE(celery.forbidden);
  SetUser("monitor", {"-client|list"});
  EXPECT_TRUE(Authorize(Basic("monitor:watch")).forbidden);
  SetUser("monitor", {"+client|list", "-info"});
  EXPECT_TRUE(Authorize(Basic("monitor:watch")).forbidden);
  SetUser("monitor", {"+info", "resetkeys", "%W~*"});
  EXPECT_TRUE(Authorize(Basic("monitor:watch")).forbidden);
  SetUser("monitor", {"allkeys"});
  EXPECT_TRUE(Authorize(Basic("monitor:watch")).allowed);
}

TEST_F(HttpAuthAclTest, DefaultUserWithAPasswordFromTheAcl) {
  SetUser("default", {"resetpass", ">secret"});
  EXPECT_FALSE(Authorize("").allowed);
  EXPECT_TRUE(Authorize(Basic("prometheus:secret")).allowed);
  SetUser("default", {"off"});  // a disabled default user lets nobody in by its password
  EXPECT_FALSE(Authorize(Basic("prometheus:secret")).allowed);
}

TEST(HttpRouterTest, ExactPathsThenLongestPrefix) {
  HttpRouter router;
  router.Add("GET", "/api/*", [](const HttpRequest&) { return HttpResponse::Text(200, "api"); });
  router.Add("GET", "/api/queues/*", [](const HttpRequest& request) {
    return HttpResponse::Text(200, "queue " + request.path + " " + request.QueryParam("db", "0"));
  });
  router.Add("GET", "/api/queues",
             [](const HttpRequest&) { return HttpResponse::Text(200, "all"); });
  HttpRequest request{.method = "GET", .path = "/api/queues"};
  EXPECT_EQ(router.Dispatch(request).body, "all");
  request.path = "/api/queues/celery";
  request.query = "x=1&db=2%31";
  EXPECT_EQ(router.Dispatch(request).body, "queue /api/queues/celery 21");
  request.path = "/api/server";
  EXPECT_EQ(router.Dispatch(request).body, "api");
  request.path = "/api/";
  EXPECT_EQ(router.Dispatch(request).status, 404);  // a prefix needs something after it
  request.method = "DELETE";
  request.path = "/api/queues";
  EXPECT_EQ(router.Dispatch(request).status, 405);
  EXPECT_EQ(router.Routes().size(), 3u);
}

}  // namespace
}  // namespace drayman
