#!/usr/bin/python3
"""Runs splitpoint's engine benchmark and its peers in one go and prints a
comparison table (medians, milliseconds per inference, batch 1, 224x224).

  models: VGG16, ResNet-50, MobileNet v2; the measured FMA peak (bench/fma_peak) and each
         fp32 model's fraction of it.
  peers: ONNX Runtime (npm onnxruntime-node, CPU provider; fp32 only: it has no
         quantizer outside Python), PyTorch (Debian python3-torch; fp32, and int8
         with PyTorch's best int8 engine: oneDNN in Debian's build).
  also:  peak RSS of `splitpoint exec vgg16` (fp32) against weights + the two
         largest activations.

Usage: bench/compare.py [--build build] [--repeat 10] [--models vgg16,resnet50]
                        [--threads 1,2] [--out build/bench/engine-comparison.json]
Run `scripts/install-bench-deps` first (make bench does).
"""
import argparse
import json
import os
import statistics
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
GFLOP = {"vgg16": 30.94, "resnet50": 8.18, "mobilenet_v2": 0.6015}  # 2 x MACs (splitpoint inspect)


def log(msg):
    print(msg, file=sys.stderr, flush=True)


def run_json_lines(cmd):
    log("$ " + " ".join(cmd))
    out = subprocess.run(cmd, check=True, stdout=subprocess.PIPE, text=True).stdout
    return [json.loads(line) for line in out.splitlines() if line.startswith("{")]


def engine(build, models, threads, repeat):
    bench = os.path.join(build, "bench", "bench_engine")
    filt = "engine/(" + "|".join(models) + ")/.*/threads:(" + "|".join(map(str, threads)) + ")/"
    cmd = [bench, f"--benchmark_filter={filt}", f"--benchmark_repetitions={repeat}",
           "--benchmark_report_aggregates_only=true", "--benchmark_format=json", "--benchmark_min_time=0.5"]
    log("$ " + " ".join(cmd))
    out = subprocess.run(cmd, check=True, stdout=subprocess.PIPE, text=True).stdout
    rows = []
    for b in json.loads(out)["benchmarks"]:
        if b.get("aggregate_name") != "median":
            continue
        _, model, dtype, backend, t = b["run_name"].split("/")[:5]
        rows.append({"peer": backend, "model": model, "dtype": dtype, "threads": int(t.split(":")[1]),
                     "median_ms": b["real_time"]})
    return rows


def fma_peak(build, threads, repeat=5):
    """The measured float FMA limit of `threads` threads (bench/fma_peak.cpp): the median of `repeat` runs."""
    lines = run_json_lines([os.path.join(build, "bench", "fma_peak"), "--threads", str(threads),
                            "--repeat", str(repeat)])
    median = [l for l in lines if l.get("median")][0]
    return median["gflops"], median["isa"]


