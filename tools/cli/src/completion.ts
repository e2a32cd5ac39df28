import type { Command, Option } from 'commander';

interface Level {
  path: string;
  subcommands: string[];
  options: string[];
  /** Options that take a value, with their fixed choices when they have some. */
  values: Array<{ flags: string[]; choices: string[] }>;
}

function levels(cmd: Command, path: string, inherited: readonly Option[]): Level[] {
  const options = [...inherited, ...cmd.options];
  const flags = (o: Option): string[] => [o.short, o.long].filter((f): f is string => Boolean(f));
  const here: Level = {
    path,
    subcommands: cmd.commands.map((c) => c.name()),
    options: [...options.flatMap(flags), '--help'],
    values: options.filter((o) => o.required || o.optional).map((o) => ({ flags: flags(o), choices: o.argChoices ?? [] })),
  };
  return [here, ...cmd.commands.flatMap((c) => levels(c, path ? `${path} ${c.name()}` : c.name(), options))];
}

/**
 * A bash completion function generated from the command tree: subcommands, then flags, then the choices of a flag
 * that has them. zsh loads the same function through bashcompinit.
 */
export function bashCompletion(program: Command): string {
  const all = levels(program, '', []);
  const subs = all.map((l) => `    '${l.path}') echo '${l.subcommands.join(' ')}' ;;`).join('\n');
  const opts = all.map((l) => `    '${l.path}') echo '${l.options.join(' ')}' ;;`).join('\n');
  const valueCases = all
    .flatMap((l) => l.values.map((v) => `    ${v.flags.map((f) => `'${l.path}:${f}'`).join('|')}) echo '${v.choices.join(' ')}'; return 0 ;;`))
    .join('\n');
  return `# ci-stack completion for bash: source <(ci-stack completion bash)
_ci_stack_subcommands() {
  case "$1" in
${subs}
  esac
}
_ci_stack_options() {
  case "$1" in
${opts}
  esac
}
# "PATH:OPTION": the choices of an option that takes a value (nothing: complete a file name); fails for a flag.
_ci_stack_value() {
  case "$1" in
${valueCases}
  esac
  return 1
}
_ci_stack() {
  local cur prev path word i choices
  cur="\${COMP_WORDS[COMP_CWORD]}"
  prev=""
  [ "$COMP_CWORD" -gt 0 ] && prev="\${COMP_WORDS[COMP_CWORD-1]}"
  path=""
  for ((i = 1; i < COMP_CWORD; i++)); do
    word="\${COMP_WORDS[i]}"
    case " $(_ci_stack_subcommands "$path") " in
      *" $word "*) path="\${path:+$path }$word" ;;
    esac
  done
  if choices="$(_ci_stack_value "$path:$prev")"; then
    if [ -n "$choices" ]; then COMPREPLY=($(compgen -W "$choices" -- "$cur")); else COMPREPLY=($(compgen -f -- "$cur")); fi
    return 0
  fi
  if [[ "$cur" == -* ]]; then
    COMPREPLY=($(compgen -W "$(_ci_stack_options "$path")" -- "$cur"))
  else
    COMPREPLY=($(compgen -W "$(_ci_stack_subcommands "$path")" -- "$cur"))
  fi
}
complete -F _ci_stack ci-stack
`;
}

/** The zsh form: zsh's bash completion layer runs the bash function. */
export function zshCompletion(program: Command): string {
  return `#compdef ci-stack
# ci-stack completion for zsh: source <(ci-stack completion zsh)
autoload -U +X compinit && compinit
autoload -U +X bashcompinit && bashcompinit
${bashCompletion(program).replace(/^# ci-stack completion for bash.*\n/, '')}`;
}
