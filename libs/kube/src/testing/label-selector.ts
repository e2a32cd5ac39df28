/**
 * Kubernetes label selectors as the API server parses them (apimachinery `labels.Parse`): `k=v`, `k==v`, `k!=v`,
 * `k`, `!k`, `k in (a,b)`, `k notin (a,b)`, `k>n`, `k<n`, joined by commas. A selector that does not parse is a
 * 400 on the real server; {@link parseLabelSelector} throws {@link LabelSelectorError} with a message in its words.
 */
export type Requirement =
  | { key: string; op: 'exists' | '!exists' }
  | { key: string; op: 'in' | 'notin'; values: string[] }
  | { key: string; op: 'gt' | 'lt'; value: number };

export class LabelSelectorError extends Error {}

const NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
const PREFIX = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

export function parseLabelSelector(text: string | null | undefined): Requirement[] {
  if (!text || text.trim() === '') return [];
  return splitTerms(text).map(parseTerm);
}

/** True when the labels satisfy every requirement (an empty selector matches everything). */
export function matchesRequirements(labels: Record<string, string> | undefined, requirements: Requirement[]): boolean {
  const has = (k: string): boolean => labels !== undefined && Object.prototype.hasOwnProperty.call(labels, k);
  return requirements.every((r) => {
    switch (r.op) {
      case 'exists':
        return has(r.key);
      case '!exists':
        return !has(r.key);
      case 'in':
        return has(r.key) && r.values.includes(labels![r.key]);
      case 'notin':
        return !has(r.key) || !r.values.includes(labels![r.key]);
      default: {
        if (!has(r.key) || !/^-?\d+$/.test(labels![r.key])) return false;
        const n = Number(labels![r.key]);
        return r.op === 'gt' ? n > r.value : n < r.value;
      }
    }
  });
}

/** Commas separate requirements except inside a parenthesized value set. */
function splitTerms(text: string): string[] {
  const terms: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '(') depth++;
    else if (text[i] === ')') depth--;
    else if (text[i] === ',' && depth === 0) {
      terms.push(text.slice(start, i));
      start = i + 1;
    }
  }
  terms.push(text.slice(start));
  return terms.map((t) => t.trim());
}

function parseTerm(term: string): Requirement {
  if (term === '') throw new LabelSelectorError('unable to parse requirement: found \'\', expected: identifier');
  if (term.startsWith('!')) return { key: checkKey(term.slice(1).trim()), op: '!exists' };
  const set = /^(\S+)\s+(in|notin)\s*\((.*)\)$/.exec(term);
  if (set) {
    const values = set[3].split(',').map((v) => checkValue(set[1], v.trim()));
    return { key: checkKey(set[1]), op: set[2] as 'in' | 'notin', values };
  }
  const cmp = /^([^=!<>\s]+)\s*(==|!=|=|<|>)\s*(.*)$/.exec(term);
  if (!cmp) return { key: checkKey(term), op: 'exists' };
  const [, key, op, raw] = cmp;
  checkKey(key);
  if (op === '<' || op === '>') {
    if (!/^-?\d+$/.test(raw)) throw new LabelSelectorError(`unable to parse requirement: for 'Gt', 'Lt' operators, the value must be an integer`);
    return { key, op: op === '>' ? 'gt' : 'lt', value: Number(raw) };
  }
  const value = checkValue(key, raw);
  return { key, op: op === '!=' ? 'notin' : 'in', values: [value] };
}

/** A qualified name: optional DNS-subdomain prefix and '/', then a name of at most 63 characters. */
function checkKey(key: string): string {
  const slash = key.indexOf('/');
  const [prefix, name] = slash >= 0 ? [key.slice(0, slash), key.slice(slash + 1)] : [undefined, key];
  const prefixOk = prefix === undefined || (prefix.length > 0 && prefix.length <= 253 && PREFIX.test(prefix));
  if (!prefixOk || !NAME.test(name)) {
    throw new LabelSelectorError(`unable to parse requirement: key: Invalid value: "${key}": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character`);
  }
  return key;
}

function checkValue(key: string, value: string): string {
  if (value.length > 63 || !VALUE.test(value)) {
    throw new LabelSelectorError(`unable to parse requirement: values[0][${key}]: Invalid value: "${value}": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character`);
  }
  return value;
}
