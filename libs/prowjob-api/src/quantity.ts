// Kubernetes resource quantities in canonical form. Prow reads `cpu: 7` or `memory: 1024Mi` into a
// resource.Quantity and writes it back canonical ("7", "1Gi", "4000m" → "4"), so a ProwJob carries that form.

const DECIMAL_SUFFIX: Record<string, number> = { n: -9, u: -6, m: -3, '': 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };
const BINARY_SUFFIX: Record<string, number> = { Ki: 10, Mi: 20, Gi: 30, Ti: 40, Pi: 50, Ei: 60 };
const QUANTITY = /^([+-]?(?:\d+\.?\d*|\.\d+))(?:(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E)|[eE]([+-]?\d+))?$/;
const NANO = 10n ** 9n;

type Format = 'decimal' | 'binary' | 'exponent';

const memo = new Map<string | number, string | undefined>();

/** The canonical text of a quantity, or undefined when the value is not one. */
export function canonicalQuantity(value: string | number): string | undefined {
  // A config repeats a handful of values ("100m", "1Gi") thousands of times.
  if (memo.has(value)) return memo.get(value);
  const canonical = computeCanonical(value);
  if (memo.size < 10_000) memo.set(value, canonical);
  return canonical;
}

function computeCanonical(value: string | number): string | undefined {
  const text = typeof value === 'number' ? String(value) : value.trim();
  const m = QUANTITY.exec(text);
  if (!m) return undefined;
  const [, number, suffix, exponent] = m;
  const negative = number.startsWith('-');
  const [whole, fraction = ''] = number.replace(/^[+-]/, '').split('.');
  // The value in nano-units, as Kubernetes keeps it (finer fractions round up).
  let scaled = BigInt(whole || '0') * NANO + BigInt((fraction + '000000000').slice(0, 9) || '0');
  if (/[1-9]/.test(fraction.slice(9))) scaled += 1n;
  let format: Format = 'decimal';
  if (suffix && suffix in BINARY_SUFFIX) {
    scaled *= 2n ** BigInt(BINARY_SUFFIX[suffix]);
    format = 'binary';
  } else {
    const exp = exponent !== undefined ? Number(exponent) : DECIMAL_SUFFIX[suffix ?? ''];
    if (exponent !== undefined) format = 'exponent';
    scaled = exp >= 0 ? scaled * 10n ** BigInt(exp) : ceilDiv(scaled, 10n ** BigInt(-exp));
  }
  if (scaled === 0n) return '0';
  const sign = negative ? '-' : '';
  if (format === 'binary' && scaled % NANO === 0n) return sign + binaryText(scaled / NANO);
  return sign + decimalText(scaled, format === 'exponent');
}

function ceilDiv(a: bigint, b: bigint): bigint {
  return (a + b - 1n) / b;
}

function binaryText(bytes: bigint): string {
  const suffixes = ['', 'Ki', 'Mi', 'Gi', 'Ti', 'Pi', 'Ei'];
  let i = 0;
  while (i < suffixes.length - 1 && bytes % 1024n === 0n && bytes >= 1024n) {
    bytes /= 1024n;
    i++;
  }
  return `${bytes}${suffixes[i]}`;
}

function decimalText(nanos: bigint, exponentForm: boolean): string {
  let exp = -9;
  while (exp < 18 && nanos % 1000n === 0n) {
    nanos /= 1000n;
    exp += 3;
  }
  if (exponentForm) return exp === 0 ? `${nanos}` : `${nanos}e${exp}`;
  const suffix = Object.entries(DECIMAL_SUFFIX).find(([, e]) => e === exp)?.[0] ?? '';
  return `${nanos}${suffix}`;
}
