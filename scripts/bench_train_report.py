#!/usr/bin/env python3
"""Summarises scripts/bench-train.sh outputs: per dataset, our trainer vs the PyTorch reference."""
import argparse, glob, json, os, re, statistics, sys

GOAL_SPEEDUP, GOAL_RSS_MB, GOAL_ACC_POINTS = 1.5, 250.0, 0.5
# Issue 24: two threads at least 1.7x one at batch 64; at least 6x PyTorch at 2 threads on AVX-512.
GOAL_SCALING, GOAL_AVX512_SPEEDUP = 1.7, 6.0
MFLOP_PER_IMAGE = 2.264  # forward + backward of one training image
# fp32 FLOPs per cycle per core of each kernel path (2 FMA pipes x lanes x 2; portable: SSE mul + add).
FLOPS_PER_CYCLE = {"avx512": 64, "avx2-fma": 32, "portable": 16}


def read_smoke_train(text):
    """Epoch lines in the reference's shape from `fmnist smoke-train --json` output."""
    d = json.loads(text)
    epochs = [dict(epoch=e["epoch"], train_img_s=e["images_per_second"], test_acc=e.get("test_accuracy"))
              for e in d["report"]["epochs"]]
    summary = {"test_acc": d["report"]["test_accuracy"], "kernel": d["report"].get("kernel")}
    return [{k: v for k, v in e.items() if v is not None} for e in epochs], summary


def read_run(jsonl, time_file):
    epochs, summary = [], {}
    text = open(jsonl).read()
    if text.lstrip().startswith("{") and '"report"' in text:
        epochs, summary = read_smoke_train(text)
        text = ""
    for line in text.splitlines():
        line = line.strip()
        if not line.startswith("{"):
            continue
        d = json.loads(line)
        if "epoch" in d:
            epochs.append(d)
        else:
            summary.update(d)
    rss_mb = None
    if os.path.exists(time_file):
        m = re.search(r"Maximum resident set size \(kbytes\): (\d+)", open(time_file).read())
        if m:
            rss_mb = int(m.group(1)) / 1024
    if rss_mb is None and "maxrss_mib" in summary:
        rss_mb = summary["maxrss_mib"]
    return epochs, summary, rss_mb


def collect(out, prefix, ds):
    """Runs named PREFIX-DS-N.jsonl (PREFIX: ours-KERNELS-tTHREADS or torch-tTHREADS)."""
    runs = []
    for jsonl in sorted(glob.glob(os.path.join(out, f"{prefix}-{ds}-*.jsonl"))):
        if not re.fullmatch(re.escape(f"{prefix}-{ds}-") + r"\d+\.jsonl", os.path.basename(jsonl)):
            continue
        epochs, summary, rss = read_run(jsonl, jsonl[:-len(".jsonl")] + ".time")
        if epochs:
            runs.append((epochs, summary, rss))
    if not runs:
        return None
    speeds = [e["train_img_s"] for r in runs for e in r[0]]
    def acc_after(n):
        vals = [e["test_acc"] for r in runs for e in r[0] if e["epoch"] == n and "test_acc" in e]
        return statistics.median(vals) if vals else None
    last = max(e["epoch"] for e in runs[0][0])
    others = [e.get("other_cpu_util") for r in runs for e in r[0] if e.get("other_cpu_util") is not None]
    owns = [e.get("own_cpu_util") for r in runs for e in r[0] if e.get("own_cpu_util") is not None]
    rss = [r[2] for r in runs if r[2] is not None]
    kernels = sorted({r[1].get("kernel") for r in runs if r[1].get("kernel")})
    return dict(img_s=statistics.median(speeds), img_s_min=min(speeds), img_s_max=max(speeds),
                acc1=acc_after(1), acc_last=acc_after(last), last=last, rss=max(rss) if rss else None,
                other=statistics.mean(others) if others else None, kernel="/".join(kernels) or None,
                own=statistics.mean(owns) if owns else None, runs=len(runs), epochs=len(speeds))


def pct(x):
    return "   -  " if x is None else f"{100 * x:5.2f}%"


