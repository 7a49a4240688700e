// HttpRouter: the admin listener's table of routes (method + path -> handler).
//
// Contract: a handler gets the parsed request and returns a status, a content type and a body;
// it runs on the event-loop thread that owns the Engine, so it reads the engine directly and must
// return quickly (it holds up every client while it runs). Routes are exact paths ("/metrics"), or
// prefixes when the registered path ends in "/*" ("/api/queues/*" matches "/api/queues/celery";
// the longest prefix wins). A path that exists under another method answers 405 with an Allow
// header; an unknown path answers 404. HEAD is served by the GET handler without the body.
// Authentication happens before routing (server/http/http_auth.h): handlers never see a request
// that was not allowed.
//
// Adding routes: write a `void Register<Subsystem>Routes(HttpAdmin&)` in your own file and call it
// from RegisterAdminRoutes in server/http/admin_routes.cc (one line per subsystem).
#pragma once

#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace drayman {

struct HttpRequest {
  std::string method;  // upper case, as sent: "GET", "POST", ...
  std::string path;    // the target before '?', not percent-decoded
  std::string query;   // the target after '?', without it ("" when absent)
  std::string body;
  std::string user;  // who authenticated ("" when no password is set)
  // The value of a query parameter ("a" in "?q=a&x=1"), percent-decoded; `fallback` if absent.
  std::string QueryParam(std::string_view name, std::string_view fallback = "") const;
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "text/plain; charset=utf-8";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // extra headers, e.g. Cache-Control

  static HttpResponse Text(int status, std::string body) {
    return {status, "text/plain; charset=utf-8", std::move(body), {}};
  }
  static HttpResponse Json(std::string body, int status = 200) {
    return {status, "application/json", std::move(body), {}};
  }
};

using HttpHandler = std::function<HttpResponse(const HttpRequest&)>;

class HttpRouter {
 public:
  // Registers `handler` for `method` at `path` (exact, or a prefix when it ends in "/*").
  // A later registration of the same method and path replaces the earlier one.
  void Add(std::string method, std::string path, HttpHandler handler);

  // Runs the matching handler, or answers 404/405.
  HttpResponse Dispatch(const HttpRequest& request) const;

  // Every registered (method, path), sorted: for an index page or a test.
  std::vector<std::pair<std::string, std::string>> Routes() const;

 private:
  struct Route {
    std::map<std::string, HttpHandler> by_method;
  };
  const Route* Find(std::string_view path) const;
  std::map<std::string, Route, std::less<>> exact_;
  std::map<std::string, Route, std::less<>> prefixes_;  // key: the path without the '*'
};

}  // namespace drayman
