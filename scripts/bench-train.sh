#!/usr/bin/env bash
# LeNet-5 training benchmark: `fmnist smoke-train` vs the PyTorch reference, side by side on the
# same machine, data, epochs, batch (64), optimiser (SGD 0.9 / 0.01), at 1 and 2 threads.
#
# Prints a header with the CPU model, its SIMD flags, the kernel path fmnist dispatched to, the
# measured clock and the load average; then training images/s at each thread count and kernel path,
# the 2-thread / 1-thread ratio, the ratio against PyTorch at the same thread count, the fraction of
# the dispatched ISA's fp32 peak (2.264 MFLOP per training image; peak = threads x GHz x FLOPs per
# cycle per core: AVX-512 on a full-width core (Zen 5) 2x16x2 = 64, AVX2/FMA 2x8x2 = 32, portable
# SSE 16), test accuracy and peak RSS. Runs alternate between the trainers, thread counts and kernel
# paths so all see the same machine load; img/s is the median over all epochs of all runs, and the
# CPU time other processes took during the runs is shown, since a busy machine distorts every number.
#
# Environment (all optional):
#   FMNIST_DATA_DIR    folder with fashion-mnist/ and mnist/ (default ../shared/data)
#   FMNIST_REFERENCE   the reference script (default ../shared/bench/lenet_reference.py)
#   FMNIST_BUILD_DIR   SwiftPM scratch path (default .build)
#   FMNIST_BENCH_VENV  Python venv with torch + numpy, created if missing (default .venv-bench)
#   DATASETS="fashion-mnist mnist"  EPOCHS=5  RUNS=1  THREADS="1 2"  SEED=0
#   KERNELS="auto"     fmnist kernel paths to compare (FMNIST_KERNELS values: auto, avx512, avx2,
#                      portable; "auto" leaves it unset), e.g. KERNELS="avx512 avx2"
#   OUT=bench-out/train   where raw outputs go
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
DATA_DIR=${FMNIST_DATA_DIR:-$ROOT/../shared/data}
REFERENCE=${FMNIST_REFERENCE:-$ROOT/../shared/bench/lenet_reference.py}
BUILD_DIR=${FMNIST_BUILD_DIR:-$ROOT/.build}
VENV=${FMNIST_BENCH_VENV:-$ROOT/.venv-bench}
DATASETS=${DATASETS:-"fashion-mnist mnist"}
EPOCHS=${EPOCHS:-5}
RUNS=${RUNS:-1}
THREADS=${THREADS:-"1 2"}
KERNELS=${KERNELS:-auto}
SEED=${SEED:-0}
OUT=${OUT:-$ROOT/bench-out/train}
for dataset in $DATASETS; do
    if [ ! -d "$DATA_DIR/$dataset" ]; then
        echo "error: $DATA_DIR/$dataset is missing: FMNIST_DATA_DIR must hold $DATASETS with the four .gz files each" >&2
        exit 2
    fi
done

log() { printf '==> %s\n' "$*" >&2; }

# 1. Build fmnist (release); smoke-train reads a workspace whose live folders link to the data.
log "building fmnist (release, scratch path $BUILD_DIR)"
swift build -c release --package-path "$ROOT" --scratch-path "$BUILD_DIR" --product fmnist >&2
OURS="$BUILD_DIR/release/fmnist"
WORKSPACE=$(mktemp -d)
trap 'chmod -R u+w "$WORKSPACE" 2>/dev/null; rm -rf "$WORKSPACE"' EXIT  # read-only version folders: u+w first (not root)

# 2. GNU time for peak RSS.
TIME=/usr/bin/time
if ! "$TIME" -v true >/dev/null 2>&1; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
        log "installing GNU time"
        (apt-get install -y time >/dev/null 2>&1 || { apt-get update >/dev/null && apt-get install -y time >/dev/null; }) || true
    fi
fi
if ! "$TIME" -v true >/dev/null 2>&1; then
    log "GNU time unavailable: peak RSS comes from the programs' own getrusage figures"
    TIME=""
