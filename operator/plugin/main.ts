/**
 * Entry point of `kubectl fastflow` (bin/kubectl-fastflow imports it): runs
 * the plugin on this process's arguments and exits with its code. Ctrl-C
 * stops a watch cleanly (exit 130); a second one exits at once.
 */
import { processIO } from './io.ts';
import { runPlugin } from './program.ts';

const interrupt = new AbortController();
process.on('SIGINT', () => {
  if (interrupt.signal.aborted) process.exit(130);
  interrupt.abort();
});

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

const code = await runPlugin(process.argv.slice(2), processIO(interrupt.signal), readStdin);
// Exit once stdout has been flushed: open watch connections must not keep the process alive.
process.stdout.write('', () => process.exit(code));
