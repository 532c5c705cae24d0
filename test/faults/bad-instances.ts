/** R6's bad DagInstances: missing or bad references, bad vars, deadlines, names at and past the limit. */
import {
  CYCLE,
  dnsName,
  manyVars,
  oneTask,
  withTask,
  x,
  type BadInput,
  type Expect,
} from './bad-input-case.ts';

// The tables below keep one case a line (prettier-ignore): a row is data, not code.

/** A case: what it sends, what becomes of it, the field its message names, the spec, its Dag. */
type Row = [
  id: string,
  input: string,
  expect: Expect,
  field: string,
  spec: Record<string, unknown>,
  dag?: BadInput['dag'],
];

const GOOD = { spec: oneTask() };
/** A Dag that declares the var v and uses it. */
const WITH_VAR = {
  spec: { vars: { v: { defaultValue: 'x' } }, ...oneTask({ params: { v: '{{v}}' } }) },
};

// prettier-ignore
const REFS: Row[] = [
  ['no-dag-ref', 'spec without dagRef', 'refused', 'spec.dagRef', { dagRef: undefined }],
  ['dag-ref-empty', 'dagRef.name ""', 'refused', 'spec.dagRef.name', { dagRef: { name: '' } }],
  ['dag-ref-uppercase', 'dagRef.name "Bad"', 'refused', 'spec.dagRef.name', { dagRef: { name: 'Bad' } }],
  ['dag-ref-string', 'dagRef: "x"', 'refused', 'spec.dagRef', { dagRef: 'x' }],
  ['dag-ref-unknown-field', 'dagRef.namespace (no such field)', 'refused', 'namespace', { dagRef: { name: 'x', namespace: 'y' } }],
  ['instance-unknown-field', 'spec.owner (no such field)', 'refused', 'owner', { dagRef: { name: 'x' }, owner: 1 }],
  ['dag-missing', 'dagRef names no Dag', 'failed', 'ghost', { dagRef: { name: 'ghost' } }],
  ['dag-invalid', 'dagRef names an invalid Dag (a cycle)', 'failed', 'cycle', {}, { spec: CYCLE }],
  ['dag-stopped', 'dagRef names a stopped Dag', 'failed', 'stopped', {}, { spec: withTask({ status: 'stopped' }) }],
];

/** Instances of a Dag that declares the var v: [id, input, expect, field, spec.vars]. */
// prettier-ignore
const VARS: [id: string, input: string, expect: Expect, field: string, vars: unknown][] = [
  ['var-undeclared', 'a var the Dag does not declare', 'failed', 'nope', { nope: 'x' }],
  ['var-number', 'var value 5', 'refused', 'spec.vars', { v: 5 }],
  ['var-object', 'var value {a: 1}', 'refused', 'spec.vars', { v: { a: 1 } }],
  ['vars-list', 'vars as a list', 'refused', 'spec.vars', ['v']],
  ['var-name-bad', 'var named "1x"', 'refused', 'spec.vars', { '1x': 'y' }],
  ['var-value-at-limit', 'var value of 8192 characters', 'succeeded', '', { v: x(8192) }],
  ['var-value-past-limit', 'var value of 8193 characters', 'refused', 'spec.vars', { v: x(8193) }],
  ['instance-vars-129', '129 vars', 'refused', 'spec.vars', manyVars(129, 'x')],
];

/** Refused deadlines: [id suffix, as shown, activeDeadlineSeconds]. */
const DEADLINES: [id: string, shown: string, seconds: unknown][] = [
  ['zero', '0', 0],
  ['negative', '-5', -5],
  ['string', '"60"', '60'],
  ['past-1-year', '1 year + 1 s', 365 * 24 * 3600 + 1],
];

/** Instance names of n characters: a DNS subdomain has at most 253. */
const NAME_LENGTHS = [63, 64, 253, 254];

const instanceCase = (
  [id, input, expect, field, spec, dag = GOOD]: Row,
  name?: string,
): BadInput => ({
  id,
  group: 'DagInstance',
  input,
  expect,
  field,
  dag,
  instance: name === undefined ? { spec } : { name, spec },
});

export function instanceCases(): BadInput[] {
  return [
    ...REFS.map((row) => instanceCase(row)),
    ...VARS.map(([id, input, expect, field, vars]) =>
      instanceCase([id, input, expect, field, { vars }, WITH_VAR]),
    ),
    ...DEADLINES.map(([id, shown, seconds]) =>
      instanceCase([
        `deadline-${id}`,
        `activeDeadlineSeconds ${shown}`,
        'refused',
        'spec.activeDeadlineSeconds',
        { activeDeadlineSeconds: seconds },
      ]),
    ),
    ...NAME_LENGTHS.map((n) => {
      const [expect, field]: [Expect, string] =
        n > 253 ? ['refused', 'metadata.name'] : ['succeeded', ''];
      const input = `instance name of ${n} characters`;
      return instanceCase([`instance-name-${n}`, input, expect, field, {}], dnsName(n));
    }),
  ];
}
