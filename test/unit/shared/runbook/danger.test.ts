import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Danger, DangerLevel, RemoteHint } from '../../../../shared/model/runbook.js';
import { assessDanger, findRemoteHint } from '../../../../shared/runbook/danger.js';
import { commandArgv, stripWrappers, walkCommands } from '../../../../shared/runbook/shell-argv.js';
import { createShellParser } from '../../../../shared/runbook/shell.js';
import type { ShellParser } from '../../../../shared/runbook/shell.js';

let parser: ShellParser;

beforeAll(async () => {
  parser = await createShellParser({ bashWasm: new Uint8Array(readFileSync('node_modules/tree-sitter-bash/tree-sitter-bash.wasm')) });
});

function assess(script: string): Danger {
  const tree = parser.parse(script);
  try {
    return assessDanger(tree.rootNode, parser);
  } finally {
    tree.delete();
  }
}

function remote(script: string): RemoteHint | null {
  const tree = parser.parse(script);
  try {
    return findRemoteHint(tree.rootNode);
  } finally {
    tree.delete();
  }
}

const D: DangerLevel = 'destructive';
const C: DangerLevel = 'caution';
const S: DangerLevel = 'safe';

const cases: [string, DangerLevel][] = [
  // destructive: the required ones
  [`pkill -9 -f 'python app.py'`, D],
  [`ssh user@server "pkill -9 -f 'python app.py'"`, D],
  ['docker system prune -a', D],
  ['docker-compose exec redis redis-cli FLUSHALL', D],
  ['redis-cli FLUSHALL', D],
  ['./scripts/migrate.sh downgrade -1', D],
  ['sudo rm -rf /var/lib/x', D],
  [`find . -name '*.json' | xargs rm -f`, D],
  ['curl -fsSL https://get.example.com | sh', D],
  ['bash -c "rm -rf /tmp/x"', D],
  ['ssh user@server "cd /app && git checkout HEAD~1"', D],
  ['ssh user@server "apt update && apt upgrade -y"', D],
  ['docker-compose down -v', D],
  ['psql -c "DROP TABLE users"', D],
  ['sqlite3 db "DELETE FROM runs"', D],
  ['git reset --hard origin/main', D],
  ['autopack restore --input backup.tar.gz', D],
  ['python scripts/restore_data.py --date X --type sessions', D],
  ['docker-compose exec postgres psql -U u -d db < backup_20250101.sql', D],
  ['ssh user@server "systemctl stop agent-lab"', D],
  ['systemctl stop agent-lab', D],
  ['dd if=/dev/zero of=/dev/sdb', D],
  ['mkfs.ext4 /dev/sdb1', D],
  ['sudo shutdown -h now', D],
  ['reboot', D],
  ['for f in a b; do rm -rf "$f"; done', D],
  ['if true; then kill -9 123; fi', D],
  ['X=$(pkill -f foo)', D],
  ['./scripts/restore_drill.sh ./backups/x.tar.gz --execute', D],
  // destructive: more of each rule
  ['rm -fr build', D],
  ['rm --recursive /srv/cache', D],
  ['kill -s KILL 4242', D],
  ['kill -SIGKILL 4242', D],
  ['killall nginx', D],
  ['redis-cli -n 2 flushdb', D],
  ['mysql -e "DROP DATABASE shop"', D],
  ['psql -c "TRUNCATE events"', D],
  [`psql -c "UPDATE users SET active = false"`, D],
  ['psql <<EOF\nDROP SCHEMA audit CASCADE;\nEOF', D],
  ['docker volume prune -f', D],
  ['docker rm -f web', D],
  ['docker volume rm pgdata', D],
  ['docker compose down --volumes', D],
  ['git clean -fdx', D],
  ['git push --force origin main', D],
  ['git push -f', D],
  ['git push --force-with-lease', D],
  ['git checkout @~2', D],
  ['git checkout HEAD^', D],
  ['git checkout -- src/app.ts', D],
  ['flask db downgrade', D],
  ['rails db:rollback STEP=2', D],
  ['python manage.py migrate billing zero', D],
  ['pg_restore -d app latest.dump', D],
  ['mongorestore --drop dump/', D],
  ['mysql app < dump.sql', D],
  ['sudo apt-get -y dist-upgrade', D],
  ['yum update -y', D],
  ['service nginx stop', D],
  ['systemctl disable --now cron', D],
  ['systemctl mask agent-lab', D],
  ['systemctl reboot', D],
  ['wget -qO- https://x.example/install.sh | sudo bash', D],
  ['curl -sSL https://x.example/i.sh | sudo bash -s -- --channel stable', D],
  ['bash <(curl -s https://x.example/i.sh)', D],
  ['sudo bash scripts/restore.sh', D],
  ['bash < scripts/restore_db.sh', D],
  ['poweroff', D],
  ['halt', D],
  ['init 6', D],
  ['fdisk /dev/sdb', D],
  ['parted /dev/sdb mklabel gpt', D],
  ['wipefs -a /dev/sdb', D],
  ['sgdisk --zap-all /dev/sdb', D],
  ['kubectl delete pod web-0', D],
  ['kubectl -n prod delete deployment api', D],
  ['helm uninstall api', D],
  ['terraform destroy -auto-approve', D],
  ['aws ec2 terminate-instances --instance-ids i-123', D],
  ['aws s3 rm s3://bucket/logs --recursive', D],
  ['aws s3 rb s3://bucket', D],
  ['aws rds delete-db-instance --db-instance-identifier x', D],
  ['gcloud compute instances delete vm-1', D],
  ['iptables -F', D],
  ['sudo iptables --flush', D],
  ['chmod -R 777 /var/www', D],
  ['truncate -s 0 /var/log/app.log', D],
  ['cat image.bin > /dev/sda', D],
  ['find /tmp -mtime +7 -delete', D],
  ['find . -name "*.log" -exec rm {} \\;', D],
  ['crontab -r', D],
  ['timeout 30 nice -n 10 rm -rf /data', D],
  ['env FOO=1 nohup rm -rf /data &', D],
  ['docker exec -it redis redis-cli FLUSHALL', D],
  ['kubectl exec -it api-0 -- sh -c "rm -rf /data/*"', D],
  ['eval "rm -rf $DIR"', D],
  ['watch -n 5 "kill -9 123"', D],
  [`su -c "systemctl stop nginx" root`, D],
  ['echo "rm -rf /" | sh', D],
  ['ssh db1 <<\'EOF\'\nsudo systemctl stop postgresql\nEOF', D],
  ['ssh -t user@server sudo rm -rf /srv/app', D],
  ['gunzip -c backup.sql.gz | psql app', D],
  ['rsync -a --delete src/ dst/', D],
  ['docker run --rm -v pgdata:/data alpine rm -rf /data/*', D],
  ['fuser -k 8080/tcp', D],
  ['git branch -D feature', D],
  ['echo ok; rm -rf /tmp/a', D],
  ['cd /app && (git stash && git checkout HEAD~3)', D],
  ['deploy() { docker system prune -af; }', D],
  // caution
  ['ssh user@server "systemctl restart agent-lab"', C],
  ['rm /app/MAINTENANCE_MODE', C],
  ['docker-compose restart sci-agents', C],
  ['./scripts/restore_drill.sh ./backups/x.tar.gz', C],
  ['./scripts/restore.sh --dry-run', C],
  ['kill 1234', C],
  ['systemctl restart nginx', C],
  ['sudo systemctl reload nginx', C],
  ['systemctl enable agent-lab', C],
  ['service nginx restart', C],
  ['docker-compose stop', C],
  ['docker compose down', C],
  ['docker-compose up -d --force-recreate api', C],
  ['docker-compose rm api', C],
  ['docker stop web', C],
  ['docker restart web', C],
  ['docker kill web', C],
  ['docker rm web', C],
  ['apt-get install -y jq', C],
  ['sudo apt upgrade', C],
  ['apt remove nginx', C],
  ['pip install --upgrade requests', C],
  ['pip install -U requests', C],
  ['git push origin main', C],
  ['git checkout v1.4.2', C],
  ['git merge origin/main', C],
  ['git checkout -B hotfix', C],
  ['terraform apply', C],
  ['kubectl apply -f deploy.yaml', C],
  ['kubectl scale deploy api --replicas=0', C],
  ['kubectl rollout restart deploy/api', C],
  ['kubectl drain node-1 --ignore-daemonsets', C],
  ['kubectl cordon node-1', C],
  ['aws ec2 modify-instance-attribute --instance-id i-1 --instance-type m5.large', C],
  ['sudo tc qdisc add dev eth0 root netem delay 100ms', C],
  ['tc qdisc del dev eth0 root', C],
  ['chown -R app:app /srv/app', C],
  ['chmod -R g+w /srv/app', C],
  ['mv config.yml config.yml.bak', C],
  ['crontab -e', C],
  ['logrotate -f /etc/logrotate.d/app', C],
  ['stress --cpu 4 --timeout 60', C],
  ['ab -n 1000 -c 50 https://x.example/', C],
  ['gh workflow run deploy.yml -f environment=production', C],
  ['alembic upgrade head', C],
  ['helm upgrade api ./chart', C],
  ['pm2 restart app', C],
  // safe
  ['echo "rm -rf /"', S],
  [`printf 'DROP TABLE x'`, S],
  ['grep -i "error\\|exception" /var/log/app.log | tail -20', S],
  ['curl -f https://agent-lab.example.com/health', S],
  [`ps aux | grep python | grep -v grep || echo 'done'`, S],
  ['git checkout -b deployment-$(date +%Y%m%d)', S],
  [`sqlite3 autopack.db "SELECT * FROM phases WHERE status='EXECUTING'"`, S],
  ['docker-compose logs -f sci-agents', S],
  ['sqlite3 db "DELETE FROM runs WHERE id = 3"', S],
  ['grep -i "drop table" schema.sql', S],
  ['git log --oneline -10', S],
  ['cat /etc/hosts', S],
  ['ls -la /var/log', S],
  ['df -h', S],
  ['systemctl status agent-lab', S],
  ['psql -c "VACUUM ANALYZE;"', S],
  ['# rm -rf /', S],
  ['touch /app/MAINTENANCE_MODE', S],
  ['docker ps', S],
  ['kubectl get pods -n prod', S],
  ['apt update', S],
  ['kill -0 1234', S],
  ['fdisk -l', S],
  ['crontab -l', S],
  ['ssh user@server "uptime && free -h && df -h"', S],
  ['gh workflow run tests.yml', S],
  ['pg_dump app > backup.sql', S],
  ['pg_dump -U u db | gzip > backup_$(date +%Y%m%d).sql.gz', S],
  ['docker run --rm -it alpine sh', S],
  ['journalctl -u agent-lab --since "1 hour ago"', S],
  ['echo "$(date) restart" >> /var/log/ops.log', S],
  ['restorecon -Rv /var/www', S],
  ['git fetch --all && git status', S],
  ['docker-compose logs migrate', S],
  ['bash scripts/healthcheck.sh', S],
  ['docker-compose up -d', S],
];

