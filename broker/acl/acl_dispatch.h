// The engine's side of the ACL: what dispatch, scripts and AUTH call (broker/acl/acl.h has the
// users and rules).
//
// Contract: InstallAcl runs once in the Engine's constructor, after the command table is
// complete: it applies requirepass (and re-applies it on CONFIG SET requirepass), the `user`
// directives and `aclfile`, and lets the Acl list and close clients. CheckCommand is dispatch's
// hook for a client whose user is restricted: it returns "" or the error to reply (Redis's
// processCommand or, inside EXEC, execCommand text) after adding the ACL LOG entry.
// ScriptRefusal is the same for redis.call (the text Lua raises). LogDenial records an entry.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "broker/acl/acl.h"

namespace drayman {

class Engine;
class Client;
struct CommandSpec;

// Start-up problems with `user` lines or `aclfile` (drayman-server prints it and exits).
std::string InstallAcl(Engine& engine);

std::string CheckCommand(Engine& engine, Client& client, const CommandSpec& spec,
                         const std::vector<std::string>& args);

std::string ScriptRefusal(Engine& engine, Client& caller, const CommandSpec& spec,
                          const std::vector<std::string>& args);

// `object` is the command, key or channel denied, or the user name for failed AUTH.
void LogDenial(Engine& engine, Client& client, acl::Denial reason, acl::LogContext context,
               std::string object, std::string_view username);

}  // namespace drayman
