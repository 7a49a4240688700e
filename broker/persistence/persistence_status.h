// PersistenceStatus: what INFO persistence reports and what dispatch checks while loading.
//
// Contract: plain values owned by the Engine (Engine::persistence()). The host that loads and
// writes the logs (server/aof_log.cc) updates them on the engine's thread; the engine only reads
// them: while `loading` is set, commands without the `loading` flag are refused with LOADING,
// except on `loading_client`, the client that replays the log.
#pragma once

#include <cstdint>

namespace drayman {

class Client;

struct PersistenceStatus {
  // --- Loading at start-up ---
  bool loading = false;
  const Client* loading_client = nullptr;
  int64_t loading_start_time_s = 0;
  uint64_t loading_total_bytes = 0;
  uint64_t loading_loaded_bytes = 0;

  // --- The append-only log (aof_enabled and the fields INFO shows while it is on) ---
  bool aof_enabled = false;
  bool aof_last_write_ok = true;
  uint64_t aof_current_size = 0;  // base + incr bytes on disk (written, not only buffered)
  uint64_t aof_base_size = 0;
  uint64_t aof_buffer_length = 0;      // appended, not yet written
  uint64_t aof_pending_bio_fsync = 0;  // 1 while an fsync runs off the loop
  uint64_t aof_delayed_fsync = 0;      // buffers handed over while an fsync ran over 2 s

  // --- AOF rewrite (broker/persistence/aof_rewrite.h) ---
  // appendonly turned on at run time: the log waits for its first rewrite (Redis's
  // AOF_WAIT_REWRITE); aof_enabled is already set.
  bool aof_wait_rewrite = false;
  bool aof_rewrite_scheduled = false;
  int64_t aof_rewrite_time_last_s = -1;
  bool aof_last_bgrewrite_ok = true;
  uint64_t aof_rewrites = 0;
  uint64_t aof_rewrites_consecutive_failures = 0;
  uint64_t aof_last_cow_size = 0;  // bytes the last rewrite encoded early (Drayman's analogue)
  // Why the last write or fsync of the log failed (errno), for MISCONF's text; set with
  // aof_last_write_ok = false by the host.
  int aof_last_write_errno = 0;
};

}  // namespace drayman
