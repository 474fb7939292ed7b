/**
 * Rules that read words rather than the command name: SQL handed to a database client (DROP, TRUNCATE, DELETE
 * without WHERE), schema migrations rolled back, and restores over live data, whichever program carries them.
 */
import { flag } from './danger-rules.js';
import type { Cx } from './danger-rules.js';
import { basename, wordSet } from './shell-argv.js';

const DUMP_FILE = /\.(sql|dump|bak|psql)(\.(gz|bz2|xz|zst))?$/i;
const SQL_CLIENTS = wordSet('psql', 'mysql', 'mariadb', 'sqlite3', 'sqlite', 'clickhouse-client', 'cqlsh', 'sqlcmd', 'cockroach', 'duckdb',
  'mongo', 'mongosh');
/** Commands that only print, search or set shell state: nothing in their words is run, so no rule applies. */
export const TEXT_ONLY = wordSet('echo', 'printf', 'grep', 'egrep', 'fgrep', 'zgrep', 'rg', 'ag', 'ack', 'logger', 'wall', 'notify-send', 'cat',
  'tac', 'less', 'more', 'head', 'tail', 'man', 'which', 'whereis', 'type', 'file', 'stat', 'wc', 'jq', 'yq', 'sed', 'awk', 'gawk',
  'tee', 'diff', 'ls', 'tr', 'cut', 'sort', 'uniq', 'column', 'true', 'false', 'test', '[', '[[', 'read', 'export', 'local',
  'declare', 'readonly', 'printenv', 'date', 'sleep', 'cd', 'pwd', 'dirname', 'basename', 'realpath', 'history', 'alias', 'help');
/** Commands whose words are names of things (services, branches), not data or SQL: word rules would misfire. */
export const GENERIC_EXEMPT = wordSet('git', 'gh', 'restorecon', 'docker', 'podman', 'docker-compose', 'podman-compose', 'kubectl', 'helm', 'journalctl');

/** What an SQL (or MongoDB shell) text would destroy; one short phrase per finding. */
function sqlHarm(text: string): string[] {
  const found: string[] = [];
  for (const stmt of text.split(';')) {
    const drop = /\bDROP\s+(TABLE|DATABASE|SCHEMA|INDEX|VIEW|MATERIALIZED\s+VIEW|KEYSPACE|SEQUENCE|USER|ROLE)\b/i.exec(stmt);
    if (drop) found.push(`runs DROP ${(drop[1] ?? '').toUpperCase()} (the object and its data are gone)`);
    if (/\bTRUNCATE\s+(TABLE\s+)?[A-Za-z_"`][\w."`]*/i.test(stmt)) found.push('runs TRUNCATE (empties the table)');
    const whereless = !/\bWHERE\b/i.test(stmt);
    if (/\bDELETE\s+FROM\b/i.test(stmt) && whereless) found.push('runs DELETE without WHERE (removes every row)');
    if (/\bUPDATE\s+[\w."`[\]]+\s+SET\b/i.test(stmt) && whereless) found.push('runs UPDATE without WHERE (changes every row)');
    if (/\bALTER\s+TABLE\b[\s\S]*\bDROP\b/i.test(stmt)) found.push('runs ALTER TABLE ... DROP (removes columns)');
    if (/\.dropDatabase\(|\.drop\(\s*\)|\.(deleteMany|remove)\(\s*\{\s*\}\s*\)/.test(stmt)) found.push('drops or empties MongoDB data');
  }
  return found;
}

const MIGRATE_TOOL = /migrat|alembic|flask|rails|rake|artisan|knex|sequelize|liquibase|dbmate|goose|flyway|prisma|manage\.py|typeorm|diesel/i;
const TASK_RUNNERS = wordSet('npm', 'yarn', 'pnpm', 'make', 'just', 'task', 'invoke');
const ROLLBACK_WORD = /(^|[:_-])(rollback|reset|drop|fresh|refresh|down|undo|redo)$/i;

/** Rules that look at words rather than the command name: SQL, schema downgrades, restores. */
export function generic(argv: string[], name: string, cx: Cx): void {
  const texts = [...argv.slice(1), ...(cx.stdin.text === null ? [] : [cx.stdin.text])];
  for (const up of SQL_CLIENTS.has(name) ? cx.stdin.upstream : []) {
    if (TEXT_ONLY.has(basename(up[0] ?? ''))) texts.push(up.slice(1).join(' '));
  }
  for (const text of texts) for (const why of sqlHarm(text)) flag(cx, 'destructive', argv, why);

  const words = argv.slice(1).map((w) => w.toLowerCase());
  const migrator = MIGRATE_TOOL.test(name) || (TASK_RUNNERS.has(name) && words.some((w) => MIGRATE_TOOL.test(w) || w.startsWith('db:')));
  if (words.some((w) => w.startsWith('downgrade'))) flag(cx, 'destructive', argv, 'runs a downgrade (rolls the schema or version back)');
  else if (migrator) {
    const zero = words.includes('migrate') && words.includes('zero');
    if (zero || words.some((w) => ROLLBACK_WORD.test(w))) flag(cx, 'destructive', argv, 'rolls database migrations back');
    else if (words.some((w) => /^(upgrade|migrate|up|deploy|db:migrate)$/.test(w))) flag(cx, 'caution', argv, 'applies database migrations');
  }

  const fedDump = DUMP_FILE.test(cx.stdin.file ?? '') || cx.stdin.upstream.some((up) => up.some((w) => DUMP_FILE.test(w)));
  const fromDump = SQL_CLIENTS.has(name) && fedDump;
  const restoreName = /^((pg_|mongo|my)?restore|.*[-_.]restore([-_.]|$))/i.test(name) && name !== 'restorecon';
  if (!fromDump && !restoreName && !words.includes('restore')) return;
  const drill = [name, ...words].some((w) => /drill|dry[-_]?run|verify/i.test(w));
  const forced = words.some((w) => /^--(execute|force)(=|$)/.test(w));
  if (drill && !forced) flag(cx, 'caution', argv, 'restore drill or dry run (check before executing for real)');
  else flag(cx, 'destructive', argv, fromDump ? 'loads a dump into a live database' : 'restores data over what is live');
}
