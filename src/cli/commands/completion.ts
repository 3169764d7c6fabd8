// `completion bash|zsh`: a shell script completing commands, subcommands, flags and (from the
// daemon, at completion time) container, image, volume and network names. zsh runs the bash
// script through bashcompinit.
import type { Command } from '../command.js';
import { StatusError } from '../command.js';

export interface CommandTables {
  topLevel: Record<string, Command>;
  groups: Record<string, Record<string, Command>>;
}

const flagWords = (c: Command) =>
  (c.flags ?? []).flatMap((f) => [`--${f.name}`, ...(f.short ? [`-${f.short}`] : [])]).join(' ');

/** Which names a command's arguments are: what `berth ... --format` lists for completion. */
function argKind(path: string): string {
  if (/^(volume )/.test(path)) return 'volumes';
  if (/^(network )/.test(path)) return 'networks';
  if (/^(images|rmi|tag|history|push|save|pull|image |run|create)/.test(path)) return 'images';
  return 'containers';
}

export function bashScript(prog: string, t: CommandTables): string {
  const cases: string[] = [];
  for (const [name, c] of Object.entries(t.topLevel))
    cases.push(`    "${name}") flags="${flagWords(c)}"; kind=${argKind(name)} ;;`);
  for (const [g, subs] of Object.entries(t.groups))
    for (const [name, c] of Object.entries(subs))
      cases.push(`    "${g} ${name}") flags="${flagWords(c)}"; kind=${argKind(`${g} ${name}`)} ;;`);
  const groups = Object.entries(t.groups)
    .map(([g, subs]) => `    ${g}) subs="${Object.keys(subs).join(' ')}" ;;`)
    .join('\n');
  const fn = `_${prog.replace(/\W/g, '_')}`;
  return `# bash completion for ${prog}
${fn}_names() {
  case "$1" in
    containers) ${prog} ps -a --format '{{.Names}}' 2>/dev/null ;;
    images) ${prog} images --format '{{.Repository}}:{{.Tag}}' 2>/dev/null | grep -v '<none>' ;;
    volumes) ${prog} volume ls -q 2>/dev/null ;;
    networks) ${prog} network ls --format '{{.Name}}' 2>/dev/null ;;
  esac
}
${fn}() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" cmd="" sub="" subs="" flags="" kind="" i w
  for ((i = 1; i < COMP_CWORD; i++)); do
    w="\${COMP_WORDS[i]}"
    [[ "$w" == -* ]] && continue
    if [ -z "$cmd" ]; then cmd="$w"; elif [ -z "$sub" ]; then sub="$w"; fi
  done
  if [ -z "$cmd" ]; then
    COMPREPLY=($(compgen -W "${[...Object.keys(t.topLevel), ...Object.keys(t.groups), 'compose', 'completion'].sort().join(' ')}" -- "$cur"))
    return
  fi
  case "$cmd" in
${groups}
  esac
  if [ -n "$subs" ] && [ -z "$sub" ]; then
    COMPREPLY=($(compgen -W "$subs" -- "$cur"))
    return
  fi
  local key="$cmd"
  [ -n "$subs" ] && key="$cmd $sub"
  case "$key" in
${cases.join('\n')}
    "completion") COMPREPLY=($(compgen -W "bash zsh" -- "$cur")); return ;;
  esac
  if [[ "$cur" == -* ]]; then
    COMPREPLY=($(compgen -W "$flags --help" -- "$cur"))
  else
    COMPREPLY=($(compgen -W "$(${fn}_names "$kind")" -- "$cur"))
  fi
}
complete -F ${fn} ${prog}
`;
}

export function completionCommand(tables: () => CommandTables): Command {
  return {
    usage: 'completion bash|zsh',
    desc: 'Generate the autocompletion script for the specified shell',
    args: { min: 1, max: 1 },
    async run(ctx, p) {
      const shell = p.args[0];
      const script = bashScript(ctx.prog, tables());
      if (shell === 'bash') ctx.io.stdout.write(script);
      else if (shell === 'zsh')
        ctx.io.stdout.write(`#compdef ${ctx.prog}\nautoload -U +X bashcompinit && bashcompinit\n${script}`);
      else throw new StatusError(1, `unknown shell "${shell}": berth completes bash and zsh`);
      return 0;
    },
  };
}

/** Docker commands that need a plugin, swarm or a second daemon: named, with why berth lacks them. */
export const UNSUPPORTED: Record<string, string> = {
  buildx: 'a docker CLI plugin; berth build uses the classic builder',
  scan: 'a docker CLI plugin',
  scout: 'a docker CLI plugin',
  init: 'a docker CLI plugin',
  manifest: 'manifest lists are edited client-side against a registry; berth does not implement it',
  trust: 'content trust (Notary) is not supported',
  plugin: 'daemon plugins are not supported',
  checkpoint: 'checkpoint/restore (CRIU) is not supported',
  swarm: 'swarm mode is not supported',
  node: 'swarm mode is not supported',
  service: 'swarm mode is not supported',
  stack: 'swarm mode is not supported',
  secret: 'swarm mode is not supported',
  config: 'swarm mode is not supported',
};
