// store/store.hpp: umbrella header for mfigw_store (LMDB environments, transactions,
// typed tables, record encoding, schema migrations, group commit).
//
// Purpose:   One include for code in gateway/ that uses the store. The library is pure
//            LMDB + the standard library: no Asio, no logging, no YAML. The daemon wires
//            two Envs itself (a Durable `<dir>/data`, a Relaxed `<dir>/sessions`),
//            registers GroupCommitWriter::stats() and Env::usedBytes() as metrics, and
//            turns MapFull / errc::map_full into temporary refusals.
// Threading: See each header; in short: Env and GroupCommitWriter are thread-safe, a
//            txn is used by one thread at a time, a WriteTxn stays on its thread.
// Errors:    Expected outcomes are values (std::optional, bool); LMDB failures throw
//            StoreError and its subclasses (error.hpp); async write outcomes are
//            std::error_code with store::errc (errc.hpp).
// Ownership: Env outlives everything it hands out (txns, cursors, tables, writers).
#pragma once

#include "store/encoding.hpp"
#include "store/env.hpp"
#include "store/errc.hpp"
#include "store/error.hpp"
#include "store/group_commit_writer.hpp"
#include "store/schema.hpp"
#include "store/table.hpp"
#include "store/txn.hpp"
