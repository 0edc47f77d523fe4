#!/usr/bin/env python3
"""Summarises scripts/bench-train.sh outputs: per dataset, our trainer vs the PyTorch reference."""
import argparse, glob, json, os, re, statistics, sys

GOAL_SPEEDUP, GOAL_RSS_MB, GOAL_ACC_POINTS = 1.5, 250.0, 0.5


def read_smoke_train(text):
    """Epoch lines in the reference's shape from `fmnist smoke-train --json` output."""
    d = json.loads(text)
    epochs = [dict(epoch=e["epoch"], train_img_s=e["images_per_second"], test_acc=e.get("test_accuracy"))
              for e in d["report"]["epochs"]]
    return [{k: v for k, v in e.items() if v is not None} for e in epochs], {"test_acc": d["report"]["test_accuracy"]}


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


def collect(out, who, ds):
    runs = []
    for jsonl in sorted(glob.glob(os.path.join(out, f"{who}-{ds}-*.jsonl"))):
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
    return dict(img_s=statistics.median(speeds), img_s_min=min(speeds), img_s_max=max(speeds),
                acc1=acc_after(1), acc_last=acc_after(last), last=last, rss=max(rss) if rss else None,
                other=statistics.mean(others) if others else None,
                own=statistics.mean(owns) if owns else None, runs=len(runs), epochs=len(speeds))


def pct(x):
    return "   -  " if x is None else f"{100 * x:5.2f}%"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--epochs", type=int, default=5)
    ap.add_argument("--datasets", nargs="+", default=["fashion-mnist", "mnist"])
    a = ap.parse_args()
    failures = []
    print()
    print(f"{'dataset':14} {'trainer':8} {'img/s (median)':>15} {'range':>17} {'acc@1':>7} "
          f"{'acc@' + str(a.epochs):>7} {'peak RSS':>9} {'own CPU':>8} {'other CPU':>9}")
    for ds in a.datasets:
        ours, ref = collect(a.out, "ours", ds), collect(a.out, "torch", ds)
        for name, r in (("ours", ours), ("pytorch", ref)):
            if r is None:
                continue
            print(f"{ds:14} {name:8} {r['img_s']:15,.0f} {r['img_s_min']:8,.0f}-{r['img_s_max']:<8,.0f} "
                  f"{pct(r['acc1']):>7} {pct(r['acc_last']):>7} "
                  f"{'-' if r['rss'] is None else format(r['rss'], '.0f') + ' MB':>9} "
                  f"{'-' if r['own'] is None else format(r['own'], '.2f'):>8} "
                  f"{'-' if r['other'] is None else format(r['other'], '.2f'):>9}")
        if ours and ref:
            speedup = ours["img_s"] / ref["img_s"]
            rss_ratio = ours["rss"] / ref["rss"] if ours["rss"] and ref["rss"] else None
            d1 = None if ours["acc1"] is None or ref["acc1"] is None else 100 * (ours["acc1"] - ref["acc1"])
            dl = None if ours["acc_last"] is None or ref["acc_last"] is None else 100 * (ours["acc_last"] - ref["acc_last"])
            print(f"{ds:14} {'ratio':8} speed {speedup:.2f}x (goal >= {GOAL_SPEEDUP}x), "
                  f"RSS {'-' if rss_ratio is None else format(rss_ratio, '.2f')}x, "
                  f"accuracy {'-' if d1 is None else format(d1, '+.2f')} / {'-' if dl is None else format(dl, '+.2f')} points")
            if speedup < GOAL_SPEEDUP:
                failures.append(f"{ds}: speed {speedup:.2f}x < {GOAL_SPEEDUP}x")
            for label, d in (("epoch 1", d1), (f"epoch {ours['last']}", dl)):
                if d is not None and d < -GOAL_ACC_POINTS:
                    failures.append(f"{ds}: accuracy after {label} {d:+.2f} points vs PyTorch")
        if ours and ours["rss"] is not None and ours["rss"] >= GOAL_RSS_MB:
            failures.append(f"{ds}: peak RSS {ours['rss']:.0f} MB >= {GOAL_RSS_MB:.0f} MB")
    busy = [r["other"] for ds in a.datasets for r in (collect(a.out, "ours", ds), collect(a.out, "torch", ds))
            if r and r["other"] is not None]
    if busy and max(busy) > 0.2:
        print(f"\nnote: other processes used up to {max(busy):.2f} CPUs during the runs; "
              "absolute img/s are depressed, compare the ratios")
    print()
    if failures:
        print("GOALS MISSED: " + "; ".join(failures))
    else:
        print("goals met: >= 1.5x PyTorch img/s, peak RSS < 250 MB, accuracy within 0.5 points (or better)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
