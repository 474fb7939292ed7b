/** What each connection prompt says, worded as OpenSSH words it so operators recognise the question. */
import type { Prompt } from '../../../shared/contract/hosts.js';
import type { ConnectionPrompt } from '../../stores/prompt-store.js';
import { assertNever } from '../../components/assert-never.js';
import { keyTypeLabel } from '../../components/ssh-text.js';

type HostKeyPrompt = Extract<Prompt, { kind: 'host-key' }>;

/** `host (address:port)`, or just `host:port` when the name is the address. */
export function hostKeyPlace(prompt: Pick<HostKeyPrompt, 'host' | 'address' | 'port'>): string {
  return prompt.host === prompt.address ? `${prompt.address}:${prompt.port}` : `${prompt.host} (${prompt.address}:${prompt.port})`;
}

export function hostKeyQuestion(prompt: HostKeyPrompt): string {
  return (
    `The authenticity of host ${hostKeyPlace(prompt)} can't be established. ` +
    `${keyTypeLabel(prompt.keyType)} key fingerprint is ${prompt.fingerprint}.`
  );
}

export function promptTitle(prompt: ConnectionPrompt): string {
  switch (prompt.kind) {
    case 'host-key':
      return `Unknown host key: ${prompt.host}`;
    case 'passphrase':
      return `Passphrase for ${prompt.keyFile}`;
    case 'password':
      return `Password for ${prompt.user}@${prompt.host}`;
    case 'keyboard-interactive':
      return prompt.name.trim() ? `${prompt.host}: ${prompt.name.trim()}` : `${prompt.host} asks`;
    default:
      return assertNever(prompt);
  }
}

/** The line under a secret's title: why it is asked, and that the last one was wrong. */
export function secretHint(prompt: Extract<Prompt, { kind: 'passphrase' | 'password' }>): string {
  if (prompt.kind === 'passphrase') {
    return prompt.retry
      ? 'Wrong passphrase, try again.'
      : `To unlock the key ${prompt.keyFile} for the connection to ${prompt.host}.`;
  }
  return prompt.retry ? 'Wrong password, try again.' : `${prompt.host} asks for ${prompt.user}'s password.`;
}
