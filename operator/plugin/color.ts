/**
 * Colour only where a person reads it: on a terminal, unless NO_COLOR is set
 * (https://no-color.org) or TERM is `dumb`. FORCE_COLOR (any value but `0`)
 * turns it on without a terminal, e.g. for `less -R` or a test; NO_COLOR wins.
 */
export function colorEnabled(isTTY: boolean, env: NodeJS.ProcessEnv = process.env): boolean {
  if (env['NO_COLOR']) return false;
  const force = env['FORCE_COLOR'];
  if (force !== undefined && force !== '') return force !== '0' && force !== 'false';
  return isTTY && env['TERM'] !== 'dumb';
}

const CODES = {
  bold: [1, 22],
  dim: [2, 22],
  red: [31, 39],
  green: [32, 39],
  yellow: [33, 39],
  blue: [34, 39],
  magenta: [35, 39],
  cyan: [36, 39],
  gray: [90, 39],
} as const;
export type Style = keyof typeof CODES;

/** Wraps text in SGR codes when enabled, else returns it unchanged. */
export type Paint = (style: Style, text: string) => string;

export function makePaint(enabled: boolean): Paint {
  if (!enabled) return (_style, text) => text;
  return (style, text) => {
    const [on, off] = CODES[style];
    return text === '' ? text : `\x1b[${on}m${text}\x1b[${off}m`;
  };
}

/** The colour of a task or instance phase. */
export function phaseStyle(phase: string): Style {
  switch (phase) {
    case 'Succeeded':
      return 'green';
    case 'Failed':
      return 'red';
    case 'Running':
    case 'Scheduled':
      return 'cyan';
    case 'Retrying':
    case 'Blocked':
    case 'Paused':
      return 'yellow';
    case 'Canceled':
      return 'magenta';
    case 'Skipped':
      return 'gray';
    default:
      return 'dim';
  }
}

/** Removes SGR colour codes (for widths and tests). */
export function stripColor(text: string): string {
  return text.replace(/\x1b\[[0-9;]*m/g, '');
}
