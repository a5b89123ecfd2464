#!/usr/bin/python3
"""Throughput of `splitpoint serve` with and without dynamic batching.

For each tail: a server with --max-batch 1 (each request alone) and one with
--max-batch 8 (dynamic batching), each driven by 1 and by 16 closed-loop
clients (each sends its next request when the last is answered, over its own
keep-alive connection, the Open Inference Protocol's binary tensor extension),
for --seconds a run after a warm-up (which also compiles each batch size);
requests/s, p50 and p99 latency, the median of --runs runs. Also checks that
16 concurrent requests to the batched server are answered bit for bit as the
unbatched server answers them.

  bench/serve_throughput.py --cli build/splitpoint [--tails vgg16-seed.tail14,resnet18.tail4] [--json out.json]

Standard library only; the clients are threads of this process (the server's
compute dominates: a request is ~100 KiB in, a few KiB out).
"""
import argparse
import http.client
import json
import os
import random
import statistics
import struct
import subprocess
import sys
import tempfile
import threading
import time


def start_server(cli, model, max_batch, delay_us, threads, cache):
    port_file = tempfile.mktemp(prefix="serve_throughput_port_")
    cmd = [cli, "serve", model, "--port", "0", "--port-file", port_file, "--threads", str(threads),
           "--max-batch", str(max_batch), "--max-queue-delay-us", str(delay_us), "--cache", str(cache),
           "--connections", "64", "--max-queue", "128"]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.time() + 600
    while not os.path.exists(port_file):
        if proc.poll() is not None:
            sys.exit(f"serve_throughput: {' '.join(cmd)} exited: {proc.stderr.read().decode()}")
        if time.time() > deadline:
            proc.kill()
            sys.exit("serve_throughput: the server did not start in 600 s")
        time.sleep(0.2)
    time.sleep(0.1)
    with open(port_file) as f:
        port = int(f.read().strip())
    os.remove(port_file)
    return proc, port


def metadata(port, name):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
    c.request("GET", f"/v2/models/{name}")
    r = c.getresponse()
    body = r.read()
    if r.status != 200:
        sys.exit(f"serve_throughput: GET /v2/models/{name}: {r.status} {body[:200]}")
    return json.loads(body)


def make_input(meta, seed):
    """One request's data: every input of the tail (a DAG cut has several), FP32 bytes each."""
    rng = random.Random(seed)
    data = []
    for spec in meta["inputs"]:
        if spec["datatype"] != "FP32":
            sys.exit(f"serve_throughput: only FP32 inputs, {meta['name']} takes {spec['datatype']}")
        count = 1
        for d in spec["shape"]:
            count *= d
        data.append(struct.pack(f"<{count}f", *(rng.random() for _ in range(count))))
    return data


class Client:
    """One keep-alive connection sending binary infer requests."""

    def __init__(self, port, meta):
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
        self.meta = meta
        self.path = f"/v2/models/{meta['name']}/infer"

    def infer(self, data):
        inputs = [{"name": spec["name"], "shape": spec["shape"], "datatype": "FP32",
                   "parameters": {"binary_data_size": len(d)}} for spec, d in zip(self.meta["inputs"], data)]
        header = json.dumps({"inputs": inputs, "parameters": {"binary_data_output": True}}).encode()
        self.conn.request("POST", self.path, body=header + b"".join(data),
                          headers={"Content-Type": "application/octet-stream",
                                   "Inference-Header-Content-Length": str(len(header))})
        r = self.conn.getresponse()
        body = r.read()
        if r.status != 200:
            raise RuntimeError(f"{r.status}: {body[:300]}")
        n = int(r.getheader("Inference-Header-Content-Length"))
        return body[n:]


