#!/usr/bin/env node
/**
 * Entry point of `kubectl fastflow` (bin/kubectl-fastflow imports it): runs
 * the plugin on this process's arguments and exits with its code. Ctrl-C
 * stops a watch or a wait for the operator cleanly, saying what keeps going
 * (exit 130); anything else, or a second Ctrl-C, exits at once.
 */
import { getEventListeners } from 'node:events';
import { processIO, readStdin } from './io.ts';
import { runPlugin } from './program.ts';

const interrupt = new AbortController();
process.on('SIGINT', () => {
  if (interrupt.signal.aborted || getEventListeners(interrupt.signal, 'abort').length === 0) {
    process.exit(130);
  }
  interrupt.abort();
});

const code = await runPlugin(process.argv.slice(2), processIO(interrupt.signal), readStdin);
// Exit once stdout has been flushed: open watch connections must not keep the process alive.
process.stdout.write('', () => process.exit(code));
