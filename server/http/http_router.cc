#include "server/http/http_router.h"

#include <algorithm>

namespace drayman {

namespace {

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string PercentDecode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '+') {
      out.push_back(' ');
    } else if (text[i] == '%' && i + 2 < text.size() && HexDigit(text[i + 1]) >= 0 &&
               HexDigit(text[i + 2]) >= 0) {
      out.push_back(static_cast<char>(HexDigit(text[i + 1]) * 16 + HexDigit(text[i + 2])));
      i += 2;
    } else {
      out.push_back(text[i]);
    }
  }
  return out;
}

}  // namespace

std::string HttpRequest::QueryParam(std::string_view name, std::string_view fallback) const {
  std::string_view rest = query;
  while (!rest.empty()) {
    const size_t amp = rest.find('&');
    const std::string_view pair = rest.substr(0, amp);
    rest = amp == std::string_view::npos ? std::string_view() : rest.substr(amp + 1);
    const size_t eq = pair.find('=');
    if (PercentDecode(pair.substr(0, eq)) != name) continue;
    return eq == std::string_view::npos ? std::string() : PercentDecode(pair.substr(eq + 1));
  }
  return std::string(fallback);
}

void HttpRouter::Add(std::string method, std::string path, HttpHandler handler) {
  if (path.size() >= 2 && path.compare(path.size() - 2, 2, "/*") == 0) {
    path.pop_back();
    prefixes_[path].by_method[std::move(method)] = std::move(handler);
  } else {
    exact_[path].by_method[std::move(method)] = std::move(handler);
  }
}

const HttpRouter::Route* HttpRouter::Find(std::string_view path) const {
  if (auto it = exact_.find(path); it != exact_.end()) return &it->second;
  const Route* best = nullptr;
  size_t best_length = 0;
  for (const auto& [prefix, route] : prefixes_) {
    if (path.size() > prefix.size() && path.substr(0, prefix.size()) == prefix &&
        prefix.size() >= best_length) {
      best = &route;
      best_length = prefix.size();
    }
  }
  return best;
}

HttpResponse HttpRouter::Dispatch(const HttpRequest& request) const {
  const Route* route = Find(request.path);
  if (route == nullptr) return HttpResponse::Text(404, "Not Found\n");
  auto it = route->by_method.find(request.method);
  if (it == route->by_method.end() && request.method == "HEAD") it = route->by_method.find("GET");
  if (it == route->by_method.end()) {
    HttpResponse response = HttpResponse::Text(405, "Method Not Allowed\n");
    std::string allow;
    for (const auto& [method, handler] : route->by_method) {
      if (!allow.empty()) allow += ", ";
      allow += method;
    }
    response.headers.emplace_back("Allow", allow);
    return response;
  }
  return it->second(request);
}

std::vector<std::pair<std::string, std::string>> HttpRouter::Routes() const {
  std::vector<std::pair<std::string, std::string>> routes;
  for (const auto& [path, route] : exact_) {
    for (const auto& [method, handler] : route.by_method) routes.emplace_back(method, path);
  }
  for (const auto& [prefix, route] : prefixes_) {
    for (const auto& [method, handler] : route.by_method) routes.emplace_back(method, prefix + "*");
  }
  std::sort(routes.begin(), routes.end(), [](const auto& a, const auto& b) {
    return a.second != b.second ? a.second < b.second : a.first < b.first;
  });
  return routes;
}

}  // namespace drayman
