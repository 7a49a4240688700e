// Command-line flags of the load generators (prodcon.cc, stream_prodcon.cc): "--name value"
// pairs, each bound to a variable that keeps its default when the flag is absent. An unknown
// flag, or a flag without its value, is reported on stderr and fails the parse. Numbers are
// read with atoi/atof, as the Python drivers (bench/run.py, bench/streams.py) pass them.
// Header-only: each generator is one translation unit.
#pragma once

#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace drayman::bench {

class Flags {
 public:
  Flags& Int(std::string_view name, int* target) { return Bind(name, target); }
  Flags& Double(std::string_view name, double* target) { return Bind(name, target); }
  Flags& Size(std::string_view name, size_t* target) { return Bind(name, target); }
  Flags& String(std::string_view name, std::string* target) { return Bind(name, target); }

  // Sets the bound variables from argv[1..]; false (after printing why) on an unknown flag or a
  // flag given last without a value.
  bool Parse(int argc, char** argv) const {
    for (int i = 1; i < argc; i += 2) {
      const std::string_view name = argv[i];
      const Flag* flag = FindFlag(name);
      if (flag == nullptr) {
        std::fprintf(stderr, "unknown option %s\n", argv[i]);
        return false;
      }
      if (i + 1 >= argc) {
        std::fprintf(stderr, "option %s needs a value\n", argv[i]);
        return false;
      }
      Set(flag->target, argv[i + 1]);
    }
    return true;
  }

 private:
  using Target = std::variant<int*, double*, size_t*, std::string*>;
  struct Flag {
    std::string_view name;  // "--port"
    Target target;
  };

  template <typename T>
  Flags& Bind(std::string_view name, T* target) {
    flags_.push_back({name, target});
    return *this;
  }

  const Flag* FindFlag(std::string_view name) const {
    for (const Flag& flag : flags_) {
      if (flag.name == name) return &flag;
    }
    return nullptr;
  }

  static void Set(const Target& target, const char* value) {
    if (auto* p = std::get_if<int*>(&target)) {
      **p = std::atoi(value);
    } else if (auto* p = std::get_if<double*>(&target)) {
      **p = std::atof(value);
    } else if (auto* p = std::get_if<size_t*>(&target)) {
      **p = static_cast<size_t>(std::atol(value));
    } else {
      **std::get_if<std::string*>(&target) = value;
    }
  }

  std::vector<Flag> flags_;
};

}  // namespace drayman::bench
