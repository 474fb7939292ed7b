/**
 * The per-command rules behind assessDanger: one entry per program name (rm, docker, git, systemctl, kubectl, ...)
 * grading its argv as caution or destructive, with the reason a person reads. Rules only record findings in a Cx.
 */
import type { DangerLevel } from '../model/runbook.js';
import type { ShellParser } from './shell.js';
import { basename, COMPOSE_GLOBAL_VALUE, hasOption, showArgv, skipOptions, wordSet } from './shell-argv.js';
import type { CommandInput } from './shell-argv.js';

export type Level = Exclude<DangerLevel, 'safe'>;

export interface Cx {
  parser: ShellParser;
  findings: Map<string, Level>;
  depth: number;
  place: string | null;
  stdin: CommandInput;
  bulk: boolean;
  /** Grades a nested command line (find -exec ...); the tree walk passes itself in, so rules need not import it. */
  grade: (argv: readonly string[], cx: Cx) => void;
}

type Rule = (argv: string[], cx: Cx) => void;

export function note(cx: Cx, level: Level, what: string, why: string): void {
  const reason = `${what}: ${why}${cx.place ? ` (${cx.place})` : ''}`;
  if (cx.findings.get(reason) !== 'destructive') cx.findings.set(reason, level);
}
export const flag = (cx: Cx, level: Level, argv: readonly string[], why: string): void => note(cx, level, showArgv(argv), why);

const verbAt = (argv: readonly string[], withValue?: ReadonlySet<string>): number => skipOptions(argv, 1, withValue);

function isSigkill(argv: readonly string[]): boolean {
  return argv.some((w, i) => /^-(9|KILL|SIGKILL)$/i.test(w) || /^--signal=(9|KILL|SIGKILL)$/i.test(w)
    || (/^(-s|-n|--signal)$/.test(w) && /^(9|KILL|SIGKILL)$/i.test(argv[i + 1] ?? '')));
}

const PRUNABLE = wordSet('system', 'image', 'volume', 'container', 'network', 'builder', 'buildx');

function compose(argv: string[], at: number, cx: Cx): void {
  const sub = skipOptions(argv, at, COMPOSE_GLOBAL_VALUE);
  const verb = argv[sub] ?? '';
  const tail = ['x', ...argv.slice(sub + 1)];
  if (verb === 'down') {
    if (hasOption(tail, 'v', '--volumes')) flag(cx, 'destructive', argv, 'removes the containers and their volumes (data is lost)');
    else flag(cx, 'caution', argv, 'stops and removes the containers');
  } else if (['stop', 'restart', 'kill', 'pause', 'scale'].includes(verb)) flag(cx, 'caution', argv, `${verb}s services`);
  else if (verb === 'rm') flag(cx, hasOption(tail, 'v', '--volumes') ? 'destructive' : 'caution', argv, 'removes service containers');
  else if (verb === 'up') {
    if (hasOption(tail, 'V', '--renew-anon-volumes')) flag(cx, 'destructive', argv, 'recreates anonymous volumes (their data is lost)');
    else if (hasOption(tail, '', '--force-recreate', '--scale')) flag(cx, 'caution', argv, 'recreates or rescales running containers');
  }
}

function docker(argv: string[], cx: Cx): void {
  const at = verbAt(argv, wordSet('-H', '--host', '--context', '-c', '--config', '-l', '--log-level'));
  const obj = argv[at] ?? '';
  const act = argv[at + 1] ?? '';
  if (obj === 'compose') return compose(argv, at + 1, cx);
  const force = hasOption(argv, 'f', '--force');
  const removes = act === 'rm' || act === 'remove';
  if (act === 'prune' && PRUNABLE.has(obj)) flag(cx, 'destructive', argv, 'deletes unused docker data (containers, images, volumes, caches)');
  else if (obj === 'volume' && removes) flag(cx, 'destructive', argv, 'deletes docker volumes and their data');
  else if (obj === 'rm' || (obj === 'container' && removes)) {
    flag(cx, force ? 'destructive' : 'caution', argv, force ? 'force-removes containers, running ones included' : 'removes containers');
  } else if (['stop', 'restart', 'kill', 'pause'].includes(obj) || (obj === 'container' && ['stop', 'restart', 'kill'].includes(act))) {
    flag(cx, 'caution', argv, 'stops or restarts containers');
  } else if (obj === 'rmi' || (['image', 'network', 'service', 'stack'].includes(obj) && removes)) {
    flag(cx, 'caution', argv, `removes docker ${obj === 'rmi' ? 'image' : obj}s`);
  }
}

