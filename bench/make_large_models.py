#!/usr/bin/python3
"""Writes the large and hostile model files of issue 19 ("quadratic readers", "memory bombs") into a directory.

  chain.onnx          a chain of --chain-nodes ONNX nodes on a [1, 8] tensor, alternating Add(h, c) (c one shared
                      [8] initializer) and Sigmoid. Each Add starts a layer and the Sigmoid after it finishes it, so
                      the model has chain_nodes / 2 layers (chain_nodes is even).
  conv_chain.onnx     a chain of --conv-nodes 1x1 Conv nodes (one shared [1, 1, 1, 1] weight, no bias) on a
                      [1, 1, 1, 1] image: every Conv is a layer, --conv-nodes layers.
  dead.onnx           y = Add(x, c) is the graph's only output; beside it --dead-nodes nodes that reach no output:
                      a chain from x alternating Add(d, c) and Sigmoid, as in chain.onnx.
  shared_names.tflite --tflite-tensors tensors that all have the name "t": tensor 0 the [1, 8] FLOAT32 input, then
                      operator i (i = 0 .. tensors - 2) writes tensor i + 1 from tensor i: ADD(t, t) for even i,
                      LOGISTIC for odd i. Tensor 0 is the input, the last tensor the output.
  pad.onnx            Pad of a [1, 1, 1, 1] input by 0/--pad-extent on H and W: an output of (1 + extent)^2 FLOAT
                      elements (3.0e9 for the default extent 54,771), which no reader may allocate.
  pad.tflite          the same Pad as a .tflite (NHWC; paddings an INT32 [4, 2] constant).

Run with /usr/bin/python3 (Debian's python3-onnx, python3-flatbuffers). The ONNX files are built with onnx.helper;
the .tflite with flatbuffers' Builder, field slots numbered as in src/formats/tflite/schema.fbs.
"""
import argparse
import os

import flatbuffers
import onnx
from onnx import TensorProto, helper

WIDTH = 8  # elements of the chain's tensor


def onnx_model(nodes, initializers, outputs, name):
    graph = helper.make_graph(
        nodes, name, [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, WIDTH])],
        [helper.make_tensor_value_info(o, TensorProto.FLOAT, [1, WIDTH]) for o in outputs], initializers)
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)], producer_name="make_large_models")


def add_sigmoid_chain(count, start, prefix):
    """`count` nodes from value `start`: Add(h, c), Sigmoid, Add(h, c), ...; returns (nodes, last value)."""
    nodes, h = [], start
    for i in range(count):
        out = f"{prefix}{i}"
        if i % 2 == 0:
            nodes.append(helper.make_node("Add", [h, "c"], [out], name=f"{prefix}add{i}"))
        else:
            nodes.append(helper.make_node("Sigmoid", [h], [out], name=f"{prefix}sigmoid{i}"))
        h = out
    return nodes, h


def bias():
    return helper.make_tensor("c", TensorProto.FLOAT, [WIDTH], [0.5] * WIDTH)


def write_chain(path, count):
    nodes, last = add_sigmoid_chain(count, "x", "h")
    onnx.save(onnx_model(nodes, [bias()], [last], "chain"), path)


def write_conv_chain(path, count):
    nodes, h = [], "x"
    for i in range(count):
        nodes.append(helper.make_node("Conv", [h, "w"], [f"c{i}"], name=f"conv{i}", kernel_shape=[1, 1]))
        h = f"c{i}"
    weight = helper.make_tensor("w", TensorProto.FLOAT, [1, 1, 1, 1], [1.0])
    graph = helper.make_graph(nodes, "conv_chain", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 1, 1, 1])],
                              [helper.make_tensor_value_info(h, TensorProto.FLOAT, [1, 1, 1, 1])], [weight])
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)]), path)


def write_dead(path, count):
    live = helper.make_node("Add", ["x", "c"], ["y"], name="live_add")
    dead, _ = add_sigmoid_chain(count, "x", "d")
    onnx.save(onnx_model([live] + dead, [bias()], ["y"], "dead"), path)


def write_pad_onnx(path, extent):
    pads = helper.make_tensor("pads", TensorProto.INT64, [8], [0, 0, 0, 0, 0, 0, extent, extent])
    node = helper.make_node("Pad", ["x", "pads"], ["y"], name="huge_pad")
    graph = helper.make_graph([node], "pad", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 1, 1, 1])],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 1, 1 + extent, 1 + extent])], [pads])
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)]), path)


# ---------------------------------------------------------------- .tflite, by flatbuffers' Builder

def int_vector(b, values):
    b.StartVector(4, len(values), 4)
    for v in reversed(values):
        b.PrependInt32(v)
    return b.EndVector()


def offset_vector(b, offsets):
    b.StartVector(4, len(offsets), 4)
    for o in reversed(offsets):
        b.PrependUOffsetTRelative(o)
    return b.EndVector()


def tflite_tensor(b, name, shape, tensor_type, buffer):
    # table Tensor { shape:[int] 0; type:TensorType(byte) 1; buffer:uint 2; name:string 3; ... }
    shape_offset = int_vector(b, shape)
    b.StartObject(8)
    b.PrependUOffsetTRelativeSlot(0, shape_offset, 0)
    b.PrependInt8Slot(1, tensor_type, -1)  # always written (FLOAT32 is 0, the default)
    b.PrependUint32Slot(2, buffer, 0)
    b.PrependUOffsetTRelativeSlot(3, name, 0)
    return b.EndObject()


