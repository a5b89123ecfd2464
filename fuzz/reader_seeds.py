#!/usr/bin/python3
"""Makes the seeds of the readers' fuzzers that take files (fuzz/CMakeLists.txt): fuzz/corpus/<reader>/ for
http, npy, idx, image, labels, power and triton. Each seed is a small valid input of the reader, built here from
its format (numpy.save for .npy, Pillow for the images, the formats' own layouts for the rest), so that the fuzzers
start from files the readers accept, not only reject. The targets that take a leading option byte (http: the read
size; idx: gzipped or not; labels: .npy or text) get it first. Deterministic: the same files on every run.

usage: fuzz/reader_seeds.py [OUT_DIR]   (default: fuzz/corpus beside this script)
"""
import gzip
import io
import os
import struct
import sys

import numpy
from PIL import Image


def npy(array):
    out = io.BytesIO()
    numpy.save(out, array, allow_pickle=False)
    return out.getvalue()


def idx(dims, data):
    return bytes([0, 0, 8, len(dims)]) + b"".join(struct.pack(">I", d) for d in dims) + bytes(data)


def image(mode, size, fmt, **options):
    w, h = size
    channels = len(mode) if mode != "L" else 1
    pixels = bytes((x * 37 + y * 11 + c * 71) % 256 for y in range(h) for x in range(w) for c in range(channels))
    out = io.BytesIO()
    Image.frombytes(mode, size, pixels).save(out, fmt, **options)
    return out.getvalue()


