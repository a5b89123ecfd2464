#!/usr/bin/python3
"""Oracle for the reference backend's fp32 tests: convolutions, dense layers and
pooling computed by PyTorch.

Usage: torch_ops.py DIR. DIR/cases.json lists the cases; each names raw
little-endian float32 files in DIR for its operands (NHWC activations,
filters [O,KH,KW,C/groups], dense weights [O,K]) and the file to write its
NHWC output to. Padding is "same" (TensorFlow's: the extra row or column at
the bottom or right), "valid", or explicit [top, bottom, left, right]; it is
resolved here, independently of splitpoint. Run with Debian's /usr/bin/python3.
"""
import json
import math
import os
import sys

import numpy as np
import torch
import torch.nn.functional as F


def load(directory, name, shape):
    values = np.fromfile(os.path.join(directory, name), dtype="<f4")
    return torch.from_numpy(values.copy()).reshape(shape)


def save(directory, name, tensor):
    tensor.contiguous().numpy().astype("<f4").tofile(os.path.join(directory, name))


def nchw(x):
    return x.permute(0, 3, 1, 2)


def nhwc(x):
    return x.permute(0, 2, 3, 1)


def axis_pads(size, kernel, stride, dilation, padding, explicit):
    if padding == "valid":
        return 0, 0
    if padding == "same":
        out = math.ceil(size / stride)
        total = max((out - 1) * stride + (kernel - 1) * dilation + 1 - size, 0)
        return total // 2, total - total // 2
    return explicit


def pads(case, x_shape, kernel, dilation):
    explicit = case["padding"] if isinstance(case["padding"], list) else [0, 0, 0, 0]
    top, bottom = axis_pads(x_shape[1], kernel[0], case["stride"][0], dilation[0], case["padding"], explicit[0:2])
    left, right = axis_pads(x_shape[2], kernel[1], case["stride"][1], dilation[1], case["padding"], explicit[2:4])
    return top, bottom, left, right


def activation(y, name):
    if name == "relu":
        return F.relu(y)
    if name == "relu6":
        return F.relu6(y)
    return y


def conv(directory, case):
    x = nchw(load(directory, case["x"], case["x_shape"]))
    w = load(directory, case["w"], case["w_shape"]).permute(0, 3, 1, 2)
    b = load(directory, case["b"], [case["w_shape"][0]]) if case.get("b") else None
    top, bottom, left, right = pads(case, case["x_shape"], case["w_shape"][1:3], case["dilation"])
    x = F.pad(x, (left, right, top, bottom))
    y = F.conv2d(x, w, b, stride=case["stride"], dilation=case["dilation"], groups=case["groups"])
    return nhwc(activation(y, case["activation"]))


def dense(directory, case):
    x = load(directory, case["x"], case["x_shape"])
    w = load(directory, case["w"], case["w_shape"])
    b = load(directory, case["b"], [case["w_shape"][0]]) if case.get("b") else None
    return activation(F.linear(x, w, b), case["activation"])


def max_pool(directory, case):
    x = nchw(load(directory, case["x"], case["x_shape"]))
    top, bottom, left, right = pads(case, case["x_shape"], case["kernel"], [1, 1])
    x = F.pad(x, (left, right, top, bottom), value=-math.inf)
    return nhwc(F.max_pool2d(x, case["kernel"], case["stride"]))


def avg_pool(directory, case):
    x = nchw(load(directory, case["x"], case["x_shape"]))
    kernel, stride = case["kernel"], case["stride"]
    top, bottom, left, right = pads(case, case["x_shape"], kernel, [1, 1])
    if top == bottom and left == right and 2 * top <= kernel[0] and 2 * left <= kernel[1]:
        y = F.avg_pool2d(x, kernel, stride, padding=(top, left), count_include_pad=case["count_include_pad"])
    else:  # PyTorch pads symmetrically only: window sums over window sizes
        sums = F.avg_pool2d(F.pad(x, (left, right, top, bottom)), kernel, stride, divisor_override=1)
        if case["count_include_pad"]:
            y = sums / (kernel[0] * kernel[1])
        else:
            ones = F.pad(torch.ones_like(x), (left, right, top, bottom))
            y = sums / F.avg_pool2d(ones, kernel, stride, divisor_override=1)
    return nhwc(y)


def global_avg_pool(directory, case):
    x = nchw(load(directory, case["x"], case["x_shape"]))
    return F.adaptive_avg_pool2d(x, 1).flatten(1)


OPS = {"conv": conv, "dense": dense, "max_pool": max_pool, "avg_pool": avg_pool,
       "global_avg_pool": global_avg_pool}

if __name__ == "__main__":
    torch.set_num_threads(1)
    directory = sys.argv[1]
    with open(os.path.join(directory, "cases.json")) as f:
        cases = json.load(f)
    with torch.no_grad():
        for case in cases:
            save(directory, case["out"], OPS[case["op"]](directory, case))
    # The C++ side wants exactly this last line, with the count, and exit status 0.
    print(f"torch_ops: wrote {len(cases)} outputs")
