#!/usr/bin/python3
"""A few-line Open Inference Protocol server, independent of splitpoint, for the client's tests.

usage: fake_oip_server.py MODE --port-file FILE --log FILE [--hosts NAME] [--onnx TAIL.onnx] [--shape 1,2]

GET /v2 answers with no extensions (JSON tensors only), unless MODE is binary-inf; GET /v2/health/* answers 200;
GET /v2/models/NAME answers 200 for --hosts NAME (with --onnx: its inputs and outputs as ONNX Runtime reads them,
tests/serve/client/onnx_tail_metadata.js), 404 for any other. POST /v2/models/NAME/infer by MODE:
  tail             JSON only: runs --onnx in ONNX Runtime (tests/oracles/onnxruntime_run.js) on the JSON input
  huge-length      headers with Content-Length 10^12, then the body never ends
  endless-chunked  Transfer-Encoding: chunked, chunks for ever
  drip             the answer one byte every 0.5 s (from the status line on)
  json-nan         a JSON answer with NaN values (Python's json writes them)
  binary-inf       a binary answer (lists binary_tensor_data) whose FP32 values are +Inf
  unavailable      503
  refuse-all       404 for every model (--hosts is ignored)
Every request line goes to --log, one a line.
"""
import argparse
import json
import math
import os
import struct
import subprocess
import sys
import tempfile
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

HERE = os.path.dirname(os.path.abspath(__file__))
ORACLE = os.path.join(HERE, '..', '..', 'oracles', 'onnxruntime_run.js')

args = None
tail_metadata = {'inputs': [], 'outputs': []}  # mode tail: the .onnx file's, as ONNX Runtime reads them


