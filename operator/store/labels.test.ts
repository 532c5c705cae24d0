import { describe, expect, it } from 'vitest';
import { boundedName, labelValue, subjectMetadata, subjectOf } from './labels.ts';

const LABEL_VALUE = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

describe('labelValue', () => {
  it('is the value itself when it is a valid label value', () => {
    expect(labelValue('run-1')).toBe('run-1');
    expect(labelValue('Task_A.b')).toBe('Task_A.b');
    expect(labelValue('x'.repeat(63))).toBe('x'.repeat(63));
  });

  it('fits any name or task key into a label value, distinct per input', () => {
    const inputs = [
      'x'.repeat(64),
      'x'.repeat(253),
      `${'x'.repeat(252)}y`,
      'fanout[3]',
      'deploy/step#2',
      '-.-',
      `a.${'b'.repeat(70)}.-`,
    ];
    const values = inputs.map(labelValue);
    for (const v of values) {
      expect(v).toMatch(LABEL_VALUE);
      expect(v.length).toBeLessThanOrEqual(63);
    }
    expect(new Set(values).size).toBe(inputs.length);
    expect(labelValue('x'.repeat(253))).toBe(labelValue('x'.repeat(253)));
  });
});

describe('subjectMetadata and subjectOf', () => {
  it('labels with label values and keeps the full values in annotations', () => {
    const name = 'x'.repeat(253);
    const meta = subjectMetadata({ 'fastflow.io/instance': name });
    expect(meta.labels['fastflow.io/instance']).toBe(labelValue(name));
    expect(subjectOf(meta, 'fastflow.io/instance')).toBe(name);
    // Objects written before annotations existed: the label is the value.
    expect(subjectOf({ labels: { k: 'run-1' } }, 'k')).toBe('run-1');
    expect(subjectOf(undefined, 'k')).toBeUndefined();
  });
});

describe('boundedName', () => {
  it('keeps names that fit unchanged', () => {
    expect(boundedName('run-1', '-share')).toBe('run-1-share');
    expect(boundedName('x'.repeat(247), '-share')).toBe(`${'x'.repeat(247)}-share`);
  });

  it('shortens long names with a hash of the whole base: valid and distinct', () => {
    const a = boundedName(`${'x'.repeat(252)}a`, '-t0123abcd-100');
    const b = boundedName(`${'x'.repeat(252)}b`, '-t0123abcd-100');
    const dotted = boundedName(`${'x'.repeat(235)}.${'y'.repeat(17)}`, '-share');
    for (const n of [a, b, dotted]) {
      expect(n.length).toBeLessThanOrEqual(253);
      expect(n).toMatch(DNS_SUBDOMAIN);
    }
    expect(a).not.toBe(b);
    expect(a.endsWith('-t0123abcd-100')).toBe(true);
  });
});
