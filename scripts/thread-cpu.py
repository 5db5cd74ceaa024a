#!/usr/bin/env python3
"""Runs a command and prints its CPU time per thread (Linux /proc), for docs/benchmarks.md.

    scripts/thread-cpu.py -- .build/release/logtop --batch --rate 3000 --duration 20

The command's threads are sampled every 0.2 s (/proc/PID/task/*/schedstat; a thread's last
sample counts: a thread that lives less than 0.2 s may be missed); at the end it prints wall time,
the process's user+system CPU (from wait4, exact), its share of one core, and each thread name's CPU
seconds and share of one core (threads of one name summed, e.g. librdkafka's rdk:broker threads).
Python 3 only.
"""
import os
import sys
import time

from procthreads import threads  # scripts/procthreads.py


def main():
    args = sys.argv[1:]
    if args[:1] == ["--"]:
        args = args[1:]
    if not args:
        sys.exit("usage: thread-cpu.py -- COMMAND [ARG...]")
    start = time.monotonic()
    pid = os.fork()
    if pid == 0:
        devnull = os.open(os.devnull, os.O_RDWR)
        os.dup2(devnull, 0)
        os.execvp(args[0], args)
    seen = {}
    while True:
        done, status, usage = os.wait4(pid, os.WNOHANG)
        if done:
            break
        for tid, (name, run_ns, _) in threads(pid).items():
            seen[tid] = (name, run_ns / 1e9)
        time.sleep(0.2)
    wall = time.monotonic() - start
    cpu = usage.ru_utime + usage.ru_stime
    print(f"wall {wall:.2f} s  cpu {cpu:.2f} s (user {usage.ru_utime:.2f}, sys {usage.ru_stime:.2f})  "
          f"{100 * cpu / wall:.1f} % of a core  exit {os.waitstatus_to_exitcode(status)}")
    by_name = {}
    for name, t in seen.values():
        by_name[name] = by_name.get(name, 0.0) + t
    for name, t in sorted(by_name.items(), key=lambda kv: -kv[1]):
        if t > 0:
            print(f"  {name:<24} {t:7.2f} s  {100 * t / wall:5.1f} %")


if __name__ == "__main__":
    main()
