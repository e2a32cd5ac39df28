import { RE2JS } from 're2js';

/** A compiled Go (RE2) pattern. `test` is Go's `MatchString`: unanchored unless the pattern anchors itself. */
export interface GoRegexp {
  readonly source: string;
  test(input: string): boolean;
}

/** A pattern Go's `regexp.Compile` refuses; the message is Go's (`error parsing regexp: …`). */
export class GoRegexpSyntaxError extends Error {
  readonly code = 'GO_REGEXP_SYNTAX';
  constructor(message: string) {
    super(message);
    this.name = 'GoRegexpSyntaxError';
  }
}

/**
 * Compiles a pattern as Go's `regexp.Compile` does: RE2 syntax (inline flags such as `(?m)`, `\A`, `\z`, POSIX and
 * Unicode classes; no backreferences or lookarounds), matched in time linear in the input, so no pattern of the
 * config and no branch name can block the event loop. Throws {@link GoRegexpSyntaxError} for what RE2 refuses.
 */
export function compileGoRegex(pattern: string): GoRegexp {
  let compiled = compiledPatterns.get(pattern);
  if (!compiled) {
    compiled = compile(pattern);
    if (compiledPatterns.size < 10_000) compiledPatterns.set(pattern, compiled);
  }
  return compiled;
}

// Configs repeat a few patterns (`main`, `release-\d+\.\d+`) thousands of times; a compiled pattern holds no
// match state, so one can be shared.
const compiledPatterns = new Map<string, GoRegexp>();

function compile(pattern: string): GoRegexp {
  let re: RE2JS;
  try {
    re = RE2JS.compile(pattern);
  } catch (err) {
    // Go accepts two groups of the same name (RE2JS does not); names play no part in matching.
    const unnamed = /duplicate capture group name/.test((err as Error).message) ? withoutGroupNames(pattern) : undefined;
    if (unnamed === undefined) throw new GoRegexpSyntaxError((err as Error).message);
    re = RE2JS.compile(unnamed);
  }
  return { source: pattern, test: (input) => re.test(input) };
}

/** The pattern with `(?P<name>` and `(?<name>` made plain groups; escapes, `\Q…\E` and classes are left alone. */
function withoutGroupNames(pattern: string): string {
  let out = '';
  let i = 0;
  while (i < pattern.length) {
    const rest = pattern.slice(i);
    const skip = /^(\\Q[\s\S]*?(\\E|$)|\\[\s\S]|\[\^?\]?(\[:[^\]]*:\]|\\[\s\S]|[^\]])*\]?)/.exec(rest);
    const named = skip ? undefined : /^\(\?P?<[A-Za-z0-9_]+>/.exec(rest);
    const taken = skip?.[0] ?? named?.[0] ?? pattern[i];
    out += named ? '(' : taken;
    i += taken.length;
  }
  return out;
}