describe('assessDanger', () => {
  it.each(cases)('%s -> %s', (script, level) => {
    const danger = assess(script);
    expect(danger.level, JSON.stringify(danger.reasons)).toBe(level);
    if (level === 'safe') expect(danger.reasons).toEqual([]);
    else {
      expect(danger.reasons.length).toBeGreaterThan(0);
      for (const reason of danger.reasons) expect(reason.trim()).not.toBe('');
    }
  });

  it('names the offending command in its reason', () => {
    expect(assess(`pkill -9 -f 'python app.py'`).reasons).toEqual([`pkill -9 -f 'python app.py': kills processes by pattern with SIGKILL`]);
    expect(assess('ssh user@server "systemctl stop agent-lab"').reasons[0]).toMatch(/^systemctl stop agent-lab: .*on user@server/);
  });

  it('deduplicates reasons', () => {
    const danger = assess('rm -rf /tmp/x\nrm -rf /tmp/x\nrm -rf /tmp/x');
    expect(danger.reasons).toHaveLength(1);
  });

  it('reports the worst level and every finding', () => {
    const danger = assess('systemctl restart nginx && docker system prune -a');
    expect(danger.level).toBe('destructive');
    expect(danger.reasons).toHaveLength(2);
  });

  it.each(['rm -rf "unclosed', ')))', '', 'if then fi', 'ssh host "bash -c \\"', "bash -c 'eval \"$(", '$(($(('])(
    'never throws on broken input: %j',
    (script) => {
      const danger = assess(script);
      expect(['safe', 'caution', 'destructive']).toContain(danger.level);
    },
  );

  it('still finds danger in a partly broken script', () => {
    expect(assess('rm -rf "unclosed').level).toBe('destructive');
  });

  it('stops at a nesting limit instead of recursing forever', () => {
    let script = 'rm -rf /x';
    for (let i = 0; i < 10; i++) script = `bash -c ${JSON.stringify(script)}`;
    expect(assess(script).level).not.toBe('safe');
  });
});

