// The ledger's HTTP API (docs/api/openapi.json is the contract; a test checks that every route
// is documented there):
//   POST /v1/packets                 {"packet":"<hex>"} -> index and result after durable commit
//   GET  /v1/accounts/{id}           keys, roles, sequence, balances
//   GET  /v1/ledger/head             size, Merkle root, halt state, last signed tree head
//   GET  /v1/ledger/entries/{n}      one entry with its inclusion proof in the current tree
//   GET  /v1/ledger/entries?from=&limit=   a page of entries
// Rejections carry the ledger's result code: {"error":{"code":"INVALID_SIGNATURE",
// "message":"...","result":3}}; while halted every write answers 503 with result 302.
//
// Thread safety: handlers run concurrently on the HTTP threads (renders on the render queue's);
// the ledger is thread-safe.
#ifndef QFS_NODE_LEDGER_API_H_
#define QFS_NODE_LEDGER_API_H_

#include "base/limits.h"
#include "base/metrics.h"
#include "ledger/ledger.h"
#include "net/http_server.h"
#include "node/render_queue.h"

namespace qfs::node {

using qfs::kEntriesPageMax;  // entries per page (base/limits.h)
inline constexpr std::size_t kEntriesPageDefault = 100;

// Registers the routes above. Entries and pages render on `renders`' thread. `renders` must be
// stopped before `ledger` closes; all three must outlive the router's server.
void AddLedgerRoutes(net::Router& router, ledger::Ledger& ledger, Metrics& metrics,
                     RenderQueue& renders);

// Refreshes the ledger gauges (qfs_ledger_entries, qfs_ledger_halted,
// qfs_ledger_group_commits) before a scrape.
void UpdateLedgerGauges(const ledger::Ledger& ledger, Metrics& metrics);

}  // namespace qfs::node

#endif  // QFS_NODE_LEDGER_API_H_
