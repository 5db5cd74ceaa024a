#!/usr/bin/env python3
"""The analyzer's throughput with and without a scraper hammering /metrics (issue #17).

Each run is a release `logtop --batch --source file:LOG --metrics-listen 127.0.0.1:PORT` on the same
log; a hammered run has a scraper process (this script, `scrape` mode) on loopback for the whole run:
connect, `GET /metrics`, read the answer to the end, close, again -- as fast as it can (rate 0) or at a
steady rate. The runs go in alternation, the order rotating from one round to the next, after one
warm-up run that is not counted.

What is measured per run, from outside the process:
  analyzer CPU    the `logtop-analyzer` thread's own CPU time (/proc/PID/task/TID/schedstat, ns,
                  sampled every 10 ms until the thread ends): CPU per line is the analyzer's cost,
                  whatever else runs on the machine (the scraper, the metrics thread, other jobs)
  lines/s         1M lines' worth of analysis over wall time: the time the analyzer thread took from
                  10 % to 90 % of its own total CPU (its CPU is nearly all per-line work), i.e. 80 %
                  of the lines, interpolated between samples
  cores           the whole process's CPU seconds per second over that same span (/proc/PID/stat)
  wall, cpu       the whole process, spawn to exit (user + system of every thread, from wait4)
  metrics CPU     the `logtop-metrics` thread (the server: accept, render, send)
  analyzer waited the analyzer thread's time runnable but waiting for a CPU (schedstat)
  scrapes         answers the scraper got (each a complete 200 with `logtop_analyzed_lines_total`)
  scraper CPU     the scraper process's own user + system CPU
Every run must end with every line analysed (logtop's own summary line says so), else it stops.

Needs: python3 (Debian package python3; standard library only) and Linux /proc. Build first:
  swift build -c release --product logtop
  .build/release/logtop generate --stdout --no-pace --count 1000000 --seed 3 > /tmp/x.log
  scripts/metrics-hammer-bench.py --log /tmp/x.log --rounds 7 --rates 0,100
  scripts/metrics-hammer-bench.py --log /tmp/x.log --rounds 12 --rates 100 --control
"""
import argparse
import os
import resource
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time

from procthreads import threads  # scripts/procthreads.py

RUN_LIMIT_SECONDS = 300
REQUEST = b"GET /metrics HTTP/1.1\r\nHost: localhost\r\n\r\n"


def scrape_once(port):
    """One scrape: True for a complete 200 answer carrying the analyzer's line counter."""
    with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
        s.sendall(REQUEST)
        chunks = []
        while True:
            b = s.recv(65536)
            if not b:
                break
            chunks.append(b)
    answer = b"".join(chunks)
    return answer.startswith(b"HTTP/1.1 200") and b"\nlogtop_analyzed_lines_total " in answer


def scraper(port, rate, limit_seconds):
    """The hammering client: runs until SIGTERM or `limit_seconds`, then prints `answered failed`."""
    stop = False

    def on_term(*_):
        nonlocal stop
        stop = True

    signal.signal(signal.SIGTERM, on_term)
    answered = failed = 0
    start = time.monotonic()
    next_at = start
    while not stop and time.monotonic() - start < limit_seconds:
        if rate > 0:
            next_at += 1 / rate
            delay = next_at - time.monotonic()
            if delay > 0:
                time.sleep(delay)
        try:
            if scrape_once(port):
                answered += 1
            else:
                failed += 1
        except OSError:
            failed += 1
            time.sleep(0.001)  # not listening (yet, or any more): no busy spin
    usage = resource.getrusage(resource.RUSAGE_SELF)
    print(answered, failed, usage.ru_utime + usage.ru_stime, flush=True)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run(logtop, log, lines, rate):
    """One run; rate None: no scraper. Returns the figures, or raises when the run was not complete."""
    work = tempfile.mkdtemp(prefix="metrics-hammer-")
    port = free_port()
    scrape = None
    t0 = time.monotonic()
    proc = subprocess.Popen([logtop, "--batch", "--source", f"file:{log}", "--metrics-listen", f"127.0.0.1:{port}",
                             "--results", "results.txt"], cwd=work, stdin=subprocess.DEVNULL,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    if rate is not None:
        scrape = subprocess.Popen([sys.executable, os.path.abspath(__file__), "scrape", str(port), str(rate)],
                                  stdout=subprocess.PIPE, text=True)
    stderr = []
    reader = threading.Thread(target=lambda: stderr.append(proc.stderr.read().decode(errors="replace")))
    reader.start()
    samples = []  # (seconds since spawn, analyzer ns, process CPU s) while the analyzer thread lives
    last = {}
    while True:
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)  # wait4: the process's own CPU totals
        if pid:
            break
        if time.monotonic() - t0 > RUN_LIMIT_SECONDS:  # a run that never ends must not hang the bench
            proc.kill()
            if scrape:
                scrape.kill()
            raise RuntimeError(f"run did not end within {RUN_LIMIT_SECONDS} s (rate {rate}); its work directory: {work}")
        now = threads(proc.pid)
        last.update(now)
        a = [ns for (name, ns, _) in now.values() if name == "logtop-analyzer"]
        if a:
            samples.append((time.monotonic() - t0, a[0], process_cpu(proc.pid)))
        time.sleep(0.01)
    wall = time.monotonic() - t0
    proc.returncode = os.waitstatus_to_exitcode(status)
    reader.join()
    scrapes = failed = scraper_cpu = None
    if scrape:
        scrape.send_signal(signal.SIGTERM)
        out, _ = scrape.communicate(timeout=30)
        n, f, c = out.split()
        scrapes, failed, scraper_cpu = int(n), int(f), float(c)
    text = "".join(stderr)
    if f"{lines} lines analysed" not in text:
        raise RuntimeError(f"run incomplete (rate {rate}):\n{text[-2000:]}")
    if not samples:
        raise RuntimeError(f"no thread named logtop-analyzer seen (threads: {sorted(set(v[0] for v in last.values()))})")
    shutil.rmtree(work, ignore_errors=True)  # a complete run's results are not needed (a failed one keeps them)
    by_name = {}
    waited = 0
    for name, ns, wait in last.values():
        by_name[name] = by_name.get(name, 0) + ns
        if name == "logtop-analyzer":
            waited += wait
    analyzer = by_name.get("logtop-analyzer", 0)
    lines_per_s, cores = span_rate(samples, lines)
    return {
        "rate": rate, "wall": wall, "cpu": usage.ru_utime + usage.ru_stime,
        "analyzer_s": analyzer / 1e9, "ns_per_line": analyzer / lines,
        "lines_per_s": lines_per_s, "cores": cores, "metrics_s": by_name.get("logtop-metrics", 0) / 1e9,
        "scrapes": scrapes, "failed": failed, "scraper_cpu": scraper_cpu, "analyzer_wait_s": waited / 1e9,
    }


