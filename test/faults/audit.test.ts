import { appendFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AuditLog, by, parseAuditLine, summarizeWrites, workerAgent } from './audit.ts';

function line(o: {
  stage?: string;
  agent?: string;
  ns?: string;
  code?: number;
  sub?: string;
  at?: string;
}): string {
  return JSON.stringify({
    kind: 'Event',
    level: 'Metadata',
    stage: o.stage ?? 'ResponseComplete',
    verb: 'patch',
    userAgent: o.agent ?? 'fastflow-worker/w1-abcde',
    requestReceivedTimestamp: o.at ?? '2026-12-07T12:00:00.123456Z',
    objectRef: {
      resource: 'daginstances',
      subresource: o.sub ?? 'status',
      namespace: o.ns ?? 'faults-r2',
      name: 'r2-0001',
      apiGroup: 'fastflow.io',
    },
    responseStatus: { metadata: {}, code: o.code ?? 200 },
  });
}

describe('parseAuditLine', () => {
  it('reads who wrote what, when and the answer', () => {
    expect(parseAuditLine(line({ code: 422 }))).toEqual({
      at: Date.parse('2026-12-07T12:00:00.123Z'),
      userAgent: 'fastflow-worker/w1-abcde',
      verb: 'patch',
      resource: 'daginstances',
      subresource: 'status',
      namespace: 'faults-r2',
      name: 'r2-0001',
      code: 422,
    });
  });

  it('skips other stages, blank lines and a line cut by a crash', () => {
    expect(parseAuditLine(line({ stage: 'ResponseStarted' }))).toBeUndefined();
    expect(parseAuditLine('')).toBeUndefined();
    expect(parseAuditLine(line({}).slice(0, 40))).toBeUndefined();
  });
});

describe('by', () => {
  it('matches the User-Agent of one process, not of another with a longer name', () => {
    const e = parseAuditLine(line({ agent: 'fastflow-worker/w1-abcde' }));
    expect(e && by(workerAgent('w1-abcde'))(e)).toBe(true);
    expect(e && by(workerAgent('w1-abc'))(e)).toBe(false);
  });
});

describe('AuditLog', () => {
  it('reads from its mark on, only its namespace, and completes a line written in two parts', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'audit-test-')), 'audit.log');
    writeFileSync(path, `${line({ code: 201 })}\n`);
    const log = new AuditLog(path, 'faults-r2');
    const second = line({ code: 422 });
    appendFileSync(path, `${line({ ns: 'other' })}\n${second.slice(0, 30)}`);
    expect(log.entries()).toEqual([]);
    appendFileSync(path, `${second.slice(30)}\n`);
    expect(log.entries().map((e) => e.code)).toEqual([422]);
    expect(summarizeWrites(log.entries())).toBe('daginstances/status patch 422: 1');
  });
});
