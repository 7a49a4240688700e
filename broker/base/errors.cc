#include "broker/base/errors.h"

#include <cstdio>
#include <initializer_list>
#include <string>

#include "broker/base/ascii.h"

namespace drayman::errors {

std::string WrongArity(std::string_view full_name) {
  std::string text = "ERR wrong number of arguments for '";
  text.append(full_name);
  text.append("' command");
  return text;
}

std::string UnknownCommand(std::string_view name, const std::string* args, size_t arg_count) {
  std::string text = "ERR unknown command '";
  text.append(name.substr(0, 128));
  text.append("', with args beginning with: ");
  // Redis lists arguments until the list reaches 128 characters, each cut to what is left.
  std::string listed;
  for (size_t i = 0; i < arg_count && listed.size() < 128; ++i) {
    size_t room = 128 - listed.size();
    listed.push_back('\'');
    listed.append(std::string_view(args[i]).substr(0, room));
    listed.append("' ");
  }
  text.append(listed);
  return text;
}

std::string UnknownSubcommand(std::string_view subcommand, std::string_view container) {
  std::string text = "ERR unknown subcommand '";
  text.append(subcommand.substr(0, 128));
  text.append("'. Try ");
  text.append(ToUpper(container));
  text.append(" HELP.");
  return text;
}

std::string SubcommandSyntaxError(std::string_view subcommand, std::string_view container) {
  std::string text = "ERR unknown subcommand or wrong number of arguments for '";
  text.append(subcommand.substr(0, 128));
  text.append("'. Try ");
  text.append(ToUpper(container));
  text.append(" HELP.");
  return text;
}

std::string InvalidExpireTime(std::string_view command) {
  std::string text = "ERR invalid expire time in '";
  text.append(command);
  text.append("' command");
  return text;
}

namespace {

std::string Concat(std::initializer_list<std::string_view> parts) {
  std::string text;
  for (std::string_view part : parts) text.append(part);
  return text;
}

}  // namespace

std::string ExecAbortBecause(std::string_view error) {
  if (error.starts_with(kErrPrefix)) error.remove_prefix(kErrPrefix.size());
  return Concat({"EXECABORT Transaction discarded because of: ", error});
}

std::string NopermCommand(std::string_view full_name) {
  return Concat({"NOPERM this user has no permissions to run the '", full_name, "' command"});
}

std::string NopermAclChangedInMulti(std::string_view reason) {
  return Concat({"NOPERM ACLs rules changed between the moment the transaction was accumulated "
                 "and the EXEC call. This command is no longer allowed for the following reason: ",
                 reason});
}

std::string NotInSubscribedContext(std::string_view full_name) {
  return Concat({"ERR Can't execute '", full_name,
                 "': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in "
                 "this context"});
}

std::string Err(std::string_view message) { return Concat({"ERR ", message}); }

std::string AclUnknownCategory(std::string_view category) {
  return Concat({"ERR Unknown category '", category.substr(0, 128), "'"});
}

std::string AclUserNotFound(std::string_view user) {
  return Concat({"ERR User '", user, "' not found"});
}

std::string AclCommandNotFound(std::string_view command) {
  return Concat({"ERR Command '", command, "' not found"});
}

std::string MisconfAofWrite(std::string_view reason) {
  return Concat({"MISCONF Errors writing to the AOF file: ", reason});
}

std::string HelloSyntaxError(std::string_view option) {
  return Concat({"ERR Syntax error in HELLO option '", option, "'"});
}

std::string UnrecognizedOption(std::string_view option) {
  return Concat({"ERR Unrecognized option '", option, "'"});
}

std::string SetinfoInvalidValue(std::string_view attribute) {
  return Concat({"ERR ", attribute, " cannot contain spaces, newlines or special characters."});
}

std::string UnknownClientType(std::string_view type) {
  return Concat({"ERR Unknown client type '", type, "'"});
}

std::string NoSuchUser(std::string_view user) {
  return Concat({"ERR No such user '", user, "'"});
}

std::string ProtectedCommandNotAllowed(std::string_view command, std::string_view option) {
  return Concat({"ERR ", command, " command not allowed. If the ", option,
                 " option is set to \"local\", you can run it from a local connection, "
                 "otherwise you need to set this option in the configuration file, and then "
                 "restart the server."});
}

std::string UnknownFunctionOption(std::string_view option) {
  return Concat({"ERR Unknown option given: ", option});
}

std::string UnknownArgument(std::string_view argument) {
  return Concat({"ERR Unknown argument ", argument});
}

std::string InvalidLonLat(double lon, double lat) {
  char text[2048];
  std::snprintf(text, sizeof(text), "ERR invalid longitude,latitude pair %f,%f", lon, lat);
  return text;
}

std::string GeoStoreWithOptions(bool geosearchstore) {
  return Concat({"ERR ", geosearchstore ? "GEOSEARCHSTORE" : "STORE option in GEORADIUS",
                 " is not compatible with WITHDIST, WITHHASH and WITHCOORD options"});
}

std::string GeoFromRequired(std::string_view command) {
  return Concat({"ERR exactly one of FROMMEMBER or FROMLONLAT can be specified for ", command});
}

std::string GeoByRequired(std::string_view command) {
  return Concat({"ERR exactly one of BYRADIUS and BYBOX can be specified for ", command});
}

std::string UnknownPfdebugSubcommand(std::string_view subcommand) {
  return Concat({"ERR Unknown PFDEBUG subcommand '", subcommand, "'"});
}

std::string UnsupportedOption(std::string_view option) {
  return Concat({"ERR Unsupported option ", option});
}

std::string NoLatencySamples(std::string_view event) {
  return Concat({"ERR No samples available for event '", event, "'"});
}

std::string AtLeastOneKey(std::string_view full_name) {
  return Concat({"ERR at least 1 input key is needed for '", full_name, "' command"});
}

std::string BlockFromScript(std::string_view command) {
  return Concat({"ERR ", command, " command is not allowed with BLOCK option from scripts"});
}

std::string NoGroupForKey(std::string_view key, std::string_view group) {
  return Concat({"NOGROUP No such key '", key, "' or consumer group '", group, "'"});
}

std::string NoGroupInXreadgroup(std::string_view key, std::string_view group) {
  return Concat({"NOGROUP No such key '", key, "' or consumer group '", group,
                 "' in XREADGROUP with GROUP option"});
}

std::string NoSuchConsumerGroup(std::string_view group, std::string_view key) {
  return Concat({"NOGROUP No such consumer group '", group, "' for key name '", key, "'"});
}

std::string UnrecognizedXclaimOption(std::string_view option) {
  return Concat({"ERR Unrecognized XCLAIM option '", option, "'"});
}

std::string ProtocolError(std::string_view what) { return Concat({"ERR Protocol error: ", what}); }

std::string AclUnmatchedParenthesis(std::string_view selector) {
  return Concat({"ERR Unmatched parenthesis in acl selector starting at '", selector, "'."});
}

std::string AclSetuserModifier(std::string_view rule, std::string_view error) {
  return Concat({"ERR Error in ACL SETUSER modifier '", rule, "': ", error});
}

std::string ConfigSetUnknown(std::string_view name) {
  return Concat({"ERR Unknown option or number of arguments for CONFIG SET - '", name, "'"});
}

std::string ConfigSetFailed(std::string_view name, std::string_view detail) {
  return Concat({"ERR CONFIG SET failed (possibly related to argument '", name, "') - ", detail});
}

std::string RewritingConfig(std::string_view reason) {
  return Concat({"ERR Rewriting config file: ", reason});
}

std::string UnexpectedShebangEngine(std::string_view engine) {
  return Concat({"ERR Unexpected engine in script shebang: ", engine});
}

std::string UnknownShebangOption(std::string_view option) {
  return Concat({"ERR Unknown lua shebang option: ", option});
}

std::string UnexpectedShebangFlag(std::string_view flag) {
  return Concat({"ERR Unexpected flag in script shebang: ", flag});
}

std::string NonexistentGlobal(std::string_view name) {
  return Concat({"Script attempted to access nonexistent global variable '", name, "'"});
}

std::string CompilingScript(std::string_view lua_error) {
  return Concat({"ERR Error compiling script (new function): ", lua_error});
}

std::string RunningScript(std::string_view sha, std::string_view message) {
  return Concat({"ERR Error running script ", sha, ", ", message.substr(0, 100), "\n"});
}

std::string InvalidMetadataValue(std::string_view value) {
  return Concat({"ERR Invalid metadata value given: ", value});
}

std::string EngineNotFound(std::string_view engine) {
  return Concat({"ERR Engine '", engine, "' not found"});
}

std::string CompilingFunction(std::string_view lua_error) {
  return Concat({"ERR Error compiling function: ", lua_error});
}

std::string RegisteringFunctions(std::string_view message) {
  return Concat({"ERR Error registering functions: ", message});
}

std::string LibraryExists(std::string_view library) {
  return Concat({"ERR Library '", library, "' already exists"});
}

std::string RestoreLibraryExists(std::string_view library) {
  return Concat({"ERR Library ", library, " already exists"});
}

std::string FunctionExists(std::string_view function) {
  return Concat({"ERR Function ", function, " already exists"});
}

std::string ConfigPercentMax(int64_t max) {
  return "percentage argument must be less or equal to " + std::to_string(max);
}

std::string ConfigRange(int64_t min, int64_t max) {
  return Concat({"argument must be between ", std::to_string(min), " and ", std::to_string(max),
                 " inclusive"});
}

std::string ConfigChoices(std::string_view joined) {
  return Concat({"argument(s) must be one of the following: ", joined});
}

std::string ConfigEmptyName(std::string_view parameter) {
  return Concat({parameter, " can't be empty"});
}

std::string ConfigNotBaseName(std::string_view parameter, std::string_view what) {
  return Concat({parameter, " can't be a path, just a ", what});
}

std::string CantOpenLogFile(std::string_view reason) {
  return Concat({"Can't open the log file: ", reason});
}

std::string AclFileUnmatchedParenthesis(std::string_view selector) {
  return Concat({"Unmatched parenthesis in acl selector starting at '", selector, "'."});
}

std::string AclFileRule(std::string_view rule, std::string_view user, std::string_view error) {
  return Concat({"Error loading ACL rule '", rule, "' for the user named '", user, "': ", error});
}

std::string AclFileOpen(std::string_view path, std::string_view reason) {
  return Concat({"Error loading ACLs, opening file '", path, "': ", reason});
}

std::string AclFileNoUserKeyword(std::string_view where) {
  return Concat({where, " should start with user keyword followed by the username. "});
}

std::string AclFileBadUsername(std::string_view where, std::string_view user) {
  return Concat({"'", where, ": username '", user, "' contains invalid characters. "});
}

std::string AclFileDuplicateUser(std::string_view user, int64_t line) {
  return Concat(
      {"WARNING: Duplicate user '", user, "' found on line ", std::to_string(line), ". "});
}

std::string AclFileUnmatchedSelector(std::string_view where) {
  return Concat({where, ": Unmatched parenthesis in selector definition."});
}

std::string AclFileOperation(std::string_view where, std::string_view rule,
                             std::string_view error) {
  return Concat({where, ": Error in applying operation '", rule, "': ", error, ". "});
}

std::string HllSelftestRegister(int index, int expected, int got) {
  return Concat({"TESTFAILED Register ", std::to_string(index), " should be ",
                 std::to_string(expected), " but is ", std::to_string(got)});
}

std::string HllSelftestTooBigError(int64_t cardinality, int64_t error) {
  return Concat({"TESTFAILED Too big error. card:", std::to_string(cardinality),
                 " abserr:", std::to_string(error)});
}

}  // namespace drayman::errors
