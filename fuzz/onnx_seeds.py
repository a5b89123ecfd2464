#!/usr/bin/python3
"""Makes seeds for onnx_reader_fuzzer from ONNX's node tests: the model with
its inputs after the first stored as initializers (weights, scales, shapes),
so the fuzzer starts from models the reader converts, not only rejects.
Uses protoc's text format (no Python protobuf needed).

usage: onnx_seeds.py OUT_DIR TEST_NAME...   e.g. onnx_seeds.py fuzz/corpus/onnx test_qlinearconv
"""
import os
import re
import subprocess
import sys

NODE_TESTS = "/usr/share/libonnx-testdata/data/node"
PROTOC = ["protoc", "-I/usr/include/onnx", "/usr/include/onnx/onnx.proto"]


def decode(message, path):
    with open(path, "rb") as f:
        return subprocess.run(PROTOC + ["--decode=onnx." + message], stdin=f, capture_output=True,
                              check=True).stdout.decode()


def seed(test):
    d = os.path.join(NODE_TESTS, test)
    model = decode("ModelProto", os.path.join(d, "model.onnx"))
    names = re.findall(r'\n  input \{\n    name: "([^"]+)"', model)
    initializers = ""
    for i, name in enumerate(names[1:], start=1):
        tensor = decode("TensorProto", os.path.join(d, "test_data_set_0", "input_%d.pb" % i))
        tensor = re.sub(r"^name: .*\n", "", tensor, flags=re.M)
        body = "".join("    " + line + "\n" for line in tensor.splitlines())
        initializers += '  initializer {\n    name: "%s"\n%s  }\n' % (name, body)
    end = model.rindex("\n}\nopset_import")
    model = model[:end] + "\n" + initializers.rstrip("\n") + model[end:]
    return subprocess.run(PROTOC + ["--encode=onnx.ModelProto"], input=model.encode(), capture_output=True,
                          check=True).stdout


def main():
    out = sys.argv[1]
    for test in sys.argv[2:]:
        with open(os.path.join(out, test.removeprefix("test_") + "_initializers.onnx"), "wb") as f:
            f.write(seed(test))


if __name__ == "__main__":
    main()
