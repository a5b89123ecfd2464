#!/usr/bin/python3
"""Issue 19's large and hostile models, made by bench/make_large_models.py, given to `splitpoint inspect`.

The readers once took 20 s to minutes and up to 780 MB on these (a bit per node per cut, every node's readers
searched per convolution, ...): this checks they load with the right layers; ctest's TIMEOUT guards against a hang,
the time itself is measured in docs/reliability.md, not asserted here. The Pads must be refused, exit 2,
naming the layer and the bytes.

Usage: large_models_test.py SPLITPOINT GENERATOR OUT_DIR
"""
import re
import subprocess
import sys

CHAIN_NODES = 100_000
CONV_NODES = 100_000
DEAD_NODES = 100_000
TFLITE_TENSORS = 20_000
PAD_EXTENT = 54_771

failures = []


def check(ok, what):
    print(("ok   " if ok else "FAIL ") + what)
    if not ok:
        failures.append(what)


def inspect(cli, path, *flags):
    return subprocess.run([cli, "inspect", path, *flags], capture_output=True, text=True)


def layers_of(cli, path):
    r = inspect(cli, path)
    m = re.search(r"^total: (\d+) layers,", r.stdout, re.MULTILINE)
    check(r.returncode == 0 and m is not None, f"inspect {path}: exit {r.returncode}, {r.stderr.strip()[:300]}")
    return int(m.group(1)) if m else None


def main():
    cli, generator, out = sys.argv[1:4]
    subprocess.run([sys.executable, generator, out, "--chain-nodes", str(CHAIN_NODES), "--conv-nodes", str(CONV_NODES),
                    "--dead-nodes", str(DEAD_NODES), "--tflite-tensors", str(TFLITE_TENSORS), "--pad-extent", str(PAD_EXTENT)],
                   check=True)

    # 100,000 nodes alternating Add and Sigmoid: each Add starts a layer, the Sigmoid after it joins that layer
    # (an activation finishes the layer before it): 100,000 / 2 = 50,000 layers.
    got = layers_of(cli, f"{out}/chain.onnx")
    check(got == CHAIN_NODES // 2, f"chain.onnx: {got} layers, expected {CHAIN_NODES // 2}")

    # 100,000 1x1 Convs, each a layer (no activation after it): 100,000 layers. (Folding BatchNorm looked for each
    # Conv's readers among all nodes: 10^10 steps.)
    got = layers_of(cli, f"{out}/conv_chain.onnx")
    check(got == CONV_NODES, f"conv_chain.onnx: {got} layers, expected {CONV_NODES}")

    # The live Add is layer 1; the 100,000 dead nodes (read, not pruned) are 50,000 Add + Sigmoid layers more.
    got = layers_of(cli, f"{out}/dead.onnx")
    check(got == 1 + DEAD_NODES // 2, f"dead.onnx: {got} layers, expected {1 + DEAD_NODES // 2}")

    # 20,000 tensors, 19,999 operators: ADD at even i = 0, 2, ..., 19,998 (10,000 layers), LOGISTIC at odd i
    # (9,999, each joining the ADD before it): 10,000 layers.
    path = f"{out}/shared_names.tflite"
    got = layers_of(cli, path)
    check(got == (TFLITE_TENSORS - 1 + 1) // 2, f"shared_names.tflite: {got} layers, expected 10000")
    # Every tensor keeps a name of its own: "t", "t_1", ..., "t_19999" (the input and 19,999 outputs).
    r = inspect(cli, path, "--tensors")
    names = [line.split()[1] for line in r.stdout.splitlines()[3:] if line.strip()]
    check(r.returncode == 0 and len(names) == TFLITE_TENSORS and len(set(names)) == TFLITE_TENSORS,
          f"shared_names.tflite --tensors: {len(names)} tensors, {len(set(names))} distinct names, expected "
          f"{TFLITE_TENSORS} of each")
    check(names[:3] == ["t", "t_1", "t_2"] and names[-1] == f"t_{TFLITE_TENSORS - 1}",
          f"shared_names.tflite: names {names[:3]} ... {names[-1:]}, expected t, t_1, t_2 ... t_19999")

    # (1 + 54,771)^2 = 2,999,971,984 elements of 4 bytes = 11,999,887,936 bytes: more than the 4 GiB of a tensor.
    for name in ("pad.onnx", "pad.tflite"):
        r = inspect(cli, f"{out}/{name}")
        check(r.returncode == 2 and "huge_pad" in r.stderr and "11999887936 bytes" in r.stderr and
              "std::bad_alloc" not in r.stderr,
              f"{name}: exit {r.returncode} (expected 2), stderr naming 'huge_pad' and 11999887936 bytes: "
              f"{r.stderr.strip()[:300]}")

    if failures:
        print(f"{len(failures)} check(s) failed")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