def process_cpu(pid):
    """User + system CPU seconds of the whole process so far (every thread, ended ones too)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return 0.0


def span_rate(samples, lines):
    """Lines per second while the analyzer's CPU went from 10 % to 90 % of its total, and the cores the
    whole process used meanwhile (its CPU seconds per second)."""
    total = samples[-1][1]

    def when(fraction):
        target = total * fraction
        for i in range(1, len(samples)):
            (t1, c1, _), (t2, c2, _) = samples[i - 1], samples[i]
            if c2 >= target:
                return t1 + (t2 - t1) * (target - c1) / max(c2 - c1, 1), i
        return samples[-1][0], len(samples) - 1

    (start, i), (end, j) = when(0.1), when(0.9)
    span = max(end - start, 1e-9)
    cores = (samples[j][2] - samples[i - 1][2]) / max(samples[j][0] - samples[i - 1][0], 1e-9)
    return 0.8 * lines / span, cores


def main():
    if len(sys.argv) > 1 and sys.argv[1] == "scrape":
        scraper(int(sys.argv[2]), float(sys.argv[3]), limit_seconds=600)
        return
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--logtop", default=os.path.join(os.path.dirname(__file__), "..", ".build", "release", "logtop"))
    p.add_argument("--log", required=True, help="the access log to analyse (see above)")
    p.add_argument("--rounds", type=int, default=5, help="rounds of one run of each kind (default 5)")
    p.add_argument("--rates", default="0,100", help="scraper rates, scrapes/s, 0 = as fast as it can (default 0,100)")
    p.add_argument("--control", action="store_true",
                   help="also a second quiet run a round: its ratios to the first show what this machine can resolve")
    a = p.parse_args()
    a.logtop = os.path.abspath(a.logtop)
    with open(a.log, "rb") as f:
        lines = sum(1 for _ in f)
    rates = [float(r) for r in a.rates.split(",")]
    kinds = [None] + (["control"] if a.control else []) + rates
    label = lambda r: "quiet" if r is None else r if r == "control" else ("flat-out" if r == 0 else f"{r:g}/s")
    print(f"{lines} lines; warm-up run", flush=True)
    run(a.logtop, a.log, lines, None)
    results = {k: [] for k in range(len(kinds))}
    for i in range(a.rounds):
        for k in [(j + i) % len(kinds) for j in range(len(kinds))]:
            r = run(a.logtop, a.log, lines, None if kinds[k] == "control" else kinds[k])
            results[k].append(r)
            line = (f"round {i + 1} {label(kinds[k]):>8}: wall {r['wall']:.2f} s, cpu {r['cpu']:.2f} s, analyzer "
                    f"{r['ns_per_line']:.0f} ns/line (waited {r['analyzer_wait_s']:.2f} s for a CPU), "
                    f"{r['lines_per_s'] / 1e3:.0f} K lines/s (process using {r['cores']:.2f} cores)")
            if r["scrapes"] is not None:
                line += (f", {r['scrapes']} scrapes ({r['failed']} failed), metrics thread {r['metrics_s']:.3f} s "
                         f"({r['metrics_s'] * 1e6 / max(r['scrapes'], 1):.0f} µs a scrape), scraper {r['scraper_cpu']:.2f} s")
            print(line, flush=True)
    fields = [("ns_per_line", "analyzer ns/line", "{:.0f}"), ("lines_per_s", "lines/s", "{:.0f}"),
              ("analyzer_wait_s", "analyzer waited s", "{:.2f}"), ("cores", "cores", "{:.2f}"), ("wall", "wall s", "{:.2f}"), ("cpu", "process cpu s", "{:.2f}")]
    print(f"\nmedians of {a.rounds} rounds; for a hammered kind, [median of its per-round ratios to the quiet run]")
    for k, r in enumerate(kinds):
        cells = []
        for f, name, fmt in fields:
            cell = f"{name} " + fmt.format(statistics.median(x[f] for x in results[k]))
            if k:
                cell += f" [{statistics.median(h[f] / q[f] for h, q in zip(results[k], results[0]) if q[f]):.3f}]"
            cells.append(cell)
        if results[k][0]["scrapes"] is not None:
            cells.append(f"scrapes {statistics.median(x['scrapes'] for x in results[k]):.0f}")
            cells.append(f"scraper cpu s {statistics.median(x['scraper_cpu'] for x in results[k]):.2f}")
            cells.append(f"metrics thread s {statistics.median(x['metrics_s'] for x in results[k]):.3f}")
        print(f"{label(r):>8}: " + ", ".join(cells))

if __name__ == "__main__":
    main()
