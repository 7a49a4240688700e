// Readers for the compact blobs RDB files embed: listpack, ziplist, zipmap, intset.
//
// Contract: each function validates the whole blob (header sizes, every entry's bounds, the
// terminator, the element count where the header has one) and calls fn(std::string_view) per
// element in order (integers are handed over in decimal form); it throws RdbError naming the
// blob kind on any inconsistency. Validation happens before the first callback, so a corrupt blob
// never produces a partial value.
#pragma once

#include <cstdint>
#include <functional>
#include <string_view>

namespace drayman::rdb {

using ElementFn = std::function<void(std::string_view element)>;

void ForEachListpackElement(std::string_view blob, const ElementFn& fn);
void ForEachZiplistElement(std::string_view blob, const ElementFn& fn);
// Zipmap (hashes of RDB versions before 4): field, value, field, value...
void ForEachZipmapElement(std::string_view blob, const ElementFn& fn);
// Calls fn for each value of an intset, checked sorted and distinct.
void ForEachIntsetValue(std::string_view blob, const std::function<void(int64_t)>& fn);

// INFO's dump_payload_sanitizations: the blobs these readers validated entry by entry, counted
// process-wide. Drayman always validates (Redis only under sanitize-dump-payload yes), so every
// blob loaded from an RDB file or a RESTORE payload counts. CONFIG RESETSTAT clears it.
uint64_t DumpPayloadSanitizations();
void ResetDumpPayloadSanitizations();

}  // namespace drayman::rdb
