/**
 * The one renderer of task params. It accepts both of fastflow's template
 * passes and reads the outputs of upstream tasks:
 *
 * | written                                   | value                                   |
 * |-------------------------------------------|-----------------------------------------|
 * | `{{name}}`, `{{ name }}`                   | the var (fastflow pass 1)               |
 * | `{{.vars.name.Value}}`                     | the var (fastflow pass 2, Go template)  |
 * | `{{(index .vars "a-b").Value}}`            | the var, any name (Go template)         |
 * | `{{.shareData.key}}`                       | the share-data value (Go template)      |
 * | `{{index .shareData "a-b"}}`               | the share-data value, any key           |
 * | `{{tasks.fetch.output}}`                   | the whole output of upstream task fetch |
 * | `{{tasks.fetch.output.items.0.name}}`      | a part of it: keys and list indexes     |
 * | `{{tasks.fetch.output["a.b"][0]}}`          | the same with keys that hold `.`        |
 * | `{{"{{"}}`, `` {{`{{x}}`}} ``              | literal text (Go's escape)              |
 *
 * Whitespace is allowed inside the braces. Go strings are `"…"` (Go escapes)
 * or `` `…` `` (raw). Nothing else of Go's template language is accepted
 * (pipes, functions, `$`, trim markers, comments): a template this renderer
 * does not understand is refused when the Dag is applied, never left as text.
 *
 * A string that is exactly one reference takes the referenced value with its
 * JSON type (an output's number, list or object); a reference inside longer
 * text is interpolated (lists and objects as JSON). Values are inserted once:
 * a value that itself contains `{{ }}` is not rendered again. Map keys are
 * never rendered.
 *
 * Differences from fastflow: an unknown `{{x}}` is refused at apply time (it
 * stayed as text); a var's value is not re-read as a Go template; `.vars.x.Value`
 * and `.shareData.k` also accept names with `-` (and vars with `.`), which Go
 * could only reach through `index`.
 */

export { renderParams, declaredList, joinCapped, outputsOf } from './template-render.ts';
export type { RenderResult, TemplateSources } from './template-render.ts';
export { parseTemplate } from './template-parse.ts';
export {
  forEachTemplate,
  hasTemplates,
  scanTemplates,
  templateReferences,
} from './template-scan.ts';
export type { ReferenceAt, TemplateError } from './template-scan.ts';
export type { ParsedTemplate, Reference } from './template-syntax.ts';