def peak_rss_mib(cmd):
    """Peak RSS of `cmd` alone: measured by a fresh Python process whose only
    child it is (RUSAGE_CHILDREN here would also count the benchmarks run before)."""
    probe = ("import resource, subprocess, sys; subprocess.run(sys.argv[1:], check=True, stdout=subprocess.DEVNULL); "
             "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)")
    out = subprocess.run(["/usr/bin/python3", "-c", probe] + cmd, check=True, stdout=subprocess.PIPE, text=True).stdout
    return int(out.strip()) / 1024.0


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--build", default="build")
    p.add_argument("--repeat", type=int, default=10)
    p.add_argument("--models", default="vgg16,resnet50,mobilenet_v2")
    p.add_argument("--threads", default="1,2")
    p.add_argument("--out", default=None)
    a = p.parse_args()
    models = a.models.split(",")
    threads = [int(t) for t in a.threads.split(",")]
    out_path = a.out or os.path.join(a.build, "bench", "engine-comparison.json")
    onnx_dir = os.path.join(a.build, "bench", "onnx")
    os.makedirs(onnx_dir, exist_ok=True)

    peaks = {t: fma_peak(a.build, t) for t in threads}
    rows = engine(a.build, models, threads, max(3, a.repeat // 2))
    missing = [m for m in models if not os.path.exists(os.path.join(onnx_dir, m + ".onnx"))]
    if missing:
        subprocess.run(["/usr/bin/python3", os.path.join(HERE, "peers", "pytorch_peer.py"), "export",
                        "--models", ",".join(missing), "--dir", onnx_dir], check=True)
    rows += run_json_lines(["/usr/bin/python3", os.path.join(HERE, "peers", "pytorch_peer.py"), "time",
                            "--models", ",".join(models), "--threads", a.threads, "--repeat", str(a.repeat)])
    if os.path.isdir(os.path.join(HERE, "peers", "node_modules", "onnxruntime-node")):
        for m in models:
            rows += run_json_lines(["node", os.path.join(HERE, "peers", "onnxruntime_peer.js"), "--model", m,
                                    "--file", os.path.join(onnx_dir, m + ".onnx"), "--threads", a.threads,
                                    "--repeat", str(a.repeat)])
    else:
        log("onnxruntime-node not installed (scripts/install-bench-deps): ONNX Runtime left out")

    # Peak memory of a whole fp32 VGG16 run: weights + the two largest activations is the floor.
    splitpoint = os.path.join(a.build, "splitpoint")
    rss = peak_rss_mib([splitpoint, "exec", "vgg16", "--backend", "onednn", "--repeat", "3", "--threads", "2"])
    weights_mib = 138357544 * 4 / 2**20
    activations_mib = 2 * 224 * 224 * 64 * 4 / 2**20
    floor_mib = weights_mib + activations_mib

    peers = sorted({r["peer"] for r in rows})
    ours = [p for p in peers if p not in ("onnxruntime", "pytorch")]
    others = [p for p in peers if p in ("onnxruntime", "pytorch")]
    table = {}
    for r in rows:
        table[(r["model"], r["dtype"], r["threads"], r["peer"])] = r["median_ms"]

    cols = ours + others
    print(f"median ms per inference (batch 1, 224x224); ratio = fastest peer / ours (>1: ours faster)")
    header = f"{'model':<9} {'dtype':<5} {'thr':>3} " + " ".join(f"{c:>12}" for c in cols) + "  " + \
        " ".join(f"{'ratio ' + o:>14}" for o in ours)
    print(header)
    summary = []
    for m in models:
        for dtype in ("f32", "u8", "i8"):
            for t in threads:
                vals = {c: table.get((m, dtype, t, c)) for c in cols}
                if not any(v is not None for v in vals.values()):
                    continue
                # Peers in int8 are compared with both our u8 and i8.
                peer_vals = [table.get((m, dtype if dtype == "f32" else "i8", t, o)) for o in others]
                peer_vals = [v for v in peer_vals if v is not None]
                best_peer = min(peer_vals) if peer_vals else None
                cells = " ".join(f"{vals[c]:>12.2f}" if vals[c] is not None else f"{'-':>12}" for c in cols)
                ratios = " ".join(
                    f"{best_peer / vals[o]:>14.2f}" if best_peer and vals.get(o) else f"{'-':>14}" for o in ours)
                print(f"{m:<9} {dtype:<5} {t:>3} {cells}  {ratios}")
                summary.append({"model": m, "dtype": dtype, "threads": t, "median_ms": vals,
                                "fastest_peer_ms": best_peer})
    print()
    for t in threads:
        peak, isa = peaks[t]
        print(f"measured FMA peak, {t} thread(s): {peak:.0f} GFLOP/s ({isa}, bench/fma_peak)")
        for m in models:
            if m not in GFLOP:
                continue
            fractions = []
            for c in cols:
                ms = table.get((m, "f32", t, c))
                if ms:
                    gflops = GFLOP[m] / (ms / 1e3)
                    fractions.append(f"{c} {gflops:.0f} GFLOP/s = {100 * gflops / peak:.0f}%")
            if fractions:
                print(f"  {m} fp32 of the peak: " + ", ".join(fractions))
                for s in summary:
                    if s["model"] == m and s["dtype"] == "f32" and s["threads"] == t:
                        s["fraction_of_fma_peak"] = {c: GFLOP[m] / (table[(m, "f32", t, c)] / 1e3) / peak
                                                     for c in cols if table.get((m, "f32", t, c))}
    for t in threads:
        f32, i8, u8 = (table.get(("vgg16", d, t, "onednn")) for d in ("f32", "i8", "u8"))
        if f32 and i8 and u8:
            print(f"onednn VGG16 int8 speed-up over fp32, {t} thread(s): u8 {f32 / u8:.1f}x, i8 {f32 / i8:.1f}x")
    print(f"peak RSS of `splitpoint exec vgg16` (fp32, onednn): {rss:.0f} MiB; weights + two largest activations "
          f"{floor_mib:.0f} MiB; ratio {rss / floor_mib:.2f}")
    with open(out_path, "w") as f:
        json.dump({"rows": rows, "summary": summary, "fma_peak_gflops": {t: p[0] for t, p in peaks.items()}, "peak_rss_mib": rss, "rss_floor_mib": floor_mib}, f, indent=1)
    log(f"wrote {out_path}")


if __name__ == "__main__":
    main()
