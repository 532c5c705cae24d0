/**
 * The signals a client sends to an instance's waiting tasks (approve,
 * reject, end a wait), as methods of FastflowClient: kept apart so that the
 * client stays one readable file.
 */
import type { SignalVerb } from '../../operator/api/waits.ts';
import type { InstanceKey, InstanceRef } from './instances.ts';
import {
  sendSignal,
  type OperationContext,
  type OperationOptions,
  type Sent,
} from './operations.ts';

/** What a person says with an approval or a rejection. */
type Said = { message?: string };

export abstract class SignalSender {
  /** Where a signal to `instance` goes, and what sends it. */
  protected abstract signalTarget(instance: InstanceRef): {
    ctx: OperationContext;
    ref: InstanceKey;
  };

  /** Approves a waiting approval task: it succeeds, saying who (this client's user) and when. */
  approve<O extends OperationOptions>(
    i: InstanceRef,
    task: string,
    opts = {} as O & Said,
  ): Promise<Sent<O>> {
    return this.#signal(i, { verb: 'approve', task, text: opts.message }, opts);
  }

  /** Rejects a waiting approval task: it fails (Rejected), saying who and when. */
  reject<O extends OperationOptions>(
    i: InstanceRef,
    task: string,
    opts = {} as O & Said,
  ): Promise<Sent<O>> {
    return this.#signal(i, { verb: 'reject', task, text: opts.message }, opts);
  }

  /** Ends a waiting wait task; `payload` (any JSON) becomes its output. */
  signal<O extends OperationOptions>(
    i: InstanceRef,
    task: string,
    payload?: unknown,
    opts = {} as O,
  ): Promise<Sent<O>> {
    const text = payload === undefined ? undefined : JSON.stringify(payload);
    return this.#signal(i, { verb: 'signal', task, text }, opts);
  }

  #signal<O extends OperationOptions>(
    instance: InstanceRef,
    signal: { verb: SignalVerb; task: string; text: string | undefined },
    opts: O,
  ): Promise<Sent<O>> {
    const { text, ...rest } = signal;
    const { ctx, ref } = this.signalTarget(instance);
    return sendSignal(ctx, ref, { ...rest, ...(text ? { text } : {}) }, opts);
  }
}
