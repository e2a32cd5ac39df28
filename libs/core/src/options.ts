import { formatGoDuration, parseDuration } from './duration';

/** What each option type parses into. */
interface ValueOfType {
  string: string;
  int: number;
  bool: boolean;
  /** Milliseconds. */
  duration: number;
  list: readonly string[];
  url: string;
}

export type OptionType = keyof ValueOfType;

/**
 * One command-line flag, Prow style, that can also be set by an environment variable. Declare lists of specs
 * `as const` so that {@link OptionsOf} can derive the parsed type from them.
 */
export interface OptionSpec {
  /** Flag name without dashes, e.g. `config-path`; the parsed value is under its camelCase key. */
  readonly name: string;
  /** Environment variable that sets the same option, e.g. `CONFIG_PATH`. */
  readonly env: string;
  readonly type: OptionType;
  readonly default?: string | number | boolean | readonly string[];
  readonly help: string;
  readonly required?: boolean;
  readonly choices?: readonly string[];
  /** Never echo the value in errors or dumps. */
  readonly secret?: boolean;
  /** Inclusive bounds for `int` and `duration` (milliseconds). */
  readonly min?: number;
  readonly max?: number;
}

type CamelCase<S extends string> = S extends `${infer Head}-${infer Tail}` ? `${Head}${Capitalize<CamelCase<Tail>>}` : S;

/** A spec's parsed value: one of its choices when it has them, else the value of its type. */
type ValueOf<S extends OptionSpec> = S extends { choices: readonly (infer C)[] } ? C : ValueOfType[S['type']];

/** Specs that always have a value after parsing: required ones and ones with a default. */
type Always = { required: true } | { default: unknown };

/**
 * The parsed options of a list of specs declared `as const`: each flag under its camelCase name, optional unless
 * it is required or has a default. E.g. `{name: 'metrics-port', type: 'int', default: 9090}` → `metricsPort: number`.
 */
export type OptionsOf<Specs extends readonly OptionSpec[]> = Flatten<
  { readonly [S in Specs[number] as S extends Always ? CamelCase<S['name']> : never]: ValueOf<S> } & {
    readonly [S in Specs[number] as S extends Always ? never : CamelCase<S['name']>]?: ValueOf<S>;
  }
>;

type Flatten<T> = { [K in keyof T]: T[K] };

type OptionValue = ValueOfType[OptionType] | undefined;

