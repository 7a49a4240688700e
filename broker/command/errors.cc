#include "broker/command/errors.h"

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

}  // namespace drayman::errors
