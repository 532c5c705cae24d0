/**
 * Walking params: every string of a value with its field path, and the
 * templates and references found in them.
 */
import { appendPath } from '../api/field-path.ts';
import { parseTemplate } from './template-parse.ts';
import type { ParsedTemplate, Reference } from './template-syntax.ts';

export interface ReferenceAt {
  /** Field path of the string, e.g. `params.target` or `spec.tasks[2].params.list[0]`. */
  path: string;
  ref: Reference;
}

export interface TemplateError {
  path: string;
  /** The offending template as written (an unclosed one is cut short). */
  text: string;
  message: string;
}

/** Every well-formed reference in `params`, with the path of its string, in walk order. */
export function templateReferences(params: unknown, prefix = 'params'): ReferenceAt[] {
  return scanTemplates(params, prefix).references;
}

/** Whether any string of `params` holds `{{` (rendering may change or refuse it). */
export function hasTemplates(params: unknown): boolean {
  if (typeof params === 'string') return params.includes('{{');
  if (Array.isArray(params)) return params.some(hasTemplates);
  if (isRecord(params)) return Object.values(params).some(hasTemplates);
  return false;
}

/** References and syntax errors of every string in `params`, each with its field path. */
export function scanTemplates(
  params: unknown,
  prefix = 'params',
): { references: ReferenceAt[]; errors: TemplateError[] } {
  const references: ReferenceAt[] = [];
  const errors: TemplateError[] = [];
  forEachTemplate(params, prefix, (path, parsed) => {
    if (!parsed.ok) {
      errors.push({ path, text: parsed.text, message: parsed.message });
      return;
    }
    for (const ref of parsed.parts) if (typeof ref !== 'string') references.push({ path, ref });
  });
  return { references, errors };
}

/** Calls `visit` with the field path and the parse of each string of `params` that holds `{{`. */
export function forEachTemplate(
  params: unknown,
  prefix: string,
  visit: (path: string, parsed: ParsedTemplate) => void,
): void {
  forEachString(params, prefix, (s, path) => {
    if (s.includes('{{')) visit(path, parseTemplate(s));
  });
}

type Visit = (s: string, path: string) => unknown;

export function mapStrings(value: unknown, path: string, visit: Visit): unknown {
  if (typeof value === 'string') return visit(value, path);
  if (Array.isArray(value)) return value.map((v, i) => mapStrings(v, appendPath(path, i), visit));
  if (isRecord(value)) {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, mapStrings(v, appendPath(path, k), visit)]),
    );
  }
  return value;
}

function forEachString(value: unknown, path: string, visit: (s: string, path: string) => void) {
  if (typeof value === 'string') visit(value, path);
  else if (Array.isArray(value))
    value.forEach((v, i) => forEachString(v, appendPath(path, i), visit));
  else if (isRecord(value)) {
    for (const [k, v] of Object.entries(value)) forEachString(v, appendPath(path, k), visit);
  }
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
