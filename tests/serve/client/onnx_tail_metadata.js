// Prints an .onnx model's inputs and outputs as an Open Inference Protocol
// server's model metadata lists them (name, datatype, shape), read by ONNX
// Runtime (npm onnxruntime-node, in tests/oracles/node_modules), as Triton's
// onnxruntime backend would from the same file.
// usage: node onnx_tail_metadata.js MODEL.onnx
'use strict';
const path = require('path');
const ort = require(path.join(__dirname, '..', '..', 'oracles', 'node_modules', 'onnxruntime-node'));

const datatypes = {float32: 'FP32', uint8: 'UINT8', int8: 'INT8', int32: 'INT32', int64: 'INT64'};

(async () => {
  const session = await ort.InferenceSession.create(process.argv[2]);
  const list = (metadata) => metadata.map((m) => ({name: m.name, datatype: datatypes[m.type] || m.type,
                                                   shape: m.shape.map((d) => (typeof d === 'number' ? d : -1))}));
  console.log(JSON.stringify({inputs: list(session.inputMetadata), outputs: list(session.outputMetadata)}));
})().catch((e) => {
  console.error(e);
  process.exit(1);
});
