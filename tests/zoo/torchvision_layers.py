#!/usr/bin/python3
"""Oracle for the zoo tests: the layers of torchvision's models as PyTorch runs them.

For each model named on the command line, runs one forward pass of a 1x3x224x224
input with hooks on the leaf modules and prints, in execution order, every
Conv2d, Linear, BatchNorm2d and MaxPool2d with its output shape (in NHWC, as
splitpoint lays tensors out), its trainable parameter count and its
multiply-accumulates, computed here from PyTorch's own module attributes.
Output: one JSON object {model: [entry, ...]}. Run with Debian's /usr/bin/python3.
"""
import json
import sys

import torch
import torchvision

BUILDERS = {
    "vgg16": torchvision.models.vgg16,
    "vgg19": torchvision.models.vgg19,
    "alexnet": torchvision.models.alexnet,
    "resnet18": torchvision.models.resnet18,
    "resnet50": torchvision.models.resnet50,
    "mobilenet_v2": torchvision.models.mobilenet_v2,
}
KINDS = {
    torch.nn.Conv2d: "conv",
    torch.nn.Linear: "dense",
    torch.nn.BatchNorm2d: "batch_norm",
    torch.nn.MaxPool2d: "max_pool",
}


def nhwc(shape):
    shape = list(shape)
    return [shape[0], shape[2], shape[3], shape[1]] if len(shape) == 4 else shape


def layers(name):
    model = BUILDERS[name](weights=None).eval()
    entries = []

    def hook(module, inputs, output):
        kind = KINDS[type(module)]
        params = sum(p.numel() for p in module.parameters(recurse=False) if p.requires_grad)
        if kind == "conv":
            kh, kw = module.kernel_size
            macs = output.numel() * kh * kw * module.in_channels // module.groups
        elif kind == "dense":
            macs = output.numel() * module.in_features
        else:
            macs = 0
        entries.append({"kind": kind, "shape": nhwc(output.shape), "params": params, "macs": macs})

    for module in model.modules():
        if type(module) in KINDS:
            module.register_forward_hook(hook)
    with torch.no_grad():
        model(torch.zeros(1, 3, 224, 224))
    return entries


if __name__ == "__main__":
    torch.set_num_threads(1)
    print(json.dumps({name: layers(name) for name in sys.argv[1:]}))
