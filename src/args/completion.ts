import type { ProgramSpec } from './spec.js';

/**
 * A bash completion script for `spec` (and its subcommands), made from its option table: it only
 * ever calls compgen (and bash-completion's command-offset completion after timer's `--`), so
 * pressing Tab never runs the program, a stage's work or a wrapped command.
 * Use: `source <(mul completion)`.
 */
export function bashCompletion(spec: ProgramSpec): string {
  const id = functionName(spec.name);
  const subcommands = spec.subcommands ?? [];
  const dispatch = subcommands
    .map((sub) => {
      const word = sub.name.split(' ').pop()!;
      const call = `${functionName(sub.name)} 2; return 0`;
      return `  if [[ \${COMP_WORDS[1]} == ${word} ]] && ((COMP_CWORD > 1)); then ${call}; fi\n`;
    })
    .join('');
  const firstWords = subcommands.map((sub) => sub.name.split(' ').pop()!).join(' ');
  return (
    `# bash completion for ${spec.name}: source <(${spec.name} completion)\n` +
    [spec, ...subcommands].map((program) => optionsFunction(program, program === spec ? firstWords : '')).join('') +
    `${id}() {\n` +
    '  COMPREPLY=()\n' +
    dispatch +
    `  ${functionName(spec.name)}_options 1\n` +
    '}\n' +
    `complete -o default -F ${id} ${spec.name}\n`
  );
}

/** The words completion offers for an option's value that is neither a file nor a choice: its default, if any. */
function defaultWord(value: unknown): string {
  return value === undefined ? '' : `$(compgen -W '${value}' -- "$cur")`;
}

function functionName(name: string): string {
  return `_pipestage_${name.replace(/[^A-Za-z0-9]/g, '_')}`;
}

/** The function completing one program's words from index $1 on. */
function optionsFunction(spec: ProgramSpec, firstWords: string): string {
  const fn =
    spec.subcommands === undefined && spec.name.includes(' ')
      ? functionName(spec.name)
      : `${functionName(spec.name)}_options`;
  const entries = Object.entries(spec.options);
  const firstWordsReply = `$(((COMP_CWORD == 1)) && compgen -W '${firstWords}' -- "$cur")`;
  const words = [
    ...entries.flatMap(([name, def]) => [`--${name}`, ...(def.alias ? [`-${def.alias}`] : [])]),
    '--help',
    '-h',
    '--version',
  ];
  const takesValue = entries
    .filter(([, def]) => def.type !== 'boolean')
    .flatMap(([name, def]) => [`--${name}`, ...(def.alias ? [`-${def.alias}`] : [])]);
  const valueCases = entries
    .filter(([, def]) => def.type !== 'boolean')
    .map(([name, def]) => {
      const flags = [`--${name}`, ...(def.alias ? [`-${def.alias}`] : [])].join('|');
      // A value that is not a file name (a number, a duration, a label): its default or nothing, never
      // the file names `complete -o default` falls back to when the reply is empty.
      const reply = def.choices
        ? `COMPREPLY=($(compgen -W '${def.choices.join(' ')}' -- "$cur"))`
        : def.file
          ? 'COMPREPLY=($(compgen -f -- "$cur"))'
          : `compopt +o default 2>/dev/null; COMPREPLY=(${defaultWord(def.default)})`;
      return `    ${flags}) ${reply}; return 0 ;;\n`;
    })
    .join('');
  const command = spec.operands?.haltAtFirst
    ? // Everything from the first operand (or after `--`) is a command line of its own.
      '  local i=$first word command=0\n' +
      '  while ((i < COMP_CWORD)); do\n' +
      '    word=${COMP_WORDS[i]}\n' +
      '    case $word in\n' +
      '      --) i=$((i + 1)); command=1; break ;;\n' +
      (takesValue.length ? `      ${takesValue.join('|')}) i=$((i + 2)); continue ;;\n` : '') +
      '      -*) ;;\n' +
      '      *) command=1; break ;;\n' +
      '    esac\n' +
      '    i=$((i + 1))\n' +
      '  done\n' +
      '  if ((command)) || [[ $cur != -* ]]; then\n' +
      '    if ((i < COMP_CWORD)); then\n' +
      '      if declare -F _comp_command_offset >/dev/null; then _comp_command_offset "$i"; return 0; fi\n' +
      '      if declare -F _command_offset >/dev/null; then _command_offset "$i"; return 0; fi\n' +
      '      COMPREPLY=($(compgen -f -- "$cur"))\n' +
      '    else\n' +
      `      COMPREPLY=($(compgen -c -- "$cur")${firstWords ? ` ${firstWordsReply}` : ''})\n` +
      '    fi\n' +
      '    return 0\n' +
      '  fi\n'
    : '';
  return (
    `${fn}() {\n` +
    '  local first=$1 cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]}\n' +
    // `--repeat=5`: bash splits at '=' (COMP_WORDBREAKS).
    '  if [[ $cur == = ]]; then cur=; elif [[ $prev == = ]]; then prev=${COMP_WORDS[COMP_CWORD-2]}; fi\n' +
    '  if ((COMP_CWORD > first)); then\n' +
    '    case $prev in\n' +
    valueCases +
    '    esac\n' +
    '  fi\n' +
    command +
    `  if [[ $cur == -* ]]; then COMPREPLY=($(compgen -W '${words.join(' ')}' -- "$cur")); fi\n` +
    '  return 0\n' +
    '}\n'
  );
}
