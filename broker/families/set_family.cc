// Set family. (Rows are added by the work on this family.)
#include "broker/families/families.h"

namespace drayman {

void RegisterSetFamily(CommandTable& table) {}

}  // namespace drayman
