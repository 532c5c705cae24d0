import { silentLogger } from '../../operator/log.ts';
import { defineAction, type Action, type ActionContext } from '../../actions-runtime/sdk/action.ts';

// What the runAttempt tests share: a context, signals, and an action that records its calls.

export const ctx: Omit<ActionContext, 'signal'> = {
  vars: { who: 'world' },
  instance: { namespace: 'ns', name: 'inst' },
  task: { id: 'a', attempt: 1 },
  trace: () => {},
  heartbeat: () => {},
  log: silentLogger(),
  shareData: { get: () => Promise.resolve(undefined), set: () => Promise.resolve() },
  mutex: () => {
    throw new Error('no mutex in these tests');
  },
};

export function open(): AbortSignal {
  return new AbortController().signal;
}

/** An action that records the signal it got and runs `body`. */
export function probe(body: (signal: AbortSignal) => unknown = () => {}): {
  action: Action<unknown>;
  seen: { signal?: AbortSignal; params?: unknown; calls: number };
} {
  const seen: { signal?: AbortSignal; params?: unknown; calls: number } = { calls: 0 };
  const action = defineAction({
    name: 'probe',
    run(c, params) {
      seen.calls++;
      seen.signal = c.signal;
      seen.params = params;
      return body(c.signal);
    },
  }) as Action<unknown>;
  return { action, seen };
}
