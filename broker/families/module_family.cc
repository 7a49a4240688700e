// Module family: MODULE as a server that loads no modules answers it.
//
// Drayman has no module API (README, "Not supported yet"). Replies and error texts follow Debian's
// redis-server 7.0.15 with no module loaded: MODULE LIST is empty, MODULE LOAD/LOADEX/UNLOAD are
// refused by enable-module-command (default no, checked by dispatch as for DEBUG) and, where it
// allows them, answer as Redis does for a module that cannot be loaded or is not loaded. So
// clients probing for modules (and MULTI queues holding MODULE LIST) get Redis's answers instead of
// "unknown command".

#include <string>
#include <string_view>

#include "broker/command/context.h"
#include "broker/engine.h"
#include "broker/families/families.h"

namespace drayman {

namespace {

// MODULE LIST
void CmdModuleList(CommandContext& ctx) { ctx.reply.ArrayHeader(0); }

// MODULE LOAD path [arg ...] / MODULE LOADEX path [CONFIG name value ...] [ARGS arg ...]
void CmdModuleLoad(CommandContext& ctx) {
  // Redis logs why dlopen failed; here no module can ever load.
  ctx.engine.Log(LogLevel::kWarning,
                 "Module " + ctx.args[2] + " failed to load: Drayman does not load modules");
  ctx.reply.Error(errors::kModuleLoadFailed);
}

// MODULE UNLOAD name
void CmdModuleUnload(CommandContext& ctx) { ctx.reply.Error(errors::kNoSuchModule); }

// MODULE HELP
void CmdModuleHelp(CommandContext& ctx) {
  ctx.reply.Help("MODULE",
                 {
                     "LIST",
                     "    Return a list of loaded modules.",
                     "LOAD <path> [<arg> ...]",
                     "    Load a module library from <path>, passing to it any optional arguments.",
                     "LOADEX <path> [[CONFIG NAME VALUE] [CONFIG NAME VALUE]] [ARGS ...]",
                     "    Load a module library from <path>, while passing it module "
                     "configurations and optional arguments.",
                     "UNLOAD <name>",
                     "    Unload a module.",
                 });
}

}  // namespace

void RegisterModuleFamily(CommandTable& table) {
  table.Add({.name = "module",
             .arity = -2,
             .group = "server",
             .summary = "A container for module commands",
             .since = "4.0.0",
             .complexity = "Depends on subcommand."});
  constexpr uint32_t kLoadFlags = kCmdAdmin | kCmdNoscript | kCmdProtected | kCmdNoAsyncLoading;
  table.AddSubcommand("module", {.name = "list",
                                 .arity = 2,
                                 .flags = kCmdAdmin | kCmdNoscript,
                                 .handler = CmdModuleList,
                                 .summary = "List all modules loaded by the server",
                                 .since = "4.0.0",
                                 .complexity = "O(N) where N is the number of loaded modules."});
  table.AddSubcommand("module", {.name = "load",
                                 .arity = -3,
                                 .flags = kLoadFlags,
                                 .handler = CmdModuleLoad,
                                 .summary = "Load a module",
                                 .since = "4.0.0",
                                 .complexity = "O(1)"});
  table.AddSubcommand("module", {.name = "loadex",
                                 .arity = -3,
                                 .flags = kLoadFlags,
                                 .handler = CmdModuleLoad,
                                 .summary = "Load a module with extended parameters",
                                 .since = "7.0.0",
                                 .complexity = "O(1)"});
  table.AddSubcommand("module", {.name = "unload",
                                 .arity = 3,
                                 .flags = kLoadFlags,
                                 .handler = CmdModuleUnload,
                                 .summary = "Unload a module",
                                 .since = "4.0.0",
                                 .complexity = "O(1)"});
  table.AddSubcommand("module", {.name = "help",
                                 .arity = 2,
                                 .flags = kCmdLoading | kCmdStale,
                                 .handler = CmdModuleHelp,
                                 .summary = "Show helpful text about the different subcommands",
                                 .since = "5.0.0",
                                 .complexity = "O(1)"});
}

}  // namespace drayman
