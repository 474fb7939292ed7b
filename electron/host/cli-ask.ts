/**
 * Questions asked on the terminal by CLI commands: one line read from stdin with the question on stderr (so stdout
 * stays the command's output), typing hidden for secrets, and no answer at all when the user presses Ctrl-C.
 */
import { createInterface } from 'node:readline';
import { Writable } from 'node:stream';
import type { Prompt, PromptAnswer } from '../../shared/contract/hosts.js';

/**
 * Reads one line from the terminal; `secret` hides what is typed. Resolves to null when there is no answer: Ctrl-C or
 * Ctrl-D at the question, or `signal` aborted (the question was answered elsewhere or timed out).
 */
export async function ask(question: string, secret: boolean, signal?: AbortSignal): Promise<string | null> {
  let muted = false;
  const output = new Writable({
    write(chunk: Buffer, _encoding, done) {
      if (!muted) process.stderr.write(chunk);
      done();
    },
  });
  const rl = createInterface({ input: process.stdin, output, terminal: true });
  try {
    return await new Promise<string | null>((resolve) => {
      if (signal?.aborted) return resolve(null);
      rl.question(question, (answer) => resolve(answer));
      muted = secret;
      // Raw mode turns Ctrl-C into a keystroke: readline reports it here instead of signalling the process.
      rl.once('SIGINT', () => resolve(null));
      rl.once('close', () => resolve(null));
      signal?.addEventListener('abort', () => resolve(null), { once: true });
    });
  } finally {
    muted = false;
    rl.close();
    if (secret) process.stderr.write('\n');
  }
}

/**
 * Asks on the terminal whether a destructive step of this command's run may run: the step, why it is destructive,
 * and what to type. Null when the question went away first (answered elsewhere, or timed out in the owner).
 */
export async function askStepConfirmation(
  prompt: Extract<Prompt, { kind: 'step-confirmation' }>,
  signal: AbortSignal,
): Promise<PromptAnswer | null> {
  process.stderr.write(`\n⚠ "${prompt.title}" is destructive: ${prompt.reasons.join('; ') || 'it changes or removes things'}\n`);
  const typed = await ask(`Type ${prompt.what} ${prompt.expect} to run it (or press Enter to stop): `, false, signal);
  if (signal.aborted) return null;
  return typed === null ? { kind: 'cancel' } : { kind: 'responses', responses: [typed.trim()] };
}
