/**
 * The Go template forms of fastflow's second template pass: `.vars.x.Value`,
 * `(index .vars "x").Value`, `.shareData.k`, `index .shareData "k"`, and
 * Go strings as literal text.
 */
import {
  cut,
  goString,
  SHARE_DATA_KEY,
  SUPPORTED,
  VAR_NAME,
  type Action,
} from './template-syntax.ts';

type Token = { kind: 'word'; value: string } | { kind: 'string'; value: string } | '(' | ')';

export function parseGo(body: string, text: string): Action {
  const tokens = tokenize(body);
  if (typeof tokens === 'string') return { ok: false, message: tokens };
  const [first, , third] = tokens;
  const words = tokens.map((t) => (typeof t === 'string' ? t : t.kind === 'word' ? t.value : '"'));
  const shape = words.join(' ');
  if (tokens.length === 1 && typeof first === 'object' && first.kind === 'string') {
    return { ok: true, value: first.value };
  }
  if (tokens.length === 1 && shape.startsWith('.')) return fieldChain(shape, text);
  if (shape === 'index .shareData "' && typeof third === 'object') {
    return { ok: true, value: { kind: 'shareData', key: third.value, text } };
  }
  const name = tokens[3];
  if (shape === '( index .vars " ) .Value' && typeof name === 'object') {
    return { ok: true, value: { kind: 'var', name: name.value, text } };
  }
  if (shape.startsWith('index .vars')) {
    const quoted = JSON.stringify(typeof third === 'object' ? third.value : 'name');
    return {
      ok: false,
      message: `a var is a struct in Go templates: write {{(index .vars ${quoted}).Value}}`,
    };
  }
  return { ok: false, message: `not a supported template; ${SUPPORTED}` };
}

function fieldChain(chain: string, text: string): Action {
  if (chain.startsWith('.vars.')) {
    const rest = chain.slice('.vars.'.length);
    if (rest.endsWith('.Value') && VAR_NAME.test(rest.slice(0, -'.Value'.length))) {
      return { ok: true, value: { kind: 'var', name: rest.slice(0, -'.Value'.length), text } };
    }
    if (VAR_NAME.test(rest)) {
      return {
        ok: false,
        message: `a var is a struct in Go templates: write {{.vars.${rest}.Value}}`,
      };
    }
  }
  if (chain.startsWith('.shareData.')) {
    const key = chain.slice('.shareData.'.length);
    if (SHARE_DATA_KEY.test(key)) return { ok: true, value: { kind: 'shareData', key, text } };
    return {
      ok: false,
      message: `write {{index .shareData ${JSON.stringify(key)}}} for a key with "." or other characters`,
    };
  }
  return { ok: false, message: `not a supported template; ${SUPPORTED}` };
}

function tokenize(body: string): Token[] | string {
  const tokens: Token[] = [];
  let i = 0;
  while (i < body.length) {
    const c = body[i] as string;
    if (/\s/.test(c)) i++;
    else if (c === '(' || c === ')') {
      tokens.push(c);
      i++;
    } else if (c === '"' || c === '`') {
      const str = goString(body, i);
      if (!str) return `bad string ${cut(body.slice(i), 40)}`;
      tokens.push({ kind: 'string', value: str.value });
      i = str.end;
    } else {
      const word = /^[^\s()"`]+/.exec(body.slice(i))?.[0] as string;
      tokens.push({ kind: 'word', value: word });
      i += word.length;
    }
  }
  return tokens;
}