function git(argv: string[], cx: Cx): void {
  const at = verbAt(argv, wordSet('-C', '-c', '--git-dir', '--work-tree', '--namespace'));
  const sub = argv[at] ?? '';
  const rest = ['git', ...argv.slice(at + 1)];
  const operands = rest.slice(skipOptions(rest, 1));
  switch (sub) {
    case 'reset':
      if (hasOption(rest, '', '--hard')) flag(cx, 'destructive', argv, 'throws away uncommitted changes and moves the branch');
      return;
    case 'clean':
      if (hasOption(rest, 'f', '--force') && !hasOption(rest, 'n', '--dry-run')) {
        flag(cx, 'destructive', argv, 'deletes untracked files');
      }
      return;
    case 'push':
      if (hasOption(rest, 'f', '--force', '--force-with-lease') || operands.some((w) => w.startsWith('+'))) {
        flag(cx, 'destructive', argv, 'force-pushes, rewriting remote history');
      } else if (hasOption(rest, 'd', '--delete') || operands.some((w) => w.startsWith(':'))) {
        flag(cx, 'destructive', argv, 'deletes a remote branch');
      } else flag(cx, 'caution', argv, 'pushes to a remote');
      return;
    case 'checkout':
    case 'switch': {
      const dashdash = rest.indexOf('--');
      const target = rest[skipOptions(rest, 1, wordSet('-b', '-B', '-c', '-C', '--orphan'))];
      const paths = sub === 'checkout' && ((dashdash > 0 && dashdash < rest.length - 1) || target === '.');
      if (paths || hasOption(rest, 'f', '--force', '--discard-changes')) {
        flag(cx, 'destructive', argv, 'discards local changes');
      } else if (hasOption(rest, 'bcBC', '--orphan', '--create', '--force-create')) {
        if (hasOption(rest, 'BC', '--force-create')) flag(cx, 'caution', argv, 'resets an existing branch');
      } else if (target && /[~^]/.test(target)) {
        flag(cx, 'destructive', argv, 'checks out an older commit in place (rolls the code back)');
      } else if (target) flag(cx, 'caution', argv, 'switches the working tree to another branch or tag');
      return;
    }
    case 'restore': {
      const worktree = hasOption(rest, 'W', '--worktree') || !hasOption(rest, 'S', '--staged');
      flag(cx, worktree ? 'destructive' : 'caution', argv, worktree ? 'discards local changes' : 'unstages changes');
      return;
    }
    case 'stash':
      if (operands[0] === 'drop' || operands[0] === 'clear') flag(cx, 'destructive', argv, 'deletes stashed changes');
      return;
    case 'branch':
      if (hasOption(rest, 'D')) flag(cx, 'destructive', argv, 'force-deletes a branch');
      return;
    case 'filter-branch':
    case 'filter-repo':
      flag(cx, 'destructive', argv, 'rewrites history');
      return;
    case 'merge':
    case 'rebase':
    case 'pull':
    case 'revert':
    case 'cherry-pick':
      flag(cx, 'caution', argv, 'changes the checked-out code');
      return;
    default:
      return;
  }
}

const SYSTEMCTL_VALUE = wordSet('-H', '--host', '-M', '--machine', '-t', '--type', '-s', '--signal', '-p', '--property', '-n', '--lines',
  '-o', '--output', '--state', '--job-mode', '--root');
const SYSTEMCTL_WHY: Record<string, [Level, string]> = {
  stop: ['destructive', 'stops a service'], disable: ['destructive', 'disables a service at boot'],
  mask: ['destructive', 'masks a service so it cannot start'], kill: ['destructive', "kills a service's processes"],
  isolate: ['destructive', 'switches the system target, stopping other units'],
  reboot: ['destructive', 'reboots the machine'], poweroff: ['destructive', 'powers off the machine'],
  halt: ['destructive', 'halts the machine'], kexec: ['destructive', 'reboots the machine'],
  emergency: ['destructive', 'drops the machine into emergency mode'], rescue: ['destructive', 'drops the machine into rescue mode'],
  restart: ['caution', 'restarts a service (brief downtime)'], 'try-restart': ['caution', 'restarts a service (brief downtime)'],
  'reload-or-restart': ['caution', 'restarts a service (brief downtime)'], reload: ['caution', "reloads a service's configuration"],
  start: ['caution', 'starts a service'], enable: ['caution', 'enables a service at boot'],
  'daemon-reload': ['caution', 'reloads systemd unit files'], unmask: ['caution', 'unmasks a service'],
};

