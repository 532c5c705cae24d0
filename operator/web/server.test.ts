import { describe, expect, it } from 'vitest';
import { hostAllowed } from './server.ts';
import { taskActions } from './task-details.ts';

describe('hostAllowed', () => {
  const local = { address: '127.0.0.1', port: 8484, readOnly: false };
  it('answers loopback names on a loopback address, and no other (DNS rebinding)', () => {
    for (const host of ['localhost:8484', '127.0.0.1:8484', '[::1]:8484']) {
      expect(hostAllowed(host, local)).toBe(true);
    }
    expect(hostAllowed('evil.example:8484', local)).toBe(false);
    expect(hostAllowed(undefined, local)).toBe(false);
    expect(hostAllowed('ui.corp:8484', { ...local, allowedHosts: ['ui.corp'] })).toBe(true);
  });

  it('in a cluster answers any name unless allowed hosts are named', () => {
    const pod = { address: '0.0.0.0', port: 8080, readOnly: true };
    expect(hostAllowed('fastflow-ui.fastflow-system.svc:8080', pod)).toBe(true);
    expect(hostAllowed('other:8080', { ...pod, allowedHosts: ['ui.corp'] })).toBe(false);
  });
});

describe('taskActions', () => {
  it('offers what applies to the phase; approve only on a waiting approval or wait', () => {
    expect(taskActions('Failed', false)).toEqual(['retry', 'rerun']);
    expect(taskActions('Blocked', false)).toContain('continue');
    expect(taskActions('Running', true)).toEqual(['approve', 'reject', 'cancel']);
    expect(taskActions('Running', false)).toEqual(['cancel']);
  });
});
