#!/usr/bin/python3
"""PyTorch as a peer of splitpoint's engine: times torchvision's VGG16,
ResNet-50 and MobileNet v2 (random weights, batch 1, 224x224) in fp32 and int8 (static
post-training quantization, calibrated on random inputs), and exports the fp32
models to ONNX for the ONNX Runtime peer.

Prints one JSON object per measurement on stdout:
  {"peer": "pytorch", "model": ..., "dtype": ..., "threads": ..., "runs_ms": [...], "median_ms": ...}

Usage: pytorch_peer.py time --models vgg16,resnet50 --threads 1,2 --dtypes f32,i8 --repeat 10
       pytorch_peer.py export --models vgg16,resnet50 --dir DIR
Run with Debian's Python (/usr/bin/python3: python3-torch, python3-torchvision).
"""
import argparse
import json
import statistics
import sys
import time

import torch
import torchvision

MODELS = {"vgg16": torchvision.models.vgg16, "resnet50": torchvision.models.resnet50,
          "mobilenet_v2": torchvision.models.mobilenet_v2}
# torchvision's quantizable versions (skip additions as FloatFunctional, fuse_model()).
QUANTIZABLE = {"resnet50": torchvision.models.quantization.resnet50,
               "mobilenet_v2": torchvision.models.quantization.mobilenet_v2}


def float_model(name):
    torch.manual_seed(0)
    return MODELS[name](weights=None).eval()


class Quantized(torch.nn.Module):
    """QuantStub -> model -> DeQuantStub, for eager-mode static quantization."""

    def __init__(self, model):
        super().__init__()
        self.quant = torch.ao.quantization.QuantStub()
        self.model = model
        self.dequant = torch.ao.quantization.DeQuantStub()

    def forward(self, x):
        return self.dequant(self.model(self.quant(x)))


def quantized_engine():
    """The best int8 engine this PyTorch build has (Debian's: onednn, qnnpack)."""
    for engine in ("x86", "fbgemm", "onednn", "qnnpack"):
        if engine in torch.backends.quantized.supported_engines:
            return engine
    sys.exit("pytorch_peer: this PyTorch has no quantized engine")


def int8_model(name):
    engine = quantized_engine()
    torch.backends.quantized.engine = engine
    if name in QUANTIZABLE:
        torch.manual_seed(0)
        model = QUANTIZABLE[name](weights=None, quantize=False).eval()
        model.fuse_model()
        model.qconfig = torch.ao.quantization.get_default_qconfig(engine)
        torch.ao.quantization.prepare(model, inplace=True)
    else:
        base = float_model(name)
        # Fuse conv+relu and linear+relu pairs of torchvision's VGG.
        pairs = []
        for seq_name in ("features", "classifier"):
            seq = getattr(base, seq_name)
            mods = list(seq.named_children())
            for (a, ma), (b, mb) in zip(mods, mods[1:]):
                if isinstance(ma, (torch.nn.Conv2d, torch.nn.Linear)) and isinstance(mb, torch.nn.ReLU):
                    pairs.append([f"{seq_name}.{a}", f"{seq_name}.{b}"])
        base = torch.ao.quantization.fuse_modules(base, pairs)
        model = Quantized(base).eval()
        model.qconfig = torch.ao.quantization.get_default_qconfig(engine)
        torch.ao.quantization.prepare(model, inplace=True)
    with torch.inference_mode():
        for seed in range(4):
            torch.manual_seed(100 + seed)
            model(torch.rand(1, 3, 224, 224) * 2 - 1)
    return torch.ao.quantization.convert(model)


def time_model(model, threads, repeat, warmup):
    torch.set_num_threads(threads)
    x = torch.rand(1, 3, 224, 224) * 2 - 1
    runs = []
    with torch.inference_mode():
        for _ in range(warmup):
            model(x)
        for _ in range(repeat):
            start = time.perf_counter()
            model(x)
            runs.append((time.perf_counter() - start) * 1e3)
    return runs


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("action", choices=["time", "export"])
    p.add_argument("--models", default="vgg16,resnet50")
    p.add_argument("--threads", default="1,2")
    p.add_argument("--dtypes", default="f32,i8")
    p.add_argument("--repeat", type=int, default=10)
    p.add_argument("--warmup", type=int, default=2)
    p.add_argument("--dir", default=".")
    a = p.parse_args()
    models = a.models.split(",")
    for m in models:
        if m not in MODELS:
            sys.exit(f"pytorch_peer: unknown model '{m}' (known: {', '.join(MODELS)})")
    if a.action == "export":
        for m in models:
            path = f"{a.dir}/{m}.onnx"
            torch.onnx.export(float_model(m), torch.zeros(1, 3, 224, 224), path, opset_version=13,
                              input_names=["input"], output_names=["output"])
            print(path, file=sys.stderr)
        return
    for m in models:
        for dtype in a.dtypes.split(","):
            model = float_model(m) if dtype == "f32" else int8_model(m)
            for t in (int(x) for x in a.threads.split(",")):
                runs = time_model(model, t, a.repeat, a.warmup)
                print(json.dumps({"peer": "pytorch", "model": m, "dtype": dtype, "threads": t, "runs_ms": runs,
                                  "median_ms": statistics.median(runs)}), flush=True)


if __name__ == "__main__":
    main()
