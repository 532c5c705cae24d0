/** Short messages for errors, API errors included (client-node's carry headers and a raw body). */
export function errorText(e: unknown): string {
  if (!(e instanceof Error)) return typeof e === 'string' ? e : JSON.stringify(e);
  const api = e as Error & { code?: unknown; body?: unknown };
  if (typeof api.code === 'number' && api.body !== undefined) {
    let message: string | undefined;
    try {
      const body: unknown = typeof api.body === 'string' ? JSON.parse(api.body) : api.body;
      const m = (body as { message?: unknown } | null)?.message;
      if (typeof m === 'string') message = m;
    } catch {
      // not JSON
    }
    return `HTTP ${api.code}: ${message ?? (typeof api.body === 'string' ? api.body : JSON.stringify(api.body)).slice(0, 500)}`;
  }
  return e.message;
}

/** Progress and problems of a command (`bench`, `faults`) on stderr, apart from its figures. */
export function commandLog(command: string): (msg: string) => void {
  return (msg) => {
    process.stderr.write(`${command}: ${msg}\n`);
  };
}

/** The options `parse` makes of the command line; bad flags print usage and exit 2, --help exits 0. */
export function optionsOrExit<T>(parse: (argv: string[]) => T | 'help', usage: () => string): T {
  let opts: T | 'help';
  try {
    opts = parse(process.argv.slice(2));
  } catch (e) {
    console.log(`${errorText(e)}\n${usage()}`);
    process.exit(2);
  }
  if (opts === 'help') {
    console.log(usage());
    process.exit(0);
  }
  return opts;
}