def seeds():
    rng = numpy.random.default_rng(19)
    s = {}
    # http: the read size byte, then requests as clients send them.
    body = b'{"inputs": [{"name": "x", "shape": [1, 2], "datatype": "FP32", "data": [0.5, 1.5]}]}'
    s["http/get-health"] = b"\x00GET /v2/health/ready HTTP/1.1\r\nHost: a\r\n\r\n"
    s["http/post-length"] = (b"\x07POST /v2/models/m/infer HTTP/1.1\r\nHost: a\r\nContent-Type: application/json\r\n"
                             b"Content-Length: %d\r\n\r\n" % len(body)) + body
    chunked = b"".join(b"%x;ext=1\r\n%s\r\n" % (len(body[i:i + 20]), body[i:i + 20]) for i in range(0, len(body), 20))
    s["http/post-chunked-trailer"] = (b"\x03POST /v2/models/m/infer HTTP/1.1\r\nTransfer-Encoding: chunked\r\n"
                                      b"Expect: 100-continue\r\n\r\n" + chunked + b"0\r\nX-Trailer: t\r\n\r\n")
    s["http/pipelined-keep-alive"] = (b"\x20\r\nGET /v2 HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"
                                      b"POST /v2/models/m/infer HTTP/1.1\r\nContent-Length: 3\r\nX-Forwarded-For: 1.2.3.4\r\n"
                                      b"Proxy-Authorization: x\r\n\r\nabcGET /v2/health/live HTTP/1.1\r\n"
                                      b"Connection: close\r\n\r\n")
    # npy: every element type the reader takes, a scalar, a 4-D array, versions 1.0 and 2.0.
    for descr in ["u1", "i1", "<u2", "<i2", "<u4", "<i4", "<u8", "<i8", "<f2", "<f4", "<f8", "?"]:
        a = rng.integers(0, 100, size=(2, 3)).astype(numpy.dtype(descr))
        s["npy/%s" % {"?": "b1"}.get(descr, descr.strip("<"))] = npy(a)
    s["npy/scalar-f4"] = npy(numpy.float32(1.5))
    s["npy/nhwc-u1"] = npy(rng.integers(0, 256, size=(1, 4, 4, 3), dtype=numpy.uint8))
    v2 = io.BytesIO()
    numpy.lib.format.write_array(v2, numpy.arange(6, dtype=numpy.int64).reshape(2, 3), version=(2, 0))
    s["npy/version-2"] = v2.getvalue()
    # idx: the option byte (even: plain, odd: gzipped), then images N,H,W and labels N as MNIST has them.
    images = idx([3, 4, 4], rng.integers(0, 256, 48, dtype=numpy.uint8))
    labels = idx([5], [3, 1, 4, 1, 5])
    s["idx/images-3x4x4"] = b"\x00" + images
    s["idx/labels-5"] = b"\x00" + labels
    s["idx/rgb-2x2x2x3"] = b"\x00" + idx([2, 2, 2, 3], range(24))
    s["idx/images-gzip"] = b"\x01" + gzip.compress(images, mtime=0)
    s["idx/labels-gzip"] = b"\x01" + gzip.compress(labels, mtime=0)
    # image: each format the decoder takes, gray and colour.
    s["image/rgb.png"] = image("RGB", (8, 6), "PNG")
    s["image/rgba.png"] = image("RGBA", (5, 5), "PNG")
    s["image/gray.png"] = image("L", (7, 3), "PNG")
    out = io.BytesIO()
    Image.frombytes("RGB", (6, 6), bytes(range(108))).convert("P").save(out, "PNG")
    s["image/palette.png"] = out.getvalue()
    s["image/baseline.jpg"] = image("RGB", (16, 8), "JPEG", quality=80)
    s["image/progressive.jpg"] = image("RGB", (16, 16), "JPEG", quality=60, progressive=True)
    s["image/gray.jpg"] = image("L", (9, 9), "JPEG")
    s["image/restart.jpg"] = image("RGB", (24, 16), "JPEG", restart_marker_blocks=1)
    s["image/rgb.bmp"] = image("RGB", (5, 3), "BMP")
    s["image/gray.pgm"] = image("L", (4, 3), "PPM")
    s["image/rgb.ppm"] = image("RGB", (3, 4), "PPM")
    s["image/comment.pgm"] = b"P5\n# a comment\n3 2\n255\n" + bytes(range(6))
    # labels: the option byte (even: .npy, odd: text, or IDX by its magic), then the file.
    s["labels/text"] = b"\x01# class indices\n3\n1\n\n4\n  1 \n5\n"
    s["labels/idx"] = b"\x01" + labels
    s["labels/npy-i8"] = b"\x00" + npy(numpy.array([3, 1, 4, 1, 5], dtype=numpy.int64))
    s["labels/npy-u1"] = b"\x00" + npy(numpy.array([0, 9, 2], dtype=numpy.uint8))
    # power: each header the reader knows.
    s["power/time-power"] = b"time_s,power_w\n0,1.5\n0.1,1.75\n0.2,2\n"
    s["power/monsoon"] = (b"Time(ms),Main(mA),Main Voltage(V),USB(mA),Main Avg Power(mW),\n"
                          b"0,400,4.2,0,1680,\n0.2,410,4.2,0,1722,\n0.4,405,4.19,0,1697,\n")
    s["power/current-voltage"] = b"# trace\nTime(us),USB(A),USB Voltage(mV)\n0,0.5,5000\n100,0.52,5010\n\n200,0.51,4990\n"
    s["power/milliwatts"] = b"Time(s),power_mw\n0,1500\n0.5,1500\n1,1600\n"
    # triton: configurations as splitpoint export writes them and as Triton's own examples are.
    s["triton/export"] = (b'name: "vgg16-seed"\nplatform: "onnxruntime_onnx"\nmax_batch_size: 8\n'
                          b'input {\n  name: "input_1"\n  data_type: TYPE_FP32\n  dims: 3\n  dims: 224\n  dims: 224\n}\n'
                          b'output {\n  name: "predictions"\n  data_type: TYPE_FP32\n  dims: 1000\n}\n'
                          b'dynamic_batching {\n}\n')
    s["triton/backend-unknown-fields"] = (b'name: "m"\nbackend: "onnxruntime"\nmax_batch_size: 0\n'
                                          b'input [ { name: "x" data_type: TYPE_UINT8 dims: [ 1, 28, 28, 1 ] } ]\n'
                                          b'output [ { name: "y", data_type: TYPE_INT32, dims: [ 1, 10 ] } ]\n'
                                          b'instance_group [ { count: 2 kind: KIND_CPU } ]\n'
                                          b'# a comment\nversion_policy: { latest { num_versions: 1 } }\n')
    s["triton/fp16-int8"] = (b'name: "q"\nplatform: "onnxruntime_onnx"\ninput { name: "a" data_type: TYPE_FP16 dims: 4 }\n'
                             b'input { name: "b" data_type: TYPE_INT8 dims: 4 }\noutput { name: "c" data_type: TYPE_FP32 '
                             b'dims: 4 }\n')
    return s


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus")
    for name, data in sorted(seeds().items()):
        path = os.path.join(out, name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as f:
            f.write(data)
    print("fuzz/reader_seeds.py: %d seeds in %s" % (len(seeds()), out))


if __name__ == "__main__":
    main()
