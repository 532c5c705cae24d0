/** A field path of a linted document, as segments: `['spec', 'tasks', 1, 'id']`. */
export type Segment = string | number;
/** A problem before it is placed in the file: its path from the document's root. */
export type Found = { path: Segment[]; message: string };