def tflite_operator(b, opcode_index, inputs, outputs):
    # table Operator { opcode_index:uint 0; inputs:[int] 1; outputs:[int] 2; ... }
    ins, outs = int_vector(b, inputs), int_vector(b, outputs)
    b.StartObject(10)
    b.PrependUint32Slot(0, opcode_index, 0xFFFFFFFF)
    b.PrependUOffsetTRelativeSlot(1, ins, 0)
    b.PrependUOffsetTRelativeSlot(2, outs, 0)
    return b.EndObject()


def tflite_operator_code(b, code):
    # table OperatorCode { deprecated_builtin_code:byte 0; custom_code 1; version:int 2; builtin_code:int 3 }
    b.StartObject(4)
    b.PrependInt8Slot(0, min(code, 127), -1)
    b.PrependInt32Slot(2, 1, 0)
    b.PrependInt32Slot(3, code, -1)
    return b.EndObject()


def tflite_buffer(b, data):
    # table Buffer { data:[ubyte] 0; ... }
    data_offset = b.CreateByteVector(data) if data else None
    b.StartObject(3)
    if data_offset is not None:
        b.PrependUOffsetTRelativeSlot(0, data_offset, 0)
    return b.EndObject()


def tflite_model(b, tensors, operators, opcodes, buffers, inputs, outputs):
    """`tensors`: (name, shape, type, buffer); `operators`: (opcode index, inputs, outputs); `buffers`: bytes."""
    names = {}
    for name, _, _, _ in tensors:
        if name not in names:
            names[name] = b.CreateString(name)
    tensor_offsets = [tflite_tensor(b, names[n], s, t, buf) for n, s, t, buf in tensors]
    operator_offsets = [tflite_operator(b, c, i, o) for c, i, o in operators]
    code_offsets = [tflite_operator_code(b, c) for c in opcodes]
    buffer_offsets = [tflite_buffer(b, d) for d in buffers]
    tensors_vec, operators_vec = offset_vector(b, tensor_offsets), offset_vector(b, operator_offsets)
    inputs_vec, outputs_vec = int_vector(b, inputs), int_vector(b, outputs)
    # table SubGraph { tensors 0; inputs 1; outputs 2; operators 3; name 4 }
    b.StartObject(5)
    b.PrependUOffsetTRelativeSlot(0, tensors_vec, 0)
    b.PrependUOffsetTRelativeSlot(1, inputs_vec, 0)
    b.PrependUOffsetTRelativeSlot(2, outputs_vec, 0)
    b.PrependUOffsetTRelativeSlot(3, operators_vec, 0)
    subgraph = b.EndObject()
    codes_vec, subgraphs_vec = offset_vector(b, code_offsets), offset_vector(b, [subgraph])
    buffers_vec = offset_vector(b, buffer_offsets)
    # table Model { version:uint 0; operator_codes 1; subgraphs 2; description 3; buffers 4 }
    b.StartObject(5)
    b.PrependUint32Slot(0, 3, 0)
    b.PrependUOffsetTRelativeSlot(1, codes_vec, 0)
    b.PrependUOffsetTRelativeSlot(2, subgraphs_vec, 0)
    b.PrependUOffsetTRelativeSlot(4, buffers_vec, 0)
    b.Finish(b.EndObject(), file_identifier=b"TFL3")
    return bytes(b.Output())


ADD, LOGISTIC, PAD = 0, 14, 34
FLOAT32, INT32 = 0, 2


def write_shared_names(path, count):
    tensors = [("t", [1, WIDTH], FLOAT32, 0) for _ in range(count)]
    operators = [(i % 2, [i, i] if i % 2 == 0 else [i], [i + 1]) for i in range(count - 1)]
    data = tflite_model(flatbuffers.Builder(1 << 20), tensors, operators, [ADD, LOGISTIC], [b""], [0], [count - 1])
    with open(path, "wb") as f:
        f.write(data)


def write_pad_tflite(path, extent):
    paddings = [0, 0, 0, extent, 0, extent, 0, 0]  # NHWC: H and W grow by `extent` after
    tensors = [("x", [1, 1, 1, 1], FLOAT32, 0), ("paddings", [4, 2], INT32, 1),
               ("huge_pad", [1, 1 + extent, 1 + extent, 1], FLOAT32, 0)]
    buffers = [b"", b"".join(v.to_bytes(4, "little", signed=True) for v in paddings)]
    data = tflite_model(flatbuffers.Builder(1024), tensors, [(0, [0, 1], [2])], [PAD], buffers, [0], [2])
    with open(path, "wb") as f:
        f.write(data)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("out", help="directory to write the files into")
    parser.add_argument("--chain-nodes", type=int, default=100_000)
    parser.add_argument("--conv-nodes", type=int, default=100_000)
    parser.add_argument("--dead-nodes", type=int, default=100_000)
    parser.add_argument("--tflite-tensors", type=int, default=20_000)
    parser.add_argument("--pad-extent", type=int, default=54_771)
    args = parser.parse_args()
    if args.chain_nodes < 2 or args.chain_nodes % 2 or args.conv_nodes < 1 or args.dead_nodes < 0 or args.tflite_tensors < 2:
        parser.error("--chain-nodes must be even and >= 2, --conv-nodes >= 1, --dead-nodes >= 0, --tflite-tensors >= 2")
    os.makedirs(args.out, exist_ok=True)
    write_chain(os.path.join(args.out, "chain.onnx"), args.chain_nodes)
    write_conv_chain(os.path.join(args.out, "conv_chain.onnx"), args.conv_nodes)
    write_dead(os.path.join(args.out, "dead.onnx"), args.dead_nodes)
    write_shared_names(os.path.join(args.out, "shared_names.tflite"), args.tflite_tensors)
    write_pad_onnx(os.path.join(args.out, "pad.onnx"), args.pad_extent)
    write_pad_tflite(os.path.join(args.out, "pad.tflite"), args.pad_extent)


if __name__ == "__main__":
    main()
