// Kubernetes resource quantities as Go writes them back. Prow reads `cpu: 7` or `memory: 1024Mi` into a
// resource.Quantity (ParseQuantity) and writes Quantity.String(): the text as given when it is already in
// canonical form ("7", "1500m", "+2", "1e3"), otherwise the canonical text ("1024Mi" → "1Gi", "0.5" → "500m").

type Format = 'decimal' | 'binary' | 'exponent';

interface Parsed {
  negative: boolean;
  num: string;
  denom: string;
  base: 10 | 2;
  exponent: number;
  format: Format;
}

const DECIMAL_SUFFIX: Record<string, number> = { n: -9, u: -6, m: -3, '': 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };
const BINARY_SUFFIX: Record<string, number> = { Ki: 10, Mi: 20, Gi: 30, Ti: 40, Pi: 50, Ei: 60 };
const DECIMAL_BY_EXPONENT = new Map(Object.entries(DECIMAL_SUFFIX).map(([s, e]) => [e, s]));
const BINARY_BY_EXPONENT = new Map(Object.entries(BINARY_SUFFIX).map(([s, e]) => [e, s]));
const QUANTITY = /^([+-]?)0*([0-9]*)(?:\.([0-9]*))?([eEinumkKMGTP]*(?:[+-]?[0-9]+)?)$/;
const INT64_MAX = (1n << 63n) - 1n;

const memo = new Map<string | number, string | undefined>();

/** Quantity.String() of what resource.ParseQuantity makes of the value, or undefined when it is not a quantity. */
export function canonicalQuantity(value: string | number): string | undefined {
  // A config repeats a handful of values ("100m", "1Gi") thousands of times.
  if (memo.has(value)) return memo.get(value);
  const text = typeof value === 'number' ? String(value) : value.trim();
  const canonical = text === '0' ? '0' : quantityString(text);
  if (memo.size < 10_000) memo.set(value, canonical);
  return canonical;
}

function quantityString(text: string): string | undefined {
  const parsed = parse(text);
  if (!parsed) return undefined;
  return keptAsWritten(parsed) ? text : canonicalText(parsed);
}

/** Go's parseQuantityString and suffix interpretation. */
function parse(text: string): Parsed | undefined {
  const m = QUANTITY.exec(text);
  if (!m || text === '') return undefined;
  const [, sign, digits, denom = '', suffix] = m;
  const parsed = { negative: sign === '-', num: digits === '' ? '0' : digits, denom };
  if (suffix in DECIMAL_SUFFIX) return { ...parsed, base: 10, exponent: DECIMAL_SUFFIX[suffix], format: 'decimal' };
  if (suffix in BINARY_SUFFIX) return { ...parsed, base: 2, exponent: BINARY_SUFFIX[suffix], format: 'binary' };
  const exp = /^[eE]([+-]?[0-9]+)$/.exec(suffix);
  if (!exp) return undefined;
  return { ...parsed, base: 10, exponent: Number(exp[1]), format: 'exponent' };
}

/**
 * ParseQuantity keeps the text it was given when it fits an int64 at nano precision and is already canonical:
 * a decimal with a scale that is a multiple of 3, no trailing "000" and no leading zero, or a binary amount not
 * divisible by 8.
 */
function keptAsWritten(p: Parsed): boolean {
  let precision: number;
  let scale = 0;
  let mantissa = 1n;
  if (p.format === 'binary') {
    if (p.exponent < 0 || p.denom !== '') return false;
    mantissa = 1n << BigInt(p.exponent);
    precision = 15 - p.num.length - Math.trunc((p.exponent * 3) / 10) - 1;
  } else {
    scale = p.exponent;
    precision = 18 - (p.num.length + p.denom.length);
  }
  if (precision < 0) return false;
  scale -= p.denom.length;
  if (scale < -9) return false;
  const shifted = p.num + p.denom;
  const value = BigInt(shifted);
  if (value * mantissa > INT64_MAX) return false;
  if (p.format === 'binary') return (value & 7n) !== 0n;
  return scale % 3 === 0 && !shifted.endsWith('000') && shifted[0] !== '0';
}

/** Quantity.String() for a value not kept as written: the value rounded up to nano units, then canonical. */
function canonicalText(p: Parsed): string {
  // The magnitude as an integer times 10^scale.
  let amount = BigInt(p.num + p.denom);
  let scale = -p.denom.length;
  if (p.base === 10) scale += p.exponent;
  else amount *= 1n << BigInt(p.exponent);
  if (scale < -9) {
    const divisor = 10n ** BigInt(-9 - scale);
    amount = (amount + divisor - 1n) / divisor;
    scale = -9;
  }
  if (amount === 0n) return '0';
  const sign = p.negative ? '-' : '';
  if (p.format === 'binary') {
    // Shown in binary form only from 1024 up and when whole; otherwise as a decimal.
    const whole = wholeNumber(amount, scale);
    if (whole !== undefined && whole >= 1024n) return sign + base1024(whole);
  }
  return sign + decimalText(amount, scale, p.format === 'exponent');
}

function wholeNumber(amount: bigint, scale: number): bigint | undefined {
  if (scale >= 0) return amount * 10n ** BigInt(scale);
  const divisor = 10n ** BigInt(-scale);
  return amount % divisor === 0n ? amount / divisor : undefined;
}

/** The canonical decimal text: an exponent that is a multiple of 3, as an SI suffix or `eN`. */
function decimalText(amount: bigint, scale: number, exponentForm: boolean): string {
  while (amount % 10n === 0n) {
    amount /= 10n;
    scale++;
  }
  const adjust = ((scale % 3) + 3) % 3;
  amount *= 10n ** BigInt(adjust);
  scale -= adjust;
  if (exponentForm) return `${amount}${scale === 0 ? '' : `e${scale}`}`;
  return `${amount}${DECIMAL_BY_EXPONENT.get(scale) ?? ''}`;
}

function base1024(bytes: bigint): string {
  let exponent = 0;
  while (bytes % 1024n === 0n && exponent < 60) {
    bytes /= 1024n;
    exponent += 10;
  }
  return `${bytes}${BINARY_BY_EXPONENT.get(exponent) ?? ''}`;
}
