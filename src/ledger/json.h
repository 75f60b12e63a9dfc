// JSON views of ledger values for the API, exports and operators' files (canonical JSON,
// docs/formats/encoding.md): 64-bit numbers and amounts are strings, bytes are lower-case hex,
// identities "0x..." hex, tokens and roles by name. docs/ledger.md shows each shape.
//
//   std::string text = codec::CanonicalJson(EntryJson(entry)).value();
//   GenesisParams genesis = ParseGenesisJson(codec::ParseJson(file_text).value()).value();
//
// Thread safety: pure functions.
#ifndef QFS_LEDGER_JSON_H_
#define QFS_LEDGER_JSON_H_

#include <vector>

#include "base/status.h"
#include "codec/json.h"
#include "ledger/ledger.h"
#include "ledger/log.h"
#include "ledger/replay.h"
#include "ledger/state.h"

namespace qfs::ledger {

// One log entry: index, time, hashes, result, and the decoded record.
codec::Json EntryJson(const LogEntry& entry);
// A signed tree head (a checkpoint record's body).
codec::Json CheckpointJson(const Checkpoint& checkpoint);
codec::Json DigestsJson(const std::vector<Digest32>& digests);
// An account: keys, roles, sequence, and per token the available and reserved balance.
codec::Json AccountJson(const AccountView& view);
codec::Json RolesJson(std::uint32_t roles);  // ["admin","minter"]

// Genesis parameters, as in the genesis record and the node's genesis file:
//   {"network":1,"transferable":["ATR"],"admission_window_us":"300000000",
//    "identities":[{"id":"0x..","algorithm":5,"public_key":"..","roles":["admin"]}]}
// In a file "id" may be left out for a key-only identity (derived from the key).
codec::Json GenesisJson(const GenesisParams& genesis);
// INVALID_ARGUMENT naming the field for anything malformed or unknown.
Result<GenesisParams> ParseGenesisJson(const codec::Json& json);

}  // namespace qfs::ledger

#endif  // QFS_LEDGER_JSON_H_
