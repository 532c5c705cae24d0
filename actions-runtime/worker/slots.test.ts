import { describe, expect, it } from 'vitest';
import { Slots } from './slots.ts';

function deferred(): { promise: Promise<void>; resolve: () => void; reject: (e: Error) => void } {
  let resolve: () => void = () => {};
  let reject: (e: Error) => void = () => {};
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

async function flush(): Promise<void> {
  for (let i = 0; i < 10; i++) await Promise.resolve();
}

describe('Slots', () => {
  it('runs at most N jobs at once and starts the waiting ones in arrival order', async () => {
    const slots = new Slots(2);
    const gates = Array.from({ length: 5 }, deferred);
    const started: number[] = [];
    let running = 0;
    let peak = 0;
    const all = gates.map((g, i) =>
      slots.run(async () => {
        started.push(i);
        peak = Math.max(peak, ++running);
        await g.promise;
        running--;
        return i * 10;
      }),
    );
    await flush();
    expect(started).toEqual([0, 1]);
    expect(slots.busy).toBe(2);
    gates[1]?.resolve();
    await flush();
    expect(started).toEqual([0, 1, 2]);
    gates[0]?.resolve();
    await flush();
    expect(started).toEqual([0, 1, 2, 3]);
    for (const g of gates) g.resolve();
    expect(await Promise.all(all)).toEqual([0, 10, 20, 30, 40]);
    expect(started).toEqual([0, 1, 2, 3, 4]);
    expect(peak).toBe(2);
    expect(slots.busy).toBe(0);
  });

  it('frees the slot of a job that fails, and passes the error on', async () => {
    const slots = new Slots(1);
    const gate = deferred();
    const failing = slots.run(() => gate.promise);
    let secondRan = false;
    const second = slots.run(async () => {
      secondRan = true;
      await Promise.resolve();
      return 'ok';
    });
    await flush();
    expect(secondRan).toBe(false);
    gate.reject(new Error('job failed'));
    await expect(failing).rejects.toThrow('job failed');
    expect(await second).toBe('ok');
    expect(slots.busy).toBe(0);
  });

  it('never exceeds its size under many short jobs', async () => {
    const slots = new Slots(3);
    let running = 0;
    let peak = 0;
    await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        slots.run(async () => {
          peak = Math.max(peak, ++running);
          await new Promise((r) => setTimeout(r, i % 3));
          running--;
        }),
      ),
    );
    expect(peak).toBe(3);
    expect(slots.busy).toBe(0);
  });
});