const PACKAGE_VALUE = wordSet('-o', '-c', '-t', '--option', '--config-file', '--target-release');
function packages(argv: string[], cx: Cx): void {
  const verb = argv[verbAt(argv, PACKAGE_VALUE)] ?? '';
  const yes = hasOption(argv, 'y', '--yes', '--assume-yes', '--force-yes');
  if (['upgrade', 'dist-upgrade', 'full-upgrade', 'update', 'distro-sync'].includes(verb)) {
    if (verb === 'update' && basename(argv[0] ?? '').startsWith('apt')) return;
    flag(cx, yes ? 'destructive' : 'caution', argv, yes ? 'upgrades all packages without asking' : 'upgrades all packages');
  } else if (['remove', 'purge', 'autoremove', 'erase'].includes(verb)) {
    // With -y nothing stops a removal that cascades to dependent packages; without it the package manager asks first.
    flag(cx, yes ? 'destructive' : 'caution', argv, yes ? 'removes packages (and their dependents) without asking' : 'removes packages');
  } else if (verb === 'install' || verb === 'reinstall') flag(cx, 'caution', argv, 'installs packages');
}

const CLOUD_CHANGE = /^(modify|stop|reboot|update|deregister|detach|revoke|disassociate|remove|reset|deallocate|restart|rm)(-|$)/;

/** aws, gcloud and az: the verbs are words anywhere after the service names. */
function cloud(argv: string[], cx: Cx): void {
  const words = argv.slice(1);
  const deletes = words.some((w) => w === 'delete' || w.startsWith('delete-') || w === 'terminate-instances' || w === 'rb');
  const s3 = (words.includes('rm') && words.includes('--recursive')) || (words.includes('sync') && words.some((w) => w.startsWith('--delete')));
  if (deletes || s3) flag(cx, 'destructive', argv, 'deletes cloud resources');
  else if (words.some((w) => CLOUD_CHANGE.test(w))) flag(cx, 'caution', argv, 'changes cloud resources');
}

const KUBECTL_CHANGE = /^(apply|scale|rollout|drain|cordon|uncordon|patch|edit|replace|set|label|annotate|taint|create|autoscale)$/;
const on = (level: Level, why: string): Rule => (argv, cx) => flag(cx, level, argv, why);

