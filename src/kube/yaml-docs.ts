// Kubernetes objects ⇄ multi-document YAML.
import { parseAllDocuments, stringify } from 'yaml';
import { invalid } from '../errdefs.js';

/** Objects as one YAML stream, `---` between documents. */
export function toYaml(objects: readonly object[]): string {
  return objects.map((o) => stringify(o, { lineWidth: 0, aliasDuplicateObjects: false })).join('---\n');
}

/** The non-empty documents of a YAML stream; a syntax error names the document. */
export function parseYamlDocs(text: string, file: string): unknown[] {
  const out: unknown[] = [];
  parseAllDocuments(text).forEach((d, i) => {
    if ('errors' in d && d.errors.length)
      throw invalid(`${file}: document ${i + 1}: ${d.errors[0].message.split('\n')[0]}`);
    const v = d.toJS() as unknown;
    if (v !== null && v !== undefined) out.push(v);
  });
  return out;
}
