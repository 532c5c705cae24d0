import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runPluginCaptured } from '../../test/support/plugin-io.ts';

// docs/simulate.md runs as written: its Dag, its commands, their output (times aside).
const page = readFileSync(new URL('../../docs/simulate.md', import.meta.url), 'utf8');
const dir = mkdtempSync(join(tmpdir(), 'simulate-doc-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const blocks = (lang: string): string[] =>
  [...page.matchAll(new RegExp(`\`\`\`${lang}\\n([\\s\\S]*?)\`\`\``, 'g'))].map((m) => m[1] ?? '');
const timeless = (text: string): string => text.replace(/\d{4}-\d\d-\d\dT[\d:.]+Z/g, '<time>');

describe('docs/simulate.md', () => {
  it('prints what the page shows for each command on it', async () => {
    writeFileSync(join(dir, 'release.yaml'), blocks('yaml')[0] ?? '');
    const commands = blocks('console').flatMap((block) =>
      block.split(/^\$ kubectl fastflow /m).slice(1),
    );
    expect(commands.length).toBe(2);
    for (const command of commands) {
      const [line = '', ...shown] = command.split('\n');
      const args = line.split(' ').map((a) => (a === 'release.yaml' ? join(dir, a) : a));
      const r = await runPluginCaptured(args, { now: new Date('2026-12-07T18:00:00Z') });
      const stdout = r.stdout + r.stderr;
      expect(timeless(stdout), line).toBe(timeless(shown.join('\n')));
    }
  });
});
