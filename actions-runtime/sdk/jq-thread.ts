// The thread that evaluates jq expressions for the `transform` action (see
// jq-runner.ts): jq runs synchronously inside WebAssembly, so an expression
// that never ends must not block the worker's event loop (its heartbeat).
import { parentPort } from 'node:worker_threads';
import { loadJq, type JqInput } from 'jq-wasm';
import type { JqReply, JqRequest } from './jq-runner.ts';

// jq's exit code for an expression that does not compile.
const COMPILE_ERROR = 3;

const jq = await loadJq();
const port = parentPort;
port?.on('message', (req: JqRequest) => {
  let reply: JqReply;
  try {
    reply = { id: req.id, ok: true, results: jq.json(req.input as JqInput, req.query) };
  } catch (e) {
    const err = e as { exitCode?: number; stderr?: string; message?: string };
    reply = {
      id: req.id,
      ok: false,
      compileError: err.exitCode === COMPILE_ERROR,
      message: firstLine(err.stderr || err.message || String(e)),
    };
  }
  port.postMessage(reply);
});

/** jq's first line says what went wrong; the rest repeats the expression with a caret. */
function firstLine(stderr: string): string {
  return (stderr.split('\n')[0] ?? '').replace(/^jq: error(?: \(at [^)]*\))?:?\s*/, '').trim();
}