def labels(out, pattern):
    """The distinct values of the regex group in the file names under `out`."""
    found = set()
    for f in os.listdir(out):
        m = re.fullmatch(pattern, f)
        if m:
            found.add(m.group(1))
    return found


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--epochs", type=int, default=5)
    ap.add_argument("--datasets", nargs="+", default=["fashion-mnist", "mnist"])
    a = ap.parse_args()
    failures = []
    machine = {}
    if os.path.exists(os.path.join(a.out, "machine.json")):
        machine = json.load(open(os.path.join(a.out, "machine.json")))
    kernels = sorted(labels(a.out, r"ours-(.+?)-t\d+-.*\.jsonl"))
    threads = sorted(int(t) for t in labels(a.out, r"(?:ours-.+?|torch)-t(\d+)-.*\.jsonl"))
    ghz = machine.get("clock_ghz")
    dispatched = set()
    rows = {}
    for ds in a.datasets:
        for k in kernels:
            for t in threads:
                r = collect(a.out, f"ours-{k}-t{t}", ds)
                if r:
                    rows[(ds, k, t)] = r
                    if k == "auto" and r["kernel"]:
                        dispatched.add(r["kernel"])
        for t in threads:
            r = collect(a.out, f"torch-t{t}", ds)
            if r:
                rows[(ds, "pytorch", t)] = r
    print()
    print(f"machine: {machine.get('cpu_model', 'unknown CPU')}, {machine.get('cores', '?')} CPUs, "
          f"flags: {' '.join(machine.get('flags', [])) or '-'}")
    print(f"dispatched kernel path (no FMNIST_KERNELS): {', '.join(sorted(dispatched)) or '- (not run)'}")
    fma = {"avx2-fma": machine.get("fma_gflops_avx2"), "avx512": machine.get("fma_gflops_avx512")}
    print(f"measured per core: clock {'-' if ghz is None else format(ghz, '.2f') + ' GHz'}, fp32 FMA throughput "
          + ", ".join(f"{k} {'-' if v is None else format(v, '.0f') + ' GFLOP/s'}"
                      + ("" if v is None or not ghz else f" ({v / ghz:.0f} FLOPs/cycle)") for k, v in fma.items()))
    print(f"% peak = img/s x {MFLOP_PER_IMAGE} MFLOP / (threads x clock x nominal FLOPs/cycle: "
          + ", ".join(f"{k} {v}" for k, v in FLOPS_PER_CYCLE.items())
          + "); % FMA = the same over threads x the measured FMA throughput of that path")
    print(f"load average before / after: {machine.get('load_before', '-')} / {machine.get('load_after', '-')}"
          + ("" if machine.get("torch", True) else "; PyTorch not installed: no baseline"))
    print()
    print(f"{'dataset':14} {'trainer':22} {'thr':>3} {'img/s (median)':>15} {'range':>17} {'acc@1':>7} "
          f"{'acc@' + str(a.epochs):>7} {'peak RSS':>9} {'% peak':>7} {'% FMA':>7} {'other CPU':>9}")
    for (ds, k, t), r in sorted(rows.items(), key=lambda kv: (kv[0][0], kv[0][1] == "pytorch", kv[0][1], kv[0][2])):
        name = "pytorch" if k == "pytorch" else f"ours {k}" + (f" ({r['kernel']})" if r["kernel"] and r["kernel"] != k else "")
        peak = measured = None
        if k != "pytorch" and ghz and r["kernel"] in FLOPS_PER_CYCLE:
            peak = r["img_s"] * MFLOP_PER_IMAGE * 1e6 / (t * ghz * 1e9 * FLOPS_PER_CYCLE[r["kernel"]])
        if k != "pytorch" and fma.get(r["kernel"]):
            measured = r["img_s"] * MFLOP_PER_IMAGE * 1e6 / (t * fma[r["kernel"]] * 1e9)
        print(f"{ds:14} {name:22} {t:3d} {r['img_s']:15,.0f} {r['img_s_min']:8,.0f}-{r['img_s_max']:<8,.0f} "
              f"{pct(r['acc1']):>7} {pct(r['acc_last']):>7} "
              f"{'-' if r['rss'] is None else format(r['rss'], '.0f') + ' MB':>9} "
              f"{pct(peak):>7} {pct(measured):>7} "
              f"{'-' if r['other'] is None else format(r['other'], '.2f'):>9}")
    print()
    for ds in a.datasets:
        for k in kernels + ["pytorch"]:
            if (ds, k, 1) in rows and (ds, k, 2) in rows:
                scaling = rows[(ds, k, 2)]["img_s"] / rows[(ds, k, 1)]["img_s"]
                print(f"{ds:14} {k:10} 2 threads / 1 thread: {scaling:.2f}x"
                      + (f" (goal >= {GOAL_SCALING}x)" if k != "pytorch" else ""))
                if k != "pytorch" and scaling < GOAL_SCALING:
                    failures.append(f"{ds} {k}: 2-thread scaling {scaling:.2f}x < {GOAL_SCALING}x")
        for k in kernels:
            for t in threads:
                ours, ref = rows.get((ds, k, t)), rows.get((ds, "pytorch", t))
                if not (ours and ref):
                    continue
                speedup = ours["img_s"] / ref["img_s"]
                rss_ratio = ours["rss"] / ref["rss"] if ours["rss"] and ref["rss"] else None
                d1 = None if ours["acc1"] is None or ref["acc1"] is None else 100 * (ours["acc1"] - ref["acc1"])
                dl = None if ours["acc_last"] is None or ref["acc_last"] is None else 100 * (ours["acc_last"] - ref["acc_last"])
                goal = GOAL_AVX512_SPEEDUP if ours["kernel"] == "avx512" and t == 2 else GOAL_SPEEDUP
                print(f"{ds:14} {k:10} vs PyTorch, {t} thread(s): speed {speedup:.2f}x (goal >= {goal}x), "
                      f"RSS {'-' if rss_ratio is None else format(rss_ratio, '.2f')}x, "
                      f"accuracy {'-' if d1 is None else format(d1, '+.2f')} / {'-' if dl is None else format(dl, '+.2f')} points")
                if speedup < goal:
                    failures.append(f"{ds} {k} {t}t: speed {speedup:.2f}x < {goal}x")
                for label, d in (("epoch 1", d1), (f"epoch {ours['last']}", dl)):
                    if d is not None and d < -GOAL_ACC_POINTS:
                        failures.append(f"{ds} {k} {t}t: accuracy after {label} {d:+.2f} points vs PyTorch")
                if ours["rss"] is not None and ours["rss"] >= GOAL_RSS_MB:
                    failures.append(f"{ds} {k} {t}t: peak RSS {ours['rss']:.0f} MB >= {GOAL_RSS_MB:.0f} MB")
        named = [k for k in kernels if k != "auto"]
        for t in threads:
            for i, k1 in enumerate(named):
                for k2 in named[i + 1:]:
                    r1, r2 = rows.get((ds, k1, t)), rows.get((ds, k2, t))
                    if r1 and r2:
                        print(f"{ds:14} {k1} / {k2}, {t} thread(s): {r1['img_s'] / r2['img_s']:.2f}x img/s, "
                              f"accuracy after epoch {r1['last']} {100 * ((r1['acc_last'] or 0) - (r2['acc_last'] or 0)):+.2f} points")
    busy = [r["other"] for r in rows.values() if r["other"] is not None]
    if busy and max(busy) > 0.2:
        print(f"\nnote: other processes used up to {max(busy):.2f} CPUs during the runs; "
              "absolute img/s are depressed, compare the ratios")
    print()
    if failures:
        print("GOALS MISSED: " + "; ".join(failures))
    else:
        print(f"goals met: 2 threads >= {GOAL_SCALING}x 1 thread, >= {GOAL_SPEEDUP}x PyTorch img/s "
              f"(>= {GOAL_AVX512_SPEEDUP}x at 2 threads on AVX-512), peak RSS < {GOAL_RSS_MB:.0f} MB, "
              f"accuracy within {GOAL_ACC_POINTS} points (or better)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