fi

# 3. PyTorch in a virtual environment.
HAVE_TORCH=1
if ! "$VENV/bin/python" -c 'import torch, numpy' >/dev/null 2>&1; then
    log "installing torch + numpy into $VENV (first run only; large download)"
    { python3 -m venv "$VENV" && "$VENV/bin/pip" install -q --upgrade pip \
        && "$VENV/bin/pip" install -q torch numpy; } >&2 || true
    if ! "$VENV/bin/python" -c 'import torch, numpy' >/dev/null 2>&1; then
        log "torch could not be installed: reporting our trainer only"
        HAVE_TORCH=0
    fi
fi

mkdir -p "$OUT"
rm -f "$OUT"/*.jsonl "$OUT"/*.time "$OUT"/machine.json
EVAL_AFTER=$(seq -s, 1 "$EPOCHS")

# 4. The machine: CPU model, SIMD flags, clock and FMA throughput, measured: a chain of dependent
#    integer adds retires one per cycle (clock); 12 independent FMA chains per vector width give the
#    fp32 FLOPs per second one core reaches with AVX2 (ymm) and AVX-512 (zmm). Best of 300 short
#    probes each, so probes descheduled by other load do not count.
PROBE="null"
PROBE_DIR=$(mktemp -d)
cat > "$PROBE_DIR/probe.c" <<'PROBE'
#include <immintrin.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
static double now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec + t.tv_nsec * 1e-9; }
#define CHAINS(T, FMA, SET, LANES)                                                       \
    T a[12]; const T m = SET(0.999f), b = SET(0.001f);                                   \
    for (int i = 0; i < 12; i++) a[i] = SET((float)i);                                   \
    for (long k = 0; k < n; k++) {                                                       \
        for (int i = 0; i < 12; i++) a[i] = FMA(a[i], m, b);                             \
        __asm__ volatile("" : "+v"(a[0]));                                               \
    }                                                                                    \
    T s = a[0];                                                                          \
    for (int i = 1; i < 12; i++) s = s + a[i];                                           \
    float r[LANES]; memcpy(r, &s, sizeof r); return r[0];
__attribute__((target("avx2,fma"))) static float ymm(long n) { CHAINS(__m256, _mm256_fmadd_ps, _mm256_set1_ps, 8) }
__attribute__((target("avx512f"))) static float zmm(long n) { CHAINS(__m512, _mm512_fmadd_ps, _mm512_set1_ps, 16) }
static unsigned long adds(long n) {
    unsigned long x = 0;
    for (long i = 0; i < n; i++) __asm__ volatile("add $1, %0\n\tadd $1, %0\n\tadd $1, %0\n\tadd $1, %0" : "+r"(x));
    return x;
}
int main(void) {
    __builtin_cpu_init();
    const int has512 = __builtin_cpu_supports("avx512f"), has2 = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
    const long n = 200000;
    double ghz = 0, g2 = 0, g512 = 0;
    volatile float sink;
    for (int r = 0; r < 300; r++) {
        double t0 = now(); adds(n); double t1 = now();
        if (4.0 * n / (t1 - t0) / 1e9 > ghz) ghz = 4.0 * n / (t1 - t0) / 1e9;
        if (has2) { t0 = now(); sink = ymm(n); t1 = now(); if (12.0 * 16 * n / (t1 - t0) / 1e9 > g2) g2 = 12.0 * 16 * n / (t1 - t0) / 1e9; }
        if (has512) { t0 = now(); sink = zmm(n); t1 = now(); if (12.0 * 32 * n / (t1 - t0) / 1e9 > g512) g512 = 12.0 * 32 * n / (t1 - t0) / 1e9; }
    }
    (void)sink;
    printf("{\"clock_ghz\": %.3f, \"fma_gflops_avx2\": %s%.1f, \"fma_gflops_avx512\": %s%.1f}\n", ghz,
           has2 ? "" : "0*", g2, has512 ? "" : "0*", g512);
    return 0;
}
PROBE
if [ "$(uname -m)" = x86_64 ] && command -v clang >/dev/null && clang -O2 -o "$PROBE_DIR/probe" "$PROBE_DIR/probe.c" 2>/dev/null; then
    PROBE=$("$PROBE_DIR/probe" | sed 's/0\*[0-9.]*/null/g')
