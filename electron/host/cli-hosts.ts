/**
 * `opsdeck hosts ...` and the terminal side of connection prompts: an unknown host key, a passphrase or a
 * password is asked on the terminal when there is one, and refused with a clear message when there is not.
 */
import type { Host as InventoryHost, Prompt, PromptAnswer } from '../../shared/contract/hosts.js';
import { ask } from './cli-ask.js';
import { callerFor, CliUsageError } from './cli-run.js';
import type { ContractHost } from './connect.js';

export interface HostAddOptions {
  address?: string;
  port: number;
  user?: string;
  identity?: string;
  jump: string[];
  tag: string[];
  notes?: string;
  forwardAgent?: boolean;
}

async function answerOnTerminal(p: Prompt): Promise<PromptAnswer> {
  switch (p.kind) {
    case 'host-key': {
      process.stderr.write(`The host ${p.host} (${p.address}:${p.port}) is not known.\n${p.keyType} key fingerprint is ${p.fingerprint}.\n`);
      const answer = ((await ask('Trust this key and connect? (yes/no) ', false)) ?? '').trim().toLowerCase();
      return { kind: 'host-key', accept: answer === 'yes' || answer === 'y' };
    }
    case 'passphrase': {
      const secret = await ask(`${p.retry ? 'Wrong passphrase. ' : ''}Passphrase for ${p.keyFile}: `, true);
      return secret === null ? { kind: 'cancel' } : { kind: 'secret', secret };
    }
    case 'password': {
      const secret = await ask(`${p.retry ? 'Wrong password. ' : ''}Password for ${p.user}@${p.host}: `, true);
      return secret === null ? { kind: 'cancel' } : { kind: 'secret', secret };
    }
    case 'keyboard-interactive': {
      if (p.instructions) process.stderr.write(`${p.instructions}\n`);
      const responses: string[] = [];
      for (const q of p.prompts) {
        const response = await ask(q.prompt, !q.echo);
        if (response === null) return { kind: 'cancel' };
        responses.push(response);
      }
      return { kind: 'responses', responses };
    }
    default:
      return { kind: 'cancel' };
  }
}

/** Answers the host's connection prompts for the lifetime of one CLI command; returns an unsubscribe function. */
export function answerPromptsOnTerminal(host: ContractHost, io: { err(text: string): void }): () => void {
  const call = callerFor(host);
  let queue = Promise.resolve();
  return host.subscribe((event, payload) => {
    if (event !== 'prompt.request') return;
    const prompt = payload as Prompt;
    // Asked of the `opsdeck run` that started the run, which answers it itself.
    if (prompt.kind === 'step-confirmation') return;
    queue = queue.then(async () => {
      let answer: PromptAnswer;
      if (process.stdin.isTTY && process.stderr.isTTY) {
        answer = await answerOnTerminal(prompt);
      } else {
        io.err(
          prompt.kind === 'host-key'
            ? `opsdeck: ${prompt.host} has an unknown ${prompt.keyType} key ${prompt.fingerprint}; run \`opsdeck hosts test ${prompt.host}\` in a terminal (or accept it in the cockpit) first\n`
            : `opsdeck: ${prompt.host} needs a ${prompt.kind === 'passphrase' ? 'key passphrase' : 'password'} and there is no terminal to ask on; load the key into ssh-agent\n`,
        );
        answer = { kind: 'cancel' };
      }
      await call('prompts.answer', { id: prompt.id, answer }).catch(() => undefined);
    });
  });
}

export function formatHosts(hosts: readonly InventoryHost[]): string {
  if (hosts.length === 0) return 'No hosts yet: add one with `opsdeck hosts add NAME --address ADDR` or `opsdeck hosts import-ssh-config`.';
  const rows = hosts.map((h) => [h.name, `${h.user ? `${h.user}@` : ''}${h.address}${h.port === 22 ? '' : `:${h.port}`}`, h.jump.join(' → '), h.tags.join(','), h.source]);
  const header = ['NAME', 'ADDRESS', 'VIA', 'TAGS', 'SOURCE'];
  const table = [header, ...rows];
  const widths = header.map((_, c) => Math.max(...table.map((r) => (r[c] ?? '').length)));
  return table.map((r) => r.map((cell, c) => cell.padEnd(widths[c] ?? 0)).join('  ').trimEnd()).join('\n');
}

export function hostFieldsFromOptions(name: string, o: HostAddOptions) {
  if (!Number.isInteger(o.port) || o.port < 1 || o.port > 65535) throw new CliUsageError('--port takes a number from 1 to 65535');
  return {
    name,
    address: o.address ?? name,
    port: o.port,
    user: o.user ?? null,
    identityFile: o.identity ?? null,
    identityAgent: null,
    jump: o.jump,
    tags: o.tag,
    notes: o.notes ?? '',
    forwardAgent: o.forwardAgent ?? false,
  };
}
