#!/usr/bin/python3
"""Steady on a busy CPU: 2-thread inference quiet and beside one competing busy process.

For each OpenMP wait policy (the binary's default, passive since src/cli/openmp_wait_policy.cpp,
and OMP_WAIT_POLICY=active, the spinning waits libgomp used before) it runs
`splitpoint exec MODEL --threads 2 --json` several times quiet and several times with
`yes > /dev/null` pinned to the last CPU (taskset), alternating, and prints the median of
the runs' medians and the ratio busy / quiet. The goal (issue 23): busy <= 1.5 x quiet.

Usage: bench/busy_cpu.py [--build build] [--model vgg16-seed] [--runs 5] [--repeat 10]
"""
import argparse
import json
import os
import statistics
import subprocess
import sys


def exec_median(splitpoint, model, repeat, env):
    out = subprocess.run([splitpoint, "exec", model, "--threads", "2", "--repeat", str(repeat), "--json"],
                         env=env, check=True, capture_output=True, text=True).stdout
    return json.loads(out)["time_ms"]["median"]


def main():
    a = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    a.add_argument("--build", default="build")
    a.add_argument("--model", default="vgg16-seed")
    a.add_argument("--runs", type=int, default=5)
    a.add_argument("--repeat", type=int, default=10)
    args = a.parse_args()
    splitpoint = os.path.join(args.build, "splitpoint")
    cpu = str(os.cpu_count() - 1)
    policies = {"passive (default)": None, "active (spinning)": "active"}
    results = {}
    for name, value in policies.items():
        env = dict(os.environ)
        env.pop("OMP_WAIT_POLICY", None)
        env.pop("GOMP_SPINCOUNT", None)
        if value:
            env["OMP_WAIT_POLICY"] = value
        quiet, busy = [], []
        for _ in range(args.runs):
            quiet.append(exec_median(splitpoint, args.model, args.repeat, env))
            hog = subprocess.Popen(["taskset", "-c", cpu, "yes"], stdout=subprocess.DEVNULL)
            try:
                busy.append(exec_median(splitpoint, args.model, args.repeat, env))
            finally:
                hog.kill()
                hog.wait()
        results[name] = (statistics.median(quiet), statistics.median(busy))
        q, b = results[name]
        print(f"{args.model}, 2 threads, OMP wait {name}: quiet {q:.1f} ms, beside `yes` on CPU {cpu} {b:.1f} ms, "
              f"busy/quiet {b / q:.2f} (medians of {args.runs} runs of {args.repeat})", flush=True)
    with open(os.path.join(args.build, "busy_cpu.json"), "w") as f:
        json.dump({k: {"quiet_ms": v[0], "busy_ms": v[1], "ratio": v[1] / v[0]} for k, v in results.items()}, f,
                  indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
