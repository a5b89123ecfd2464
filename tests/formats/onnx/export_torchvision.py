#!/usr/bin/python3
"""Exports torchvision models (random weights, eval mode) and a small CNN to
ONNX with PyTorch's own outputs, as the oracle of torchvision_test.cpp.

usage: export_torchvision.py OUT_DIR IMAGE_SIZE MODEL...
MODEL is a torchvision classifier (10 classes, IMAGE_SIZE x IMAGE_SIZE input) or
"small_cnn", "activations_cnn", "shuffle_cnn" (small CNNs defined here; small_cnn has a 20x16 input whose 4-D features are flattened into dense layers
both by torch.flatten and by x.view(x.size(0), -1), which exports as a
Shape/Gather/Unsqueeze/Concat/Reshape chain).
Writes OUT_DIR/<model>.onnx, <model>.input.bin (float32 NCHW),
<model>.output.bin (float32), <model>.dims (input dims, output dims), then
OUT_DIR/<model>.done.
"""
import os
import sys

import torch
import torchvision


def randomize_batch_norms(model, generator):
    # Fresh BatchNorms are the identity; random statistics make folding them matter.
    for m in model.modules():
        if isinstance(m, torch.nn.BatchNorm2d):
            c = m.num_features
            m.running_mean.copy_(torch.randn(c, generator=generator) * 0.1)
            m.running_var.copy_(torch.rand(c, generator=generator) * 0.5 + 0.75)
            m.weight.data.copy_(torch.rand(c, generator=generator) * 0.5 + 0.75)
            m.bias.data.copy_(torch.randn(c, generator=generator) * 0.1)


class SmallCnn(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.features = torch.nn.Sequential(
            torch.nn.Conv2d(3, 8, 3, padding=1), torch.nn.BatchNorm2d(8), torch.nn.ReLU(),
            torch.nn.MaxPool2d(2),
            torch.nn.Conv2d(8, 12, 3, stride=2, padding=1, groups=4), torch.nn.ReLU6(),
            torch.nn.AvgPool2d(3, stride=1, padding=1))
        self.flattened = torch.nn.Linear(12 * 5 * 4, 10)
        self.viewed = torch.nn.Linear(12 * 5 * 4, 10)

    def forward(self, x):
        x = self.features(x)
        return self.flattened(torch.flatten(x, 1)) + self.viewed(x.view(x.size(0), -1))


class ActivationsCnn(torch.nn.Module):
    """The element-wise ops of issue 21 as PyTorch exports them: GELU (the Erf
    pattern), LeakyReLU, PReLU per channel, Tanh, SiLU (x * Sigmoid), a
    normalization over the channels (ReduceMean, Sub, Pow 2, Add, Sqrt, Div),
    a softmax over the height axis, a concatenation on the width axis, a
    ReduceMax over width and a ReduceSum over height."""

    def __init__(self):
        super().__init__()
        self.conv1 = torch.nn.Conv2d(3, 6, 3, padding=1)
        self.prelu = torch.nn.PReLU(6, init=0.1)
        self.conv2 = torch.nn.Conv2d(6, 4, 3, stride=2, padding=1)
        self.dense = torch.nn.Linear(4 * 2, 10)

    def forward(self, x):
        x = torch.nn.functional.gelu(self.conv1(x))
        x = self.prelu(torch.nn.functional.leaky_relu(x, 0.2) - 0.05)
        x = self.conv2(x)
        mean = x.mean(1, keepdim=True)
        centered = x - mean
        x = centered / torch.sqrt((centered ** 2).mean(1, keepdim=True) + 1e-5)
        x = torch.cat([torch.tanh(x), x * torch.sigmoid(x)], dim=3)
        x = torch.softmax(x, dim=2) * 2.0
        x = x.amax(dim=3, keepdim=True).sum(dim=2, keepdim=True).flatten(1)  # [N, C]
        return self.dense(torch.cat([x, x / 2.0], dim=1))


def channel_shuffle(x, groups):
    # As torchvision's shufflenetv2 writes it: Reshape, Transpose(0, 2, 1, 3, 4), Reshape.
    n, c, h, w = x.size()
    x = x.view(n, groups, c // groups, h, w)
    x = torch.transpose(x, 1, 2).contiguous()
    return x.view(n, -1, h, w)


class ShuffleCnn(torch.nn.Module):
    """Reshapes that reorder NCHW elements (issue 21): ShuffleNet's channel
    shuffle (3 groups after a grouped 1x1 convolution, 2 after a depthwise one)
    and a ViT-style patch embedding (a 2x2 stride-2 convolution, then
    view(N, C, H*W).transpose(1, 2): tokens [N, H*W, C]), averaged over the tokens
    into a dense layer."""

    def __init__(self):
        super().__init__()
        self.conv1 = torch.nn.Conv2d(3, 12, 3, padding=1)
        self.bn1 = torch.nn.BatchNorm2d(12)
        self.grouped = torch.nn.Conv2d(12, 12, 1, groups=3)
        self.depthwise = torch.nn.Conv2d(12, 12, 3, padding=1, groups=12)
        self.patches = torch.nn.Conv2d(12, 16, 2, stride=2)
        self.dense = torch.nn.Linear(16, 10)

    def forward(self, x):
        x = torch.relu(self.bn1(self.conv1(x)))
        x = channel_shuffle(self.grouped(x), 3)
        x = channel_shuffle(torch.relu(self.depthwise(x)), 2)
        # torchvision's ViT writes flatten(2), which exports a Slice of the
        # shape; the same reshape through view() exports a constant shape.
        p = self.patches(x)
        n, c, h, w = p.size()
        tokens = p.view(n, c, h * w).transpose(1, 2)  # [N, 30, 16]
        return self.dense(tokens.mean(1))


def export(out_dir, size, name):
    torch.manual_seed(20190611)
    generator = torch.Generator().manual_seed(7)
    if name == "small_cnn":
        model, shape = SmallCnn(), (1, 3, 20, 16)
    elif name == "activations_cnn":
        model, shape = ActivationsCnn(), (1, 3, 12, 10)
    elif name == "shuffle_cnn":
        model, shape = ShuffleCnn(), (1, 3, 12, 10)
    else:
        model, shape = getattr(torchvision.models, name)(weights=None, num_classes=10), (1, 3, size, size)
    with torch.no_grad():
        randomize_batch_norms(model, generator)
    model.eval()
    x = torch.rand(*shape, generator=generator)
    with torch.no_grad():
        y = model(x)
    path = os.path.join(out_dir, name)
    # The small CNN keeps PyTorch's shape arithmetic (no constant folding), as
    # exports of models with dynamic shapes do.
    torch.onnx.export(model, x, path + ".onnx", opset_version=13, input_names=["input"], output_names=["logits"],
                      do_constant_folding=name != "small_cnn")
    x.numpy().astype("float32").tofile(path + ".input.bin")
    y.numpy().astype("float32").tofile(path + ".output.bin")
    with open(path + ".dims", "w") as f:
        f.write(" ".join(str(d) for d in x.shape) + "\n" + " ".join(str(d) for d in y.shape) + "\n")
    open(path + ".done", "w").close()


def main():
    out_dir, size = sys.argv[1], int(sys.argv[2])
    os.makedirs(out_dir, exist_ok=True)
    torch.set_num_threads(1)
    for name in sys.argv[3:]:
        export(out_dir, size, name)


if __name__ == "__main__":
    main()
