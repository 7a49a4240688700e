// Hash family. (Rows are added by the work on this family.)
#include "broker/families/families.h"

namespace drayman {

void RegisterHashFamily(CommandTable& table) {}

}  // namespace drayman