export const RULES: Record<string, Rule> = {
  rm: (argv, cx) => {
    const r = hasOption(argv, 'rR', '--recursive');
    const f = hasOption(argv, 'f', '--force');
    if (r || f) flag(cx, 'destructive', argv, r ? 'deletes files and directories recursively' : 'deletes files without asking');
    else if (cx.bulk) flag(cx, 'destructive', argv, 'deletes every file it is fed');
    else flag(cx, 'caution', argv, 'deletes files');
  },
  kill: (argv, cx) => {
    if (isSigkill(argv)) flag(cx, 'destructive', argv, 'kills a process with SIGKILL (no clean shutdown)');
    else if (!argv.some((w) => /^-[0lL]$/.test(w))) flag(cx, 'caution', argv, 'signals a process (terminates it by default)');
  },
  pkill: (argv, cx) => flag(cx, 'destructive', argv, `kills processes by pattern${isSigkill(argv) ? ' with SIGKILL' : ''}`),
  killall: (argv, cx) => flag(cx, 'destructive', argv, `kills processes by name${isSigkill(argv) ? ' with SIGKILL' : ''}`),
  fuser: (argv, cx) => hasOption(argv, 'k', '--kill') && flag(cx, 'destructive', argv, 'kills the processes using a file or port'),
  'redis-cli': (argv, cx) => {
    const words = [...argv, ...cx.stdin.upstream.flat(), ...(cx.stdin.text ?? '').split(/\s+/)];
    const hit = words.find((w) => /^FLUSH(ALL|DB)$/i.test(w));
    if (hit) flag(cx, 'destructive', argv, `${hit.toUpperCase()} wipes Redis data`);
  },
  docker, podman: docker, git,
  'docker-compose': (argv, cx) => compose(argv, 1, cx),
  'podman-compose': (argv, cx) => compose(argv, 1, cx),
  systemctl: (argv, cx) => {
    const verb = argv[verbAt(argv, SYSTEMCTL_VALUE)] ?? '';
    const found = Object.hasOwn(SYSTEMCTL_WHY, verb) ? SYSTEMCTL_WHY[verb] : undefined;
    if (found) flag(cx, found[0], argv, found[1]);
  },
  service: (argv, cx) => {
    const verb = argv[2] ?? '';
    if (verb === 'stop') flag(cx, 'destructive', argv, 'stops a service');
    else if (/^(restart|reload|start|force-reload|try-restart)$/.test(verb)) flag(cx, 'caution', argv, `${verb}s a service`);
  },
  shutdown: (argv, cx) => !argv.includes('-c') && flag(cx, 'destructive', argv, 'shuts down or reboots the machine'),
  reboot: on('destructive', 'reboots the machine'), poweroff: on('destructive', 'powers off the machine'),
  halt: on('destructive', 'halts the machine'),
  init: (argv, cx) => /^[016sS]$/.test(argv[1] ?? '') && flag(cx, 'destructive', argv, 'changes runlevel (halt, single-user or reboot)'),
  dd: (argv, cx) => flag(cx, 'destructive', argv, argv.some((w) => /^of=\/dev\//.test(w)) ? 'writes raw data onto a device' : 'overwrites its output'),
  fdisk: (argv, cx) => !hasOption(argv, 'l', '--list') && flag(cx, 'destructive', argv, 'rewrites a partition table'),
  parted: (argv, cx) => !hasOption(argv, 'l', '--list') && !argv.includes('print') && RULES.fdisk?.(argv, cx),
  wipefs: (argv, cx) => !hasOption(argv, 'n', '--no-act') && flag(cx, 'destructive', argv, 'erases filesystem signatures'),
  truncate: on('destructive', 'cuts files to a size (their content is lost)'),
  mkfs: on('destructive', 'formats a filesystem (erases the device)'),
  shred: on('destructive', 'overwrites files beyond recovery'), blkdiscard: on('destructive', 'discards every block of a device'),
  crontab: (argv, cx) => {
    if (hasOption(argv, 'r')) flag(cx, 'destructive', argv, 'removes the whole crontab');
    else if (!hasOption(argv, 'l')) flag(cx, 'caution', argv, 'edits or replaces the crontab');
  },
  kubectl: (argv, cx) => {
    const verb = argv[verbAt(argv, wordSet('-n', '--namespace', '--context', '--kubeconfig', '--cluster', '--user', '-s', '--server'))] ?? '';
    if (verb === 'delete') flag(cx, 'destructive', argv, 'deletes Kubernetes resources');
    else if (KUBECTL_CHANGE.test(verb)) flag(cx, 'caution', argv, `changes cluster state (${verb})`);
  },
  helm: (argv, cx) => {
    const verb = argv[verbAt(argv, wordSet('-n', '--namespace', '--kube-context'))] ?? '';
    if (/^(uninstall|delete|del|un)$/.test(verb)) flag(cx, 'destructive', argv, 'uninstalls a release');
    else if (/^(upgrade|install|rollback)$/.test(verb)) flag(cx, 'caution', argv, `changes a release (${verb})`);
  },
  terraform: (argv, cx) => {
    const verb = argv[verbAt(argv)] ?? '';
    if (verb === 'destroy' || (verb === 'apply' && argv.includes('-destroy'))) flag(cx, 'destructive', argv, 'destroys infrastructure');
    else if (/^(apply|import|taint|state)$/.test(verb)) flag(cx, 'caution', argv, `changes infrastructure (${verb})`);
  },
  aws: cloud, gcloud: cloud, az: cloud,
  iptables: (argv, cx) => {
    if (hasOption(argv, 'FX', '--flush', '--delete-chain')) flag(cx, 'destructive', argv, 'flushes firewall rules');
    else if (hasOption(argv, 'AIDRP', '--append', '--insert', '--delete', '--replace', '--policy')) {
      flag(cx, 'caution', argv, 'changes firewall rules');
    }
  },
  nft: (argv, cx) => {
    if (argv.includes('flush')) flag(cx, 'destructive', argv, 'flushes firewall rules');
    else if (argv.some((w) => /^(add|delete|insert|replace)$/.test(w))) flag(cx, 'caution', argv, 'changes firewall rules');
  },
  ufw: (argv, cx) => {
    if (argv.includes('reset')) flag(cx, 'destructive', argv, 'resets all firewall rules');
    else if (argv.some((w) => /^(disable|delete|deny|reject)$/.test(w))) flag(cx, 'caution', argv, 'changes firewall rules');
  },
  chmod: (argv, cx) => {
    const r = hasOption(argv, 'R', '--recursive');
    const open = argv.some((w) => /^(0?777|a\+rwx|ugo\+rwx)$/.test(w));
    if (r && open) flag(cx, 'destructive', argv, 'makes a whole tree world-writable');
    else if (r || open) flag(cx, 'caution', argv, r ? 'changes permissions recursively' : 'makes files world-writable');
  },
  chown: (argv, cx) => hasOption(argv, 'R', '--recursive') && flag(cx, 'caution', argv, 'changes ownership recursively'),
  mv: on('caution', 'moves or renames files (may overwrite)'),
  rsync: (argv, cx) => argv.some((w) => w.startsWith('--delete')) && flag(cx, 'destructive', argv, 'deletes files missing from the source'),
  tc: (argv, cx) => argv.some((w) => /^(add|del|delete|change|replace)$/.test(w)) && flag(cx, 'caution', argv, 'changes traffic shaping'),
  logrotate: (argv, cx) => !hasOption(argv, 'd', '--debug') && flag(cx, 'caution', argv, 'rotates logs now'),
  curl: (argv, cx) => {
    const del = argv.some((w, i) => (/^(-X|--request)$/.test(w) && /^DELETE$/i.test(argv[i + 1] ?? '')) || /^-XDELETE$/i.test(w));
    if (del) flag(cx, 'caution', argv, 'sends an HTTP DELETE');
  },
  pip: (argv, cx) => {
    const verb = argv.find((w) => w === 'install' || w === 'uninstall');
    if (verb === 'uninstall') flag(cx, 'caution', argv, 'uninstalls Python packages');
    else if (verb === 'install' && hasOption(argv, 'U', '--upgrade')) flag(cx, 'caution', argv, 'upgrades Python packages');
  },
  gh: (argv, cx) => {
    const [what, verb] = [argv[1] ?? '', argv[2] ?? ''];
    if (what === 'workflow' && verb === 'run' && argv.some((w) => /\bprod(uction)?\b/i.test(w))) {
      flag(cx, 'caution', argv, 'triggers a production workflow');
    } else if ((what === 'repo' || what === 'release') && verb === 'delete') flag(cx, 'destructive', argv, `deletes a ${what}`);
  },
  find: (argv, cx) => {
    if (argv.includes('-delete')) flag(cx, 'destructive', argv, 'deletes every file it finds');
    argv.forEach((w, i) => {
      if (!/^-(exec|execdir|ok|okdir)$/.test(w)) return;
      const end = argv.findIndex((x, j) => j > i && (x === ';' || x === '+'));
      const inner = argv.slice(i + 1, end < 0 ? argv.length : end);
      if (basename(inner[0] ?? '') === 'rm') flag(cx, 'destructive', argv, 'deletes every file it finds');
      else cx.grade(inner, { ...cx, bulk: true });
    });
  },
};
const alias = (target: string, ...names: string[]): void => {
  const rule = RULES[target];
  if (rule) for (const name of names) RULES[name] = rule;
};
for (const name of ['apt', 'apt-get', 'aptitude', 'yum', 'dnf', 'zypper']) RULES[name] = packages;
alias('iptables', 'ip6tables', 'iptables-legacy', 'iptables-nft');
alias('killall', 'killall5', 'skill');
alias('init', 'telinit');
alias('fdisk', 'sfdisk', 'gdisk', 'sgdisk', 'cfdisk');
alias('pip', 'pip3', 'uv');
alias('chown', 'chgrp');
alias('terraform', 'tofu', 'terragrunt');
for (const name of ['lvremove', 'vgremove', 'pvremove', 'mkswap']) RULES[name] = on('destructive', 'erases a volume or device');
for (const name of ['pm2', 'supervisorctl', 'forever']) {
  RULES[name] = (argv, cx) => /^(stop|restart|reload|delete|kill|remove)$/.test(argv[1] ?? '') && flag(cx, 'caution', argv, `${argv[1]}s processes`);
}
for (const name of ['stress', 'stress-ng', 'ab', 'wrk', 'wrk2', 'hey', 'siege', 'vegeta', 'locust', 'k6']) RULES[name] = on('caution', 'generates load');
RULES.zfs = RULES.zpool = (argv, cx) => argv.includes('destroy') && flag(cx, 'destructive', argv, 'destroys a ZFS dataset or pool');
