/**
 * A structural check of PEM text given inline in config (no crypto, no I/O: lib/model stays pure). It catches
 * what people actually get wrong when pasting a certificate into YAML: a missing BEGIN/END line, mismatched
 * labels, a body that is not base64 (a folded line, a stray character), a key where a certificate belongs.
 * Returns what is wrong (with the line inside the PEM text), or undefined when the text looks like PEM of
 * one of the `expected` labels.
 */
export function pemProblem(text: string, expected: readonly string[]): string | undefined {
  const lines = text.split(/\r?\n/);
  let open: { label: string; line: number; body: string } | undefined;
  let blocks = 0;
  for (const [index, raw] of lines.entries()) {
    const line = raw.trim();
    const lineNo = index + 1;
    const begin = /^-----BEGIN ([A-Z0-9 ]+)-----$/.exec(line);
    const end = /^-----END ([A-Z0-9 ]+)-----$/.exec(line);
    if (begin) {
      if (open) return `line ${lineNo} of the PEM text: BEGIN ${begin[1]} inside the unfinished ${open.label} block`;
      const label = begin[1] as string;
      if (!expected.includes(label)) {
        return `line ${lineNo} of the PEM text: found a "${label}" block, expected ${expected.map((l) => `"${l}"`).join(' or ')}`;
      }
      open = { label, line: lineNo, body: '' };
    } else if (end) {
      if (!open) return `line ${lineNo} of the PEM text: END ${end[1]} without a BEGIN line`;
      if (end[1] !== open.label) return `line ${lineNo} of the PEM text: END ${end[1]} closes a ${open.label} block`;
      if (open.body.length === 0 || open.body.length % 4 !== 0 || !/^[A-Za-z0-9+/]+={0,2}$/.test(open.body)) {
        return `the ${open.label} block starting at line ${open.line} of the PEM text is not valid base64`;
      }
      blocks++;
      open = undefined;
    } else if (open && line !== '') {
      if (!/^[A-Za-z0-9+/=]+$/.test(line)) {
        return `line ${lineNo} of the PEM text: not base64 inside the ${open.label} block`;
      }
      open.body += line;
    }
  }
  if (open) return `the ${open.label} block starting at line ${open.line} of the PEM text has no END line`;
  if (blocks === 0) return `no "-----BEGIN ${expected[0]}-----" block found`;
  return undefined;
}
