"""Per-thread CPU of a running process from Linux /proc, for scripts/thread-cpu.py and
scripts/metrics-hammer-bench.py. Python 3 standard library only."""
import os


def threads(pid):
    """{tid: (name, ns on a CPU, ns waiting for one)} of the process's threads now."""
    out = {}
    try:
        tids = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return out
    for tid in tids:
        try:
            with open(f"/proc/{pid}/task/{tid}/comm") as f:
                name = f.read().strip()
            with open(f"/proc/{pid}/task/{tid}/schedstat") as f:
                run_ns, wait_ns = (int(x) for x in f.read().split()[:2])
        except (OSError, ValueError):
            continue
        out[tid] = (name, run_ns, wait_ns)
    return out
