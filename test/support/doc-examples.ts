import { readFileSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';

/**
 * The Dag named `name` among the YAML examples of a page of docs/, as
 * written there: tests run the documented examples themselves, so a page
 * cannot drift from what works.
 */
export function docDag(page: string, name: string): Record<string, unknown> {
  return docObject(page, 'Dag', name).spec as Record<string, unknown>;
}

/** The object of `kind` named `name` among the YAML examples of a page of docs/, whole. */
export function docObject(
  page: string,
  kind: string,
  name: string,
): { kind: string; metadata: { name: string }; spec?: unknown } {
  const text = readFileSync(new URL(`../../docs/${page}`, import.meta.url), 'utf8');
  for (const [, block] of text.matchAll(/```yaml\n([\s\S]*?)```/g)) {
    for (const doc of parseAllDocuments(block ?? '')) {
      const obj = doc.toJS() as { kind?: string; metadata?: { name?: string }; spec?: unknown };
      if (obj?.kind === kind && obj.metadata?.name === name) {
        return obj as { kind: string; metadata: { name: string }; spec?: unknown };
      }
    }
  }
  throw new Error(`docs/${page} has no ${kind} named ${name}`);
}

/** The Dag of an example file (its first document), to compare with the page's. */
export function exampleDag(file: string): unknown {
  const text = readFileSync(new URL(`../../${file}`, import.meta.url), 'utf8');
  return (parseAllDocuments(text)[0]?.toJS() as { spec?: unknown } | undefined)?.spec;
}
