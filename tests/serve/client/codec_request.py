#!/usr/bin/python3
"""An independent client for the cut-tensor codecs of docs/serve.md ("The cut tensor on the wire").

Reads float32 cut tensors from .npy files, encodes them with numpy alone (fp16: numpy's IEEE binary16; uint8: an
asymmetric per-tensor scale and zero point computed here), compresses with the `zstd` command reading a pipe (so the
frame carries no content size, as any shell client's would), sends the request with curl and writes the answer's
first output as .npy. Nothing of splitpoint's own code is used.

usage: codec_request.py URL CODEC OUT.npy NAME=IN.npy [NAME=IN.npy...]
  CODEC: fp16, fp16+zstd, uint8, uint8+zstd
Also writes, for each input, NAME.decoded.npy beside OUT.npy: the float32 values a correct decoder must produce.
Prints the HTTP status on stdout; exits 1 if curl fails.
"""
import json
import os
import subprocess
import sys

import numpy as np


def quantize_uint8(x):
    # The range always holds 0 (so zero is exact); scale maps it onto 0..255.
    lo = min(float(x.min()), 0.0)
    hi = max(float(x.max()), 0.0)
    scale = np.float32((hi - lo) / 255.0) if hi > lo else np.float32(1.0)
    zero_point = int(np.clip(round(-lo / float(scale)), 0, 255))
    q = np.clip(np.round(x / scale) + zero_point, 0, 255).astype(np.uint8)
    decoded = (q.astype(np.float32) - np.float32(zero_point)) * scale
    return q, scale, zero_point, decoded.astype(np.float32)


def encode(x, codec):
    element, _, compressor = codec.partition("+")
    params = {"codec": codec, "shape": "x".join(str(d) for d in x.shape)}
    if element == "fp16":
        half = x.astype("<f2")
        payload, decoded, datatype = half.tobytes(), half.astype(np.float32), "FP16"
    elif element == "uint8":
        q, scale, zero_point, decoded = quantize_uint8(x)
        payload, datatype = q.tobytes(), "UINT8"
        params["scale"] = repr(float(scale))  # shortest text of the float32's exact value
        params["zero_point"] = str(zero_point)
    else:
        raise SystemExit("codec_request.py: unknown element type " + element)
    shape = list(x.shape)
    if compressor == "zstd":
        frame = subprocess.run(["zstd", "-q", "-c", "-"], input=payload, stdout=subprocess.PIPE, check=True).stdout
        payload = len(frame).to_bytes(4, "little") + frame  # one BYTES element: its length, then its bytes
        datatype, shape = "BYTES", [1]
    elif compressor:
        raise SystemExit("codec_request.py: unknown compressor " + compressor)
    return payload, datatype, shape, params, decoded


def main():
    url, codec, out = sys.argv[1], sys.argv[2], sys.argv[3]
    inputs, blobs = [], []
    for pair in sys.argv[4:]:
        name, path = pair.split("=", 1)
        x = np.load(path).astype(np.float32)
        payload, datatype, shape, params, decoded = encode(x, codec)
        params["binary_data_size"] = len(payload)
        inputs.append({"name": name, "shape": shape, "datatype": datatype, "parameters": params})
        blobs.append(payload)
        np.save(os.path.join(os.path.dirname(out), name + ".decoded.npy"), decoded)
    header = json.dumps({"inputs": inputs, "parameters": {"binary_data_output": True}}).encode()
    body_path, answer_path, headers_path = out + ".request", out + ".answer", out + ".headers"
    with open(body_path, "wb") as f:
        f.write(header + b"".join(blobs))
    status = subprocess.run(
        ["curl", "-s", "-o", answer_path, "-D", headers_path, "-w", "%{http_code}",
         "-H", "Content-Type: application/octet-stream",
         "-H", "Inference-Header-Content-Length: %d" % len(header), "--data-binary", "@" + body_path, url],
        stdout=subprocess.PIPE, check=True).stdout.decode()
    print(status)
    if status != "200":
        with open(answer_path, "rb") as f:
            sys.stderr.write(f.read().decode(errors="replace") + "\n")
        return
    with open(headers_path) as f:
        length = [int(line.split(":", 1)[1]) for line in f if line.lower().startswith("inference-header-content-length")]
    with open(answer_path, "rb") as f:
        answer = f.read()
    head = json.loads(answer[:length[0]])
    output = head["outputs"][0]
    assert output["datatype"] == "FP32", output
    values = np.frombuffer(answer[length[0]:length[0] + output["parameters"]["binary_data_size"]], dtype="<f4")
    np.save(out, values.reshape(output["shape"]))


if __name__ == "__main__":
    main()
