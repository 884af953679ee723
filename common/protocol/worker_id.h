// Worker ids, as leases and attempts record them: the server's own (embedded)
// slots are "embedded-0", "embedded-1", ...; a remote hpsearch-worker's slots are
// "<its id>/0", "<its id>/1", ... (worker/remote/remote_worker.cc).
#pragma once

namespace hpsearch {

// The prefix of the embedded slots' worker ids: the scheduler tells the server's
// own slots (whose trials cannot outlive the process) from remote workers by it,
// and a remote client may not name itself with it.
inline constexpr char kEmbeddedWorkerPrefix[] = "embedded-";

}  // namespace hpsearch
