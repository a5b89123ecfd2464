#!/usr/bin/env node
// ONNX Runtime (npm onnxruntime-node, its CPU execution provider) as a peer of
// splitpoint's engine: times an ONNX model (batch 1, NCHW float32 input) with
// a given number of intra-op threads.
// Prints one JSON object per measurement:
//   {"peer": "onnxruntime", "model": ..., "dtype": "f32", "threads": ..., "runs_ms": [...], "median_ms": ...}
// Usage: node onnxruntime_peer.js --model vgg16 --file vgg16.onnx --threads 1,2 --repeat 10 --warmup 2
'use strict';
const ort = require('onnxruntime-node');

function parseArgs(argv) {
  const a = {threads: '1,2', repeat: 10, warmup: 2};
  for (let i = 2; i < argv.length; i += 2) {
    const key = argv[i].replace(/^--/, '');
    if (!['model', 'file', 'threads', 'repeat', 'warmup'].includes(key) || i + 1 >= argv.length) {
      console.error(`onnxruntime_peer: unknown or incomplete option '${argv[i]}'`);
      process.exit(2);
    }
    a[key] = argv[i + 1];
  }
  if (!a.model || !a.file) {
    console.error('onnxruntime_peer: --model NAME and --file PATH are required');
    process.exit(2);
  }
  return a;
}

function median(v) {
  const s = [...v].sort((x, y) => x - y);
  const n = s.length;
  return n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
}

async function main() {
  const a = parseArgs(process.argv);
  for (const threads of a.threads.split(',').map(Number)) {
    const session = await ort.InferenceSession.create(a.file, {
      intraOpNumThreads: threads,
      interOpNumThreads: 1,
      executionMode: 'sequential',
      graphOptimizationLevel: 'all',
    });
    const name = session.inputNames[0];
    const data = new Float32Array(3 * 224 * 224);
    for (let i = 0; i < data.length; ++i) data[i] = Math.sin(i) * 0.5;
    const feeds = {[name]: new ort.Tensor('float32', data, [1, 3, 224, 224])};
    for (let i = 0; i < Number(a.warmup); ++i) await session.run(feeds);
    const runs = [];
    for (let i = 0; i < Number(a.repeat); ++i) {
      const start = process.hrtime.bigint();
      await session.run(feeds);
      runs.push(Number(process.hrtime.bigint() - start) / 1e6);
    }
    console.log(JSON.stringify({peer: 'onnxruntime', model: a.model, dtype: 'f32', threads, runs_ms: runs,
                                median_ms: median(runs)}));
    await session.release();
  }
}

main().catch((e) => {
  console.error(`onnxruntime_peer: ${e.message}`);
  process.exit(2);
});