else
    log "no clang (or not x86-64): clock and FMA throughput not measured, peak fractions not reported"
fi
rm -rf "$PROBE_DIR"
CPU_MODEL=$(grep -m1 '^model name' /proc/cpuinfo 2>/dev/null | cut -d: -f2- | sed 's/^ *//' || true)
FLAGS=$(grep -m1 '^flags' /proc/cpuinfo 2>/dev/null | tr ' ' '\n' | grep -xE 'avx2|fma|avx512f|avx512vl|avx512bw|avx512dq' | sort | tr '\n' ' ' || true)
python3 - "$OUT/machine.json" "$CPU_MODEL" "$FLAGS" "$PROBE" "$(nproc)" "$(cut -d' ' -f1-3 /proc/loadavg)" <<'PY'
import json, sys
out, model, flags, probe, cores, load = sys.argv[1:]
m = {"cpu_model": model or "unknown", "flags": flags.split(), "cores": int(cores), "load_before": load}
m.update(json.loads(probe) or {})
json.dump(m, open(out, "w"))
PY

run_timed() { # name, command...
    local name=$1; shift
    if [ -n "$TIME" ]; then
        "$TIME" -v -o "$OUT/$name.time" "$@" > "$OUT/$name.jsonl"
    else
        "$@" > "$OUT/$name.jsonl"
    fi
}

# 5. Alternating runs: per run and dataset, every thread count with every kernel path, then PyTorch.
for run in $(seq 1 "$RUNS"); do
    for ds in $DATASETS; do
        name=$([ "$ds" = fashion-mnist ] && echo fashion || echo "$ds")
        ln -sfn "$DATA_DIR/$ds" "$WORKSPACE/$name"
        for threads in $THREADS; do
            for kernel in $KERNELS; do
                log "$ds run $run/$RUNS: ours, kernels $kernel ($EPOCHS epochs, $threads threads)"
                if [ "$kernel" = auto ]; then
                    run_timed "ours-$kernel-t$threads-$ds-$run" env -u FMNIST_KERNELS "$OURS" smoke-train \
                        --dataset "$name" --root "$WORKSPACE" --epochs "$EPOCHS" --threads "$threads" \
                        --seed "$SEED" --batch 64 --evaluate-each-epoch --json --quiet
                else
                    run_timed "ours-$kernel-t$threads-$ds-$run" env FMNIST_KERNELS="$kernel" "$OURS" smoke-train \
                        --dataset "$name" --root "$WORKSPACE" --epochs "$EPOCHS" --threads "$threads" \
                        --seed "$SEED" --batch 64 --evaluate-each-epoch --json --quiet
                fi
            done
            if [ "$HAVE_TORCH" = 1 ]; then
                log "$ds run $run/$RUNS: PyTorch reference ($threads threads)"
                run_timed "torch-t$threads-$ds-$run" "$VENV/bin/python" "$REFERENCE" --data "$DATA_DIR/$ds" \
                    --epochs "$EPOCHS" --threads "$threads" --seed "$SEED" --batch 64 \
                    --eval-after "$EVAL_AFTER" --no-bench
            fi
        done
    done
done
python3 - "$OUT/machine.json" "$(cut -d' ' -f1-3 /proc/loadavg)" "$HAVE_TORCH" <<'PY'
import json, sys
path, load, torch = sys.argv[1:]
m = json.load(open(path)); m["load_after"] = load; m["torch"] = torch == "1"
json.dump(m, open(path, "w"))
PY

python3 "$ROOT/scripts/bench_train_report.py" "$OUT" --epochs "$EPOCHS" --datasets $DATASETS
