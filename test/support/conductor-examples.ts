import { readFileSync } from 'node:fs';

/** examples/conductor's kitchen-sink and its child, as written. */
export function kitchenSinkFiles(): { path: string; text: string }[] {
  return ['kitchen-sink.json', 'kitchen-sink-child.json'].map((path) => ({
    path,
    text: readFileSync(new URL(`../../examples/conductor/${path}`, import.meta.url), 'utf8'),
  }));
}