class Handler(BaseHTTPRequestHandler):
    protocol_version = 'HTTP/1.1'

    def log_message(self, *_):
        pass

    def note(self):
        with open(args.log, 'a') as f:
            f.write(f'{self.command} {self.path}\n')

    def send_json(self, status, body, headers=()):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header('Content-Type', 'application/json')
        self.send_header('Content-Length', str(len(data)))
        for k, v in headers:
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def hosted(self, name):
        return args.mode != 'refuse-all' and name == args.hosts

    def do_GET(self):
        self.note()
        if self.path.startswith('/v2/health/'):
            return self.send_json(200, {})
        if self.path == '/v2':
            extensions = ['binary_tensor_data'] if args.mode == 'binary-inf' else []
            return self.send_json(200, {'name': 'fake', 'version': '0', 'extensions': extensions})
        name = self.path[len('/v2/models/'):] if self.path.startswith('/v2/models/') else None
        if name and self.hosted(name):
            return self.send_json(200, {'name': name, 'platform': 'fake', **tail_metadata})
        self.send_json(404, {'error': f'unknown model {name}'})

    def do_POST(self):
        self.note()
        body = self.rfile.read(int(self.headers.get('Content-Length', '0')))
        name = self.path[len('/v2/models/'):-len('/infer')]
        if not self.hosted(name):
            return self.send_json(404, {'error': f'unknown model {name}'})
        getattr(self, args.mode.replace('-', '_'))(body)

    def outputs_asked(self, body):
        header_length = self.headers.get('Inference-Header-Content-Length')
        request = json.loads(body[:int(header_length)] if header_length else body)
        return request, [o['name'] for o in request.get('outputs', [])]

    def tail(self, body):
        if self.headers.get('Inference-Header-Content-Length') is not None:
            return self.send_json(400, {'error': 'binary tensors are not supported'})
        request, names = self.outputs_asked(body)
        with tempfile.TemporaryDirectory() as tmp:
            inputs = []
            for i, t in enumerate(request['inputs']):
                assert t['datatype'] == 'FP32', t['datatype']
                path = os.path.join(tmp, f'in{i}.bin')
                with open(path, 'wb') as f:
                    f.write(struct.pack(f'<{len(t["data"])}f', *t['data']))
                inputs.append({'name': t['name'], 'type': 'float32', 'dims': t['shape'], 'file': path})
            outputs = [{'name': n, 'file': os.path.join(tmp, f'out{i}.bin')} for i, n in enumerate(names)]
            manifest = os.path.join(tmp, 'manifest.json')
            with open(manifest, 'w') as f:
                json.dump({'runs': [{'model': args.onnx, 'inputs': inputs, 'outputs': outputs}]}, f)
            subprocess.run(['/usr/bin/node', ORACLE, manifest], check=True)
            answer = []
            for o in outputs:
                with open(o['file'], 'rb') as f:
                    raw = f.read()
                with open(o['file'] + '.dims') as f:
                    dims = json.load(f)
                answer.append({'name': o['name'], 'datatype': 'FP32', 'shape': dims,
                               'data': list(struct.unpack(f'<{len(raw) // 4}f', raw))})
        self.send_json(200, {'model_name': name_of(self.path), 'outputs': answer})

    def huge_length(self, body):
        self.send_response(200)
        self.send_header('Content-Type', 'application/json')
        self.send_header('Content-Length', str(10 ** 12))
        self.end_headers()
        block = b'0' * 65536
        while True:
            self.wfile.write(block)

    def endless_chunked(self, body):
        self.send_response(200)
        self.send_header('Content-Type', 'application/json')
        self.send_header('Transfer-Encoding', 'chunked')
        self.end_headers()
        chunk = b'10000\r\n' + b' ' * 65536 + b'\r\n'
        while True:
            self.wfile.write(chunk)

    def drip(self, body):
        for byte in b'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n' + b' ' * 100000:
            self.wfile.write(bytes([byte]))
            self.wfile.flush()
            time.sleep(0.5)

    def json_nan(self, body):
        _, names = self.outputs_asked(body)
        shape = [int(d) for d in args.shape.split(',')]
        n = math.prod(shape)
        self.send_json(200, {'outputs': [{'name': x, 'datatype': 'FP32', 'shape': shape, 'data': [math.nan] * n}
                                         for x in names]})

    def binary_inf(self, body):
        _, names = self.outputs_asked(body)
        shape = [int(d) for d in args.shape.split(',')]
        data = struct.pack(f'<{math.prod(shape)}f', *([math.inf] * math.prod(shape)))
        header = json.dumps({'outputs': [{'name': x, 'datatype': 'FP32', 'shape': shape,
                                          'parameters': {'binary_data_size': len(data)}} for x in names]}).encode()
        payload = header + data * len(names)
        self.send_response(200)
        self.send_header('Content-Type', 'application/octet-stream')
        self.send_header('Inference-Header-Content-Length', str(len(header)))
        self.send_header('Content-Length', str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def unavailable(self, body):
        self.send_json(503, {'error': 'overloaded'})


def name_of(path):
    return path[len('/v2/models/'):-len('/infer')]


def main():
    global args
    p = argparse.ArgumentParser()
    p.add_argument('mode')
    p.add_argument('--port-file', required=True)
    p.add_argument('--log', required=True)
    p.add_argument('--hosts', default='')
    p.add_argument('--onnx', default='')
    p.add_argument('--shape', default='1,2')
    args = p.parse_args()
    global tail_metadata
    if args.onnx:
        tail_metadata = json.loads(subprocess.run(['/usr/bin/node', os.path.join(HERE, 'onnx_tail_metadata.js'), args.onnx],
                                                  check=True, capture_output=True, text=True).stdout)
    server = ThreadingHTTPServer(('127.0.0.1', 0), Handler)
    server.daemon_threads = True
    with open(args.port_file + '.tmp', 'w') as f:
        f.write(str(server.server_address[1]))
    os.rename(args.port_file + '.tmp', args.port_file)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    sys.exit(0)


if __name__ == '__main__':
    main()
