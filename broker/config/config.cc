// Config at run time: construction, parameter lookup, CONFIG SET (all names checked, then values
// set with a rollback) and CONFIG GET (exact names and glob patterns). The parameter table is in
// config_parameters.cc, the config file and CONFIG REWRITE in config_file.cc.
#include "broker/config/config.h"

#include <algorithm>
#include <set>
#include <utility>

#include "broker/base/ascii.h"
#include "broker/base/errors.h"
#include "broker/base/glob.h"

namespace drayman {

Config::Config() { Register(); }

Config::Config(const Config& other) : settings_(other.settings_), config_file_(other.config_file_) {
  Register();
}

Config& Config::operator=(const Config& other) {
  if (this != &other) {
    settings_ = other.settings_;
    config_file_ = other.config_file_;
  }
  return *this;
}

const Config::Parameter* Config::FindParameter(std::string_view name) const {
  for (const Parameter& parameter : parameters_) {
    if (EqualsIgnoreCase(parameter.name, name)) return &parameter;
    for (const std::string& alias : parameter.aliases) {
      if (EqualsIgnoreCase(alias, name)) return &parameter;
    }
  }
  return nullptr;
}

Config::Parameter* Config::FindParameter(std::string_view name) {
  return const_cast<Parameter*>(std::as_const(*this).FindParameter(name));
}

bool Config::IsSensitive(std::string_view name) const {
  const Parameter* parameter = FindParameter(name);
  return parameter != nullptr && parameter->sensitive;
}

bool Config::SetApplyHook(std::string_view name, ApplyHook hook) {
  Parameter* parameter = FindParameter(name);
  if (parameter == nullptr) return false;
  parameter->apply = std::move(hook);
  return true;
}

bool Config::Set(std::string_view name, const std::vector<std::string>& values, bool at_startup,
                 std::string* error) {
  if (!at_startup) {
    std::vector<std::string> args = {std::string(name)};
    if (values.size() == 1) {
      args.push_back(values[0]);
    } else {
      std::string joined;
      for (const std::string& value : values) joined += (joined.empty() ? "" : " ") + value;
      args.push_back(joined);
    }
    return SetMany(args, error);
  }
  Parameter* parameter = FindParameter(name);
  if (parameter == nullptr) {
    *error = errors::ConfigSetUnknown(name);
    return false;
  }
  std::string detail;
  if (!parameter->set(values, &detail)) {
    *error = errors::ConfigSetFailed(parameter->name, detail);
    return false;
  }
  return true;
}

bool Config::SetMany(const std::vector<std::string>& args, std::string* error) {
  // Redis 7.0's configSetCommand: first every name is checked (the first unknown name wins over
  // anything else; otherwise the first immutable, protected or duplicate name), then values are
  // set in order with a backup of the old ones, then apply hooks run.
  if (args.size() % 2 != 0) {
    *error = errors::kSyntax;
    return false;
  }
  const size_t count = args.size() / 2;
  std::vector<Parameter*> targets(count, nullptr);
  std::string unknown_name, failed_name, failure;
  for (size_t i = 0; i < count; ++i) {
    const std::string& name = args[2 * i];
    Parameter* parameter = FindParameter(name);
    if (parameter == nullptr) {
      if (unknown_name.empty() && failed_name.empty()) unknown_name = name;
      continue;
    }
    if (!unknown_name.empty() || !failed_name.empty()) continue;
    const bool protected_allowed = settings_.enable_protected_configs == "yes";
    if (!parameter->mutable_at_runtime || (parameter->is_protected && !protected_allowed)) {
      failed_name = name;
      failure =
          parameter->mutable_at_runtime ? errors::kConfigProtected : errors::kConfigImmutable;
      continue;
    }
    if (std::find(targets.begin(), targets.begin() + static_cast<long>(i), parameter) !=
        targets.begin() + static_cast<long>(i)) {
      failed_name = name;
      failure = errors::kConfigDuplicate;
      continue;
    }
    targets[i] = parameter;
  }
  if (!unknown_name.empty()) {
    *error = errors::ConfigSetUnknown(unknown_name);
    return false;
  }
  auto fail = [&](const std::string& name, const std::string& detail) {
    *error = errors::ConfigSetFailed(name, detail);
    return false;
  };
  if (!failed_name.empty()) return fail(failed_name, failure);

  std::vector<std::string> backups;
  backups.reserve(count);
  for (Parameter* parameter : targets) backups.push_back(parameter->get());
  auto restore = [&](size_t upto) {
    std::string ignored;
    for (size_t j = 0; j < upto; ++j) targets[j]->set({backups[j]}, &ignored);
  };
  for (size_t i = 0; i < count; ++i) {
    std::string detail;
    if (!targets[i]->set({args[2 * i + 1]}, &detail)) {
      restore(i + 1);
      return fail(targets[i]->name, detail);
    }
  }
  // Hooks run in argument order; one shared by two parameters (port and bind re-listen) simply
  // runs twice.
  std::vector<const Parameter*> applied;
  for (size_t i = 0; i < count; ++i) {
    if (!targets[i]->apply) continue;
    std::string detail;
    if (!targets[i]->apply(&detail)) {
      restore(count);
      std::string ignored;
      for (const Parameter* done : applied) done->apply(&ignored);
      return fail(targets[i]->name, detail);
    }
    applied.push_back(targets[i]);
  }
  return true;
}

std::vector<std::pair<std::string, std::string>> Config::Get(std::string_view pattern) const {
  return GetMany({std::string(pattern)});
}

std::vector<std::pair<std::string, std::string>> Config::GetMany(
    const std::vector<std::string>& patterns) const {
  std::vector<std::pair<std::string, std::string>> matches;
  std::set<std::string> seen;  // lowercase names already reported
  for (const std::string& pattern : patterns) {
    if (pattern.find_first_of("[*?") == std::string::npos) {
      // An exact name is looked up directly and reported as typed (Redis 7.0 does the same).
      const Parameter* parameter = FindParameter(pattern);
      if (parameter != nullptr && seen.insert(ToLower(pattern)).second) {
        seen.insert(parameter->name);
        matches.emplace_back(pattern, parameter->get());
      }
      continue;
    }
    for (const Parameter& parameter : parameters_) {
      if (seen.count(parameter.name)) continue;
      if (GlobMatch(pattern, parameter.name, /*nocase=*/true)) {
        seen.insert(parameter.name);
        matches.emplace_back(parameter.name, parameter.get());
      }
      for (const std::string& alias : parameter.aliases) {
        if (!seen.count(alias) && GlobMatch(pattern, alias, /*nocase=*/true)) {
          seen.insert(alias);
          matches.emplace_back(alias, parameter.get());
        }
      }
    }
  }
  return matches;
}

}  // namespace drayman
