"""Crash cycles against drayman-server's append-only log (issue 11).

    DRAYMAN_SERVER=build/server/drayman-server .venv/bin/python bench/aof_crash.py \
        [--cycles 100] [--fsync always|everysec|both]

Each cycle: four clients write (RPUSH, LPUSH, HSET, ZADD), the server is SIGKILLed at a random
moment and restarted on the same directory; every acknowledged write must be there in order, and
nothing that was never sent. Under appendfsync always nothing acknowledged may be lost (the run
fails otherwise); under everysec the loss per crash is measured and reported.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "python"))

from aof_crash import CrashHarness  # noqa: E402


def run(fsync: str, cycles: int, seed: int) -> dict:
    harness = CrashHarness(fsync, clients=4, seed=seed)
    started = time.monotonic()
    try:
        for _ in range(cycles):
            harness.cycle(duration_s=harness.rng.uniform(0.05, 0.5),
                          allow_loss=(fsync != "always"))
        acked = sum(len(m.acked) for m in harness.models)
    finally:
        harness.close()
    lost = harness.lost_per_crash
    return {"fsync": fsync, "cycles": cycles, "acked_writes_kept": acked,
            "crashes_with_loss": sum(1 for n in lost if n), "lost_total": sum(lost),
            "lost_max": max(lost), "lost_mean": statistics.mean(lost),
            "seconds": time.monotonic() - started}


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cycles", type=int, default=100)
    parser.add_argument("--fsync", default="both", choices=["always", "everysec", "both"])
    parser.add_argument("--seed", type=int, default=int(os.environ.get("SEED", "1")))
    args = parser.parse_args()
    policies = ["always", "everysec"] if args.fsync == "both" else [args.fsync]
    for policy in policies:
        result = run(policy, args.cycles, args.seed)
        print(f"appendfsync {result['fsync']}: {result['cycles']} SIGKILL cycles, "
              f"{result['acked_writes_kept']} acknowledged writes checked after restarts, "
              f"{result['crashes_with_loss']} crashes lost acknowledged writes "
              f"(total {result['lost_total']}, max {result['lost_max']}, "
              f"mean {result['lost_mean']:.2f} per crash), {result['seconds']:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