/** Every problem found in the command line and environment, reported together. */
export class OptionsError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid options:\n  ${problems.join('\n  ')}`);
    this.name = 'OptionsError';
  }
}

export type ParsedOptions<T> = { help: true; text: string } | { help: false; values: T };

/**
 * Checks across options (e.g. one flag needs another). It sees only the options that parsed, so it must allow
 * for any of them being absent; it returns the problems it found.
 */
export type CrossCheck<T> = (values: Partial<T>) => string[];

/** A command's options: its name for `--help`, its flags, and the checks across them. */
export interface Command<Specs extends readonly OptionSpec[]> {
  name: string;
  specs: Specs;
  check?: CrossCheck<OptionsOf<Specs>>;
}

/**
 * Parses `--name=value`, `--name value`, `-name value` and boolean `--name`/`--name=false` flags; a flag beats
 * its environment variable, which beats the default. Throws {@link OptionsError} listing every problem, those of
 * the command's `check` included.
 */
export function parseOptions<const Specs extends readonly OptionSpec[]>(
  command: Command<Specs>,
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
): ParsedOptions<OptionsOf<Specs>> {
  const { specs, check } = command;
  assertDistinct(specs);
  const problems: string[] = [];
  const raw = scanArgv(specs, argv, problems);
  if (raw === 'help') return { help: true, text: helpText(command.name, specs) };
  const values: Record<string, OptionValue> = {};
  for (const spec of specs) {
    const fromFlag = raw.get(spec.name);
    const source = fromFlag !== undefined ? `--${spec.name}` : `${spec.env}`;
    const text = fromFlag ?? emptyToUndefined(env[spec.env]);
    if (text === undefined) {
      if (spec.required) problems.push(`--${spec.name} (or ${spec.env}) is required: ${spec.help}`);
      else values[camelCase(spec.name)] = spec.default;
      continue;
    }
    const converted = convert(spec, text);
    if (isProblem(converted)) {
      const shown = spec.secret ? '[redacted]' : JSON.stringify(text);
      problems.push(`${source}: ${converted.problem}, got ${shown}`);
    } else {
      values[camelCase(spec.name)] = converted;
    }
  }
  // Every key and value type of OptionsOf<Specs> comes from the same specs the loop above walked.
  const parsed = Object.freeze(values) as OptionsOf<Specs>;
  problems.push(...(check?.(parsed) ?? []));
  if (problems.length > 0) throw new OptionsError(problems);
  return { help: false, values: parsed };
}

/** Groups composed into one list must not declare a flag or variable twice. */
function assertDistinct(specs: readonly OptionSpec[]): void {
  const seen = new Set<string>();
  for (const key of specs.flatMap((s) => [`--${s.name}`, s.env])) {
    if (seen.has(key)) throw new Error(`option ${key} is declared twice`);
    seen.add(key);
  }
}

function isProblem(value: OptionValue | { problem: string }): value is { problem: string } {
  return typeof value === 'object' && !Array.isArray(value) && value !== null && 'problem' in value;
}

function scanArgv(specs: readonly OptionSpec[], argv: readonly string[], problems: string[]): Map<string, string> | 'help' {
  const byName = new Map(specs.map((s) => [s.name, s]));
  const raw = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--help' || arg === '-h' || arg === '-help') return 'help';
    const match = /^--?([a-z0-9][a-z0-9-]*)(?:=(.*))?$/s.exec(arg);
    if (!match) {
      problems.push(`unexpected argument ${JSON.stringify(arg)} (flags look like --name=value)`);
      continue;
    }
    const [, name, inline] = match;
    const spec = byName.get(name);
    if (!spec) {
      problems.push(`unknown flag --${name} (see --help)`);
      continue;
    }
    if (inline !== undefined) raw.set(name, inline);
    else if (spec.type === 'bool') raw.set(name, 'true');
    else if (i + 1 < argv.length) raw.set(name, argv[++i]);
    else problems.push(`--${name}: needs a value`);
  }
  return raw;
}

function convert(spec: OptionSpec, text: string): OptionValue | { problem: string } {
  switch (spec.type) {
    case 'bool':
      if (/^(true|1|yes)$/i.test(text)) return true;
      if (/^(false|0|no)$/i.test(text)) return false;
      return { problem: 'must be true or false' };
    case 'int':
      return bounded(spec, /^-?\d+$/.test(text) ? Number(text) : NaN, 'an integer');
    case 'duration':
      return bounded(spec, safeDuration(text), 'a duration like 500ms, 15s or 6h');
    case 'list':
      return text.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
    case 'url':
      return /^https?:\/\/[^\s/]+/.test(text) ? text.replace(/\/+$/, '') : { problem: 'must be an http(s) URL' };
    default:
      if (spec.choices && !spec.choices.includes(text)) return { problem: `must be one of ${spec.choices.join(', ')}` };
      return text;
  }
}

function bounded(spec: OptionSpec, value: number, what: string): number | { problem: string } {
  const min = spec.min ?? -Infinity;
  const max = spec.max ?? Infinity;
  if (!Number.isFinite(value) || value < min || value > max) {
    const range = Number.isFinite(min) || Number.isFinite(max) ? ` between ${rangeText(spec, min)} and ${rangeText(spec, max)}` : '';
    return { problem: `must be ${what}${range}` };
  }
  return value;
}

function rangeText(spec: OptionSpec, n: number): string {
  if (!Number.isFinite(n)) return n > 0 ? 'unbounded' : '-unbounded';
  return spec.type === 'duration' ? `${n}ms` : String(n);
}

function safeDuration(text: string): number {
  try {
    return parseDuration(text);
  } catch {
    return NaN;
  }
}

function emptyToUndefined(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}

/** `config-path` → `configPath`. */
function camelCase(name: string): string {
  return name.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

/** The `--help` text: every flag with its environment variable, type and default. */
function helpText(service: string, specs: readonly OptionSpec[]): string {
  const lines = [`Usage: ${service} [flags]`, '', 'Each flag can also be set by the environment variable shown.', ''];
  for (const spec of specs) {
    const def = spec.default === undefined || spec.secret ? '' : ` (default ${formatDefault(spec)})`;
    const choices = spec.choices ? ` [${spec.choices.join('|')}]` : '';
    lines.push(`  --${spec.name} ${spec.type}${choices}   env ${spec.env}${spec.required ? ', required' : ''}`);
    lines.push(`        ${spec.help}${def}`);
  }
  return lines.join('\n') + '\n';
}

function formatDefault(spec: OptionSpec): string {
  const value = spec.default;
  if (Array.isArray(value)) return value.length ? value.join(',') : 'none';
  if (spec.type === 'duration' && typeof value === 'number') return formatGoDuration(value * 1e6);
  return String(value);
}
