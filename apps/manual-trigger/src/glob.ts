/** Characters a `*` does not stand for: JavaScript's line terminators, as when grants were matched by RegExp `.*`. */
const LINE_TERMINATORS = new Set(['\n', '\r', '\u2028', '\u2029']);

/**
 * Whether `value` matches a grant pattern in which `*` stands for any run of characters but line breaks and every
 * other character for itself. One pass that returns to the last `*` on a mismatch, so at worst
 * length(value) × length(pattern) steps: the values are request fields, and a pattern such as `*-*-*-*` turned
 * into a RegExp backtracks polynomially in the number of stars.
 */
export function globMatches(pattern: string, value: string): boolean {
  let p = 0;
  let v = 0;
  let star = -1;
  let resume = 0;
  while (v < value.length) {
    if (pattern[p] === '*') {
      star = p++;
      resume = v;
    } else if (p < pattern.length && pattern[p] === value[v]) {
      p++;
      v++;
    } else if (star >= 0 && !LINE_TERMINATORS.has(value[resume])) {
      // The last star takes one more character and its rest is tried again from there; an earlier star could
      // only take characters the later one would have taken (and no star takes a line break).
      p = star + 1;
      v = ++resume;
    } else {
      return false;
    }
  }
  while (pattern[p] === '*') p++;
  return p === pattern.length;
}
