// Runs .tflite models in LiteRT (Google's TFLite runtime, @litertjs/core, as
// WebAssembly on its XNNPACK CPU path) for the C++ tests: one Node process for
// a whole list of runs, tensors exchanged as raw little-endian files.
//
//   node litert_run.js JOBS.json RESULTS.json
//
// JOBS.json: [{"model": "a.tflite", "inputs": ["x.bin", ...], "outputs": ["y.bin", ...]}, ...]
// Runs go in order, so a run may read a file an earlier run wrote (a tail fed
// by its head). Input files hold the model's inputs in order, in the model's
// dtype and shape; every output is written to the file of the same position.
// RESULTS.json: one entry per run: {"ok": true, "outputs": [{"elementType",
// "shape", "bytes"}]} or {"ok": false, "error": "..."}. The exit code is 0
// unless the runtime itself could not be loaded.
'use strict';

const fs = require('node:fs');
const path = require('node:path');
const vm = require('node:vm');

const modules = path.join(__dirname, 'node_modules');
const wasmDirectory = path.join(modules, '@litertjs', 'core', 'wasm');

// The shim LiteRT.js needs outside a browser: it loads its Emscripten module
// with importScripts (as in a web worker) and reads it from `self`.
function installBrowserShim() {
  globalThis.self = globalThis;
  globalThis.require = require;
  globalThis.__dirname = wasmDirectory;
  globalThis.importScripts = (url) => {
    const file = url.startsWith('file://') ? new URL(url).pathname : url;
    vm.runInThisContext(fs.readFileSync(file, 'utf8'), {filename: file});
  };
}

// LiteRT.js's typed-array layer knows float32, int32 and uint8 only; the
// runtime's own tensor buffers (the layer under it) take any element type, so
// tensors are copied in and out as raw bytes of the model's own types.
async function runOne(litert, job) {
  const wasm = litert.liteRtWasm;
  const environment = litert.getDefaultEnvironment().liteRtEnvironment;
  const bytes = fs.readFileSync(job.model);
  const modelPointer = wasm._malloc(bytes.length);
  wasm.HEAPU8.set(bytes, modelPointer);
  const owned = [];  // wasm objects to delete, last first
  try {
    const model = wasm.loadModel(environment, modelPointer, bytes.length);
    owned.push(model);
    const compiled = await wasm.compileModel(environment, model, {
      environment: litert.getDefaultEnvironment(), accelerator: 'wasm', cpuOptions: {numThreads: 1},
      gpuOptions: {}, webNNOptions: {},
    });
    owned.push(compiled);
    const signature = model.getSignature(0);
    owned.push(signature);
    const inputNames = signature.inputNames();
    const inputCount = inputNames.size();
    inputNames.delete();
    if (inputCount !== job.inputs.length) {
      throw new Error(`${job.model} has ${inputCount} inputs, ${job.inputs.length} files given`);
    }
    const inputs = [];
    for (let i = 0; i < inputCount; ++i) {
      const type = model.getInputTensorType(0, i);
      const size = type.bytes();
      const data = fs.readFileSync(job.inputs[i]);
      if (data.length !== size) {
        type.delete();
        throw new Error(`${job.inputs[i]}: ${data.length} bytes, input ${i} of ${job.model} takes ${size}`);
      }
      const buffer = wasm.LiteRtTensorBuffer.createManaged(environment, wasm.LiteRtTensorBufferType.HOST_MEMORY, type,
                                                           size);
      type.delete();
      owned.push(buffer);
      const pointer = buffer.lock(wasm.LiteRtTensorBufferLockMode.WRITE);
      wasm.HEAPU8.set(data, pointer);
      buffer.unlock();
      inputs.push(buffer);
    }
    const outputs = await compiled.run(0, inputs);
    const described = [];
    outputs.forEach((buffer, i) => {
      owned.push(buffer);
      const pointer = buffer.lock(wasm.LiteRtTensorBufferLockMode.READ);
      const data = wasm.HEAPU8.slice(pointer, pointer + buffer.packedSize());
      buffer.unlock();
      if (i < job.outputs.length) fs.writeFileSync(job.outputs[i], data);
      const type = buffer.tensorType();
      const layout = type.layout();
      const dimensions = layout.dimensions();
      const shape = [];
      for (let d = 0; d < dimensions.size(); ++d) shape.push(dimensions.get(d));
      described.push({elementType: type.elementType().value, shape, bytes: data.length});
      dimensions.delete();
      layout.delete();
      type.delete();
    });
    return {ok: true, outputs: described};
  } finally {
    for (const object of owned.reverse()) object.delete();
    wasm._free(modelPointer);
  }
}

async function main() {
  const [jobsFile, resultsFile] = process.argv.slice(2);
  if (!jobsFile || !resultsFile) {
    console.error('usage: node litert_run.js JOBS.json RESULTS.json');
    process.exit(2);
  }
  const jobs = JSON.parse(fs.readFileSync(jobsFile, 'utf8'));
  installBrowserShim();
  // (LiteRT logs INFO lines to stderr; the tests keep them in a log file.)
  const module = await import(path.join(modules, '@litertjs', 'core', 'dist', 'index.js'));
  const litert = await module.loadLiteRt(wasmDirectory + '/');
  const results = [];
  for (const job of jobs) {
    try {
      results.push(await runOne(litert, job));
    } catch (error) {
      results.push({ok: false, error: String(error && error.message ? error.message : error)});
    }
  }
  fs.writeFileSync(resultsFile, JSON.stringify(results, null, 1));
}

main().catch((error) => {
  console.error(`litert_run.js: ${error && error.stack ? error.stack : error}`);
  process.exit(1);
});