def load(port, meta, clients, seconds, inputs):
    """`clients` closed-loop clients for `seconds`: (requests/s, p50 ms, p99 ms, errors)."""
    latencies, errors = [], [0]
    lock = threading.Lock()
    stop_at = time.perf_counter() + seconds

    def worker(i):
        c = Client(port, meta)
        mine = []
        k = i
        while time.perf_counter() < stop_at:
            t0 = time.perf_counter()
            try:
                c.infer(inputs[k % len(inputs)])
            except Exception:
                with lock:
                    errors[0] += 1
                c = Client(port, meta)
                continue
            mine.append((time.perf_counter() - t0) * 1000)
            k += clients
        with lock:
            latencies.extend(mine)

    start = time.perf_counter()
    threads = [threading.Thread(target=worker, args=(i,)) for i in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - start
    latencies.sort()
    if not latencies:
        return 0.0, 0.0, 0.0, errors[0]
    p = lambda q: latencies[min(len(latencies) - 1, int(q * len(latencies)))]
    return len(latencies) / elapsed, p(0.50), p(0.99), errors[0]


def concurrent_answers(port, meta, inputs):
    answers = [None] * len(inputs)

    def one(i):
        answers[i] = Client(port, meta).infer(inputs[i])

    threads = [threading.Thread(target=one, args=(i,)) for i in range(len(inputs))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return answers


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--cli", default="build/splitpoint")
    ap.add_argument("--tails", default="vgg16-seed.tail14,resnet18.tail4")
    ap.add_argument("--clients", default="1,16")
    ap.add_argument("--max-batch", type=int, default=8)
    ap.add_argument("--max-queue-delay-us", type=int, default=2000)
    ap.add_argument("--threads", type=int, default=2, help="the server's threads per inference")
    ap.add_argument("--seconds", type=float, default=10)
    ap.add_argument("--warmup", type=float, default=5)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--json", help="write the figures here")
    args = ap.parse_args()
    client_counts = [int(c) for c in args.clients.split(",")]
    results = []
    for tail in args.tails.split(","):
        model = tail.split(".tail")[0]
        answers = {}
        for label, max_batch in (("unbatched", 1), ("batched", args.max_batch)):
            proc, port = start_server(args.cli, model, max_batch, args.max_queue_delay_us, args.threads,
                                      cache=8)
            try:
                meta = metadata(port, tail)
                inputs = [make_input(meta, seed) for seed in range(16)]
                load(port, meta, max(client_counts), args.warmup, inputs)
                answers[label] = concurrent_answers(port, meta, inputs)
                for clients in client_counts:
                    runs = [load(port, meta, clients, args.seconds, inputs) for _ in range(args.runs)]
                    rps = statistics.median(r[0] for r in runs)
                    row = {"tail": tail, "mode": label, "max_batch": max_batch, "clients": clients,
                           "requests_per_s": round(rps, 1),
                           "p50_ms": round(statistics.median(r[1] for r in runs), 1),
                           "p99_ms": round(statistics.median(r[2] for r in runs), 1),
                           "errors": sum(r[3] for r in runs), "runs": [round(r[0], 1) for r in runs]}
                    results.append(row)
                    print(f"{tail:22} {label:9} {clients:2} clients: {row['requests_per_s']:7.1f} req/s  "
                          f"p50 {row['p50_ms']:7.1f} ms  p99 {row['p99_ms']:7.1f} ms  errors {row['errors']}  "
                          f"(runs {row['runs']})", flush=True)
            finally:
                proc.terminate()
                proc.wait()
        same = sum(a == b for a, b in zip(answers["unbatched"], answers["batched"]))
        print(f"{tail}: {same} of {len(answers['batched'])} concurrent answers of the batched server bit-identical "
              f"to the unbatched server's", flush=True)
        results.append({"tail": tail, "identical_answers": same, "of": len(answers["batched"])})
    for tail in args.tails.split(","):
        one = [r for r in results if r.get("tail") == tail and r.get("mode") == "unbatched" and r["clients"] == 1]
        many = [r for r in results if r.get("tail") == tail and r.get("mode") == "batched"
                and r["clients"] == max(client_counts)]
        if one and many and one[0]["requests_per_s"] > 0:
            print(f"{tail}: {max(client_counts)} clients batched / 1 client unbatched = "
                  f"{many[0]['requests_per_s'] / one[0]['requests_per_s']:.1f}x")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=1)


if __name__ == "__main__":
    main()
