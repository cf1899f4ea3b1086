/**
 * `*` globs written by users (forbidden config names, DataPolicy topic and field patterns), matched without
 * regular expressions: `^a.*a.*a.*…$` backtracks in time polynomial in the text with one power per `*`.
 * This walks text and glob once, going back only to the last `*` seen: at most text x glob steps.
 *
 * @example
 * globMatches('payments.*', 'payments.orders'); // true
 * globMatches('*_SSN', 'customer_ssn', { ignoreCase: true }); // true
 */
export function globMatches(glob: string, text: string, options: { ignoreCase?: boolean } = {}): boolean {
  const pattern = options.ignoreCase ? glob.toLowerCase() : glob;
  const subject = options.ignoreCase ? text.toLowerCase() : text;
  let p = 0;
  let t = 0;
  let star = -1;
  let resume = 0;
  while (t < subject.length) {
    if (p < pattern.length && pattern[p] === '*') {
      star = p++;
      resume = t;
    } else if (p < pattern.length && pattern[p] === subject[t]) {
      p++;
      t++;
    } else if (star >= 0) {
      // The last `*` swallows one more character; everything before it stays matched.
      p = star + 1;
      t = ++resume;
    } else {
      return false;
    }
  }
  while (p < pattern.length && pattern[p] === '*') p++;
  return p === pattern.length;
}
