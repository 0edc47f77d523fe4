"""Shared helpers for the benchmark scripts: timing commands side by side, medians, peak RSS."""
import os
import resource
import statistics
import subprocess
import time


def run_timed(command, shell=False, env=None):
    """Runs a command; returns (seconds, peak RSS in MB of the child, exit code)."""
    start = time.perf_counter()
    proc = subprocess.Popen(command, shell=shell, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    return elapsed, usage.ru_maxrss / 1024.0, proc.returncode


def side_by_side(label_a, command_a, label_b, command_b, runs=7, shell_b=True, env=None):
    """Alternates A and B `runs` times; prints each median and the ratio A/B."""
    times_a, times_b, rss_a = [], [], []
    for _ in range(runs):
        t, rss, code = run_timed(command_a, env=env)
        if code != 0:
            raise SystemExit(f"{label_a} failed with exit {code}: {command_a}")
        times_a.append(t)
        rss_a.append(rss)
        t, _, code = run_timed(command_b, shell=shell_b, env=env)
        if code != 0:
            raise SystemExit(f"{label_b} failed with exit {code}")
        times_b.append(t)
    med_a, med_b = statistics.median(times_a), statistics.median(times_b)
    print(f"{label_a:<34} median {med_a*1000:8.1f} ms   (runs: {', '.join(f'{t*1000:.0f}' for t in times_a)})")
    print(f"{label_b:<34} median {med_b*1000:8.1f} ms   (runs: {', '.join(f'{t*1000:.0f}' for t in times_b)})")
    print(f"ratio {label_a} / {label_b}: {med_a/med_b:.2f}  (goal <= 1.0)")
    print(f"peak RSS of {label_a}: {max(rss_a):.1f} MB")
    return med_a, med_b, max(rss_a)
