// Runs .onnx models in ONNX Runtime (npm onnxruntime-node, CPU, one thread),
// as an oracle for the C++ tests. Tensors are exchanged as raw little-endian
// files.
//
// usage: node onnxruntime_run.js MANIFEST.json
// MANIFEST: {"runs": [{"model": "m.onnx",
//                      "inputs":  [{"name": "x", "type": "float32"|"uint8"|"int8", "dims": [1,3,8,8], "file": "x.bin"}],
//                      "outputs": [{"name": "y", "file": "y.bin"}]}]}
// Writes each output's raw data to its file and its dims to "<file>.dims" (JSON).
'use strict';
const fs = require('fs');
const path = require('path');
const ort = require(path.join(__dirname, 'node_modules', 'onnxruntime-node'));

const arrays = {float32: Float32Array, uint8: Uint8Array, int8: Int8Array, int32: Int32Array};

async function run(spec) {
  const session = await ort.InferenceSession.create(spec.model, {intraOpNumThreads: 1, interOpNumThreads: 1});
  const feeds = {};
  for (const input of spec.inputs) {
    const bytes = fs.readFileSync(input.file);
    const Array = arrays[input.type];
    if (!Array) throw new Error(`unknown input type ${input.type}`);
    const data = new Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
    feeds[input.name] = new ort.Tensor(input.type, data, input.dims);
  }
  const results = await session.run(feeds);
  for (const output of spec.outputs) {
    const tensor = results[output.name];
    if (!tensor) throw new Error(`${spec.model}: no output '${output.name}'`);
    const data = tensor.data;
    fs.writeFileSync(output.file, Buffer.from(data.buffer, data.byteOffset, data.byteLength));
    fs.writeFileSync(output.file + '.dims', JSON.stringify(tensor.dims));
  }
}

async function main() {
  const manifest = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
  for (const spec of manifest.runs) await run(spec);
}

main().catch((e) => {
  console.error(e.message || e);
  process.exit(1);
});
