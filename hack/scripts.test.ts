import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

// The scripts users run (the README's commands, the kind flow) must pass
// shellcheck; hack/lib/env.sh installs it on a fresh machine.
const hack = import.meta.dirname;
const scripts = [
  ...readdirSync(hack).filter((f) => f.endsWith('.sh')),
  ...readdirSync(join(hack, 'lib'))
    .filter((f) => f.endsWith('.sh'))
    .map((f) => join('lib', f)),
];

describe('hack/ scripts', () => {
  it.each(scripts)('%s passes shellcheck', (script) => {
    const run = (): string =>
      execFileSync('shellcheck', ['-x', script], { cwd: hack, encoding: 'utf8' });
    expect(run).not.toThrow();
  });
});