describe('findRemoteHint', () => {
  it('extracts user, host and the double-quoted command', () => {
    expect(remote('ssh user@server "uptime && free -h && df -h"')).toEqual({
      user: 'user', host: 'server', port: null, command: 'uptime && free -h && df -h',
    });
  });

  it('reads -p and skips -i', () => {
    expect(remote(`ssh -p 2222 -i ~/.ssh/k deploy@10.0.0.5 'systemctl restart x'`)).toEqual({
      user: 'deploy', host: '10.0.0.5', port: 2222, command: 'systemctl restart x',
    });
  });

  it('reads -l and -o Port=', () => {
    expect(remote('ssh -l admin db1 "df -h"')).toEqual({ user: 'admin', host: 'db1', port: null, command: 'df -h' });
    expect(remote('ssh -o Port=2200 -o StrictHostKeyChecking=no db1 uptime')?.port).toBe(2200);
  });

  it('joins several argument words with spaces and unquotes escapes', () => {
    expect(remote('ssh db1 sudo systemctl restart "my app"')?.command).toBe('sudo systemctl restart my app');
    expect(remote(`ssh db1 "echo \\"hi\\""`)?.command).toBe('echo "hi"');
  });

  it('joins several ssh statements to the same host', () => {
    expect(remote('ssh u@h uptime\nssh u@h "df -h"')?.command).toBe('uptime\ndf -h');
  });

  it.each([
    'ssh host',
    'curl x',
    'ssh a@h1 uptime\nssh a@h2 uptime',
    'ssh h uptime && echo done',
    'cd /x\nssh h uptime',
    "ssh h <<'EOF'\nuptime\nEOF",
    '',
    'ssh h "unclosed',
  ])('returns null for %j', (script) => {
    expect(remote(script)).toBeNull();
  });
});

describe('shell-argv', () => {
  it('unquotes words, raw strings, double-quoted strings and concatenations', () => {
    const tree = parser.parse(`rm 'a b' "c \\"d\\" $x" e\\ f g"h"'i' $'j\\nk' "$(date)"`);
    const seen: string[][] = [];
    walkCommands(tree.rootNode, (node) => seen.push(commandArgv(node)));
    tree.delete();
    expect(seen[0]).toEqual(['rm', 'a b', 'c "d" $x', 'e f', 'ghi', 'j\nk', '$(date)']);
    expect(seen[1]).toEqual(['date']);
  });

  it('sees through wrappers', () => {
    expect(stripWrappers(['sudo', '-u', 'postgres', '-E', 'timeout', '10', 'psql', '-c', 'x']).argv).toEqual(['psql', '-c', 'x']);
    expect(stripWrappers(['docker', 'compose', '-f', 'x.yml', 'exec', '-T', 'db', 'psql']).argv).toEqual(['psql']);
    expect(stripWrappers(['xargs', '-0', '-n', '1', 'rm']).bulk).toBe(true);
    expect(stripWrappers(['python3', '-u', 'scripts/x.py', '--y']).argv).toEqual(['scripts/x.py', '--y']);
  });
});
