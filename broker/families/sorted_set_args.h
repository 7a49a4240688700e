// Argument parsers and the range reply shared by the sorted-set family's files
// (sorted_set_family.cc, sorted_set_range_family.cc, sorted_set_setop_family.cc).
//
// Contract: a parser returns false when the text is not valid (its outputs are then unspecified)
// and never replies, so the caller picks the error text (Redis's differ by command). Score bounds
// parse as Redis's strtod-based zslParseRange ("(" for exclusive), lex bounds as
// zslParseLexRangeItem ("[", "(", "+", "-"), and ParseRangedInt as getRangeLongFromObjectOrReply
// (a value outside [min, max] fails like a malformed one). ReplyNodes writes nodes as a range
// reply: members, with scores when asked (flat in RESP2, [member, score] pairs in RESP3).
// Implemented in sorted_set_family.cc.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "broker/keyspace/zset.h"
#include "broker/resp/reply_builder.h"

namespace drayman {

bool ParseScoreBound(std::string_view text, double* value, bool* exclusive);
bool ParseScoreRange(std::string_view min, std::string_view max, ScoreRange* range);
bool ParseLexBound(std::string_view text, LexBound* bound);
bool ParseLexRange(std::string_view min, std::string_view max, LexRange* range);
bool ParseRangedInt(std::string_view text, int64_t min, int64_t max, int64_t* value);
void ReplyNodes(ReplyBuilder& reply, const std::vector<const ZSet::Node*>& nodes,
                bool with_scores);

}  // namespace drayman
