/** The Helm chart (charts/fastflow) refuses bad values with a message naming the value. */
import { describe, expect, it } from 'vitest';
import { template } from '../support/helm.ts';
import { useHelmRelease } from '../support/helm-release.ts';

const chart = useHelmRelease();

describe('bad values are refused with a message naming them', () => {
  const pool = (fields: string): string => `workers:\n  pools:\n    - { name: a, ${fields} }\n`;
  it.each([
    ['a negative replica count', pool('replicas: -1'), /'\/workers\/pools\/0\/replicas'.*minimum/],
    ['a misspelt key', 'operator: { replica: 3 }', /'\/operator'.*'replica' not allowed/],
    [
      'a pool name that is not a DNS label',
      'workers: { pools: [{ name: Bad_Name }] }',
      /'\/workers\/pools\/0\/name'.*does not match pattern/,
    ],
    [
      'a negative action concurrency limit',
      'operator: { actionConcurrency: { deploy: -1 } }',
      /'\/operator\/actionConcurrency\/deploy'.*minimum/,
    ],
    [
      'an action rate without starts',
      'operator: { actionRate: { http: { starts: 0, perSecs: 60 } } }',
      /'\/operator\/actionRate\/http\/starts'.*minimum/,
    ],
    [
      'a heap bound that is not a whole number of MiB',
      'operator: { maxHeapMiB: 1.5 }',
      /'\/operator\/maxHeapMiB'.*want integer/,
    ],
    ['an unknown log level', 'logLevel: verbose', /'\/logLevel'.*must be one of/],
    ['a string for a boolean', 'crds: { install: "yes" }', /'\/crds\/install'.*want boolean/],
    [
      'a ServiceAccount subject without a namespace',
      'rbac: { extraWorkerSubjects: [{ kind: ServiceAccount, name: x }] }',
      /'\/rbac\/extraWorkerSubjects\/0'.*missing property 'namespace'/,
    ],
    [
      'two pools with one name',
      'workers: { pools: [{ name: a }, { name: a }] }',
      /workers\.pools\[1\]\.name: "a" is used twice/,
    ],
    [
      'an HPA whose min exceeds its max',
      pool('hpa: { enabled: true, min: 5, max: 3 }'),
      /workers\.pools\[0\] \(a\): hpa\.min \(5\) must not exceed hpa\.max \(3\)/,
    ],
    [
      'an HPA without a CPU request',
      pool('resources: { requests: { memory: 1Gi } }, hpa: { enabled: true }'),
      /workers\.pools\[0\] \(a\): hpa\.enabled needs resources\.requests\.cpu/,
    ],
    [
      'a renew deadline not shorter than the lease',
      'operator: { leaderElection: { renewDeadlineSecs: 20 } }',
      /operator\.leaderElection\.renewDeadlineSecs \(20\) must be less than leaseDurationSecs \(15\)/,
    ],
  ])('%s', async (_what, values, message) => {
    const r = await template(chart.helm, chart.opts({ values }));
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(message);
  });
});
