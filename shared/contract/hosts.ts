/**
 * Remote hosts in the contract: the inventory, where a step runs (this machine, one host, or every host of a tag),
 * and the prompts an SSH connection may need answered by the user (an unknown host key, a passphrase, a password).
 */
import { z } from 'zod';

export const HostName = z.string().trim().min(1).max(200).regex(/^[^\s,]+$/, 'a host name has no spaces or commas');

export const HostFields = z.object({
  name: HostName,
  /** DNS name or IP address to connect to (ssh_config's HostName). */
  address: z.string().trim().min(1).max(255),
  port: z.number().int().min(1).max(65535),
  user: z.string().trim().min(1).max(100).nullable(),
  /** Private key file (ssh_config's IdentityFile), `~` allowed. */
  identityFile: z.string().max(4096).nullable(),
  /** Agent socket (IdentityAgent); null: SSH_AUTH_SOCK. */
  identityAgent: z.string().max(4096).nullable(),
  /** ProxyJump hops, in order: inventory names or `[user@]host[:port]`. */
  jump: z.array(z.string().trim().min(1).max(300)).max(8),
  tags: z.array(z.string().trim().min(1).max(100).regex(/^[^\s,]+$/)).max(50),
  notes: z.string().max(10_000),
  /** ForwardAgent: only where the host's entry asks for it. */
  forwardAgent: z.boolean(),
});
export type HostFields = z.infer<typeof HostFields>;

export const Host = HostFields.extend({
  id: z.string(),
  source: z.enum(['manual', 'ssh-config']),
  updatedAt: z.string(),
});
export type Host = z.infer<typeof Host>;

export const SshConfigPreview = z.object({
  file: z.string(),
  hosts: z.array(HostFields.extend({ exists: z.boolean() })),
  /** Patterns and entries that could not become a concrete host, with why. */
  skipped: z.array(z.object({ pattern: z.string(), reason: z.string() })),
});
export type SshConfigPreview = z.infer<typeof SshConfigPreview>;

export const Target = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('local') }),
  z.object({ kind: z.literal('host'), host: HostName }),
  z.object({
    kind: z.literal('tag'),
    tag: z.string().min(1).max(100),
    /** Hosts at once; 10 unless said otherwise. */
    concurrency: z.number().int().min(1).max(200).optional(),
    stopOnFailure: z.boolean().optional(),
    /** Run on one host first; the rest only if it succeeded. */
    canary: z.boolean().optional(),
  }),
]);
export type Target = z.infer<typeof Target>;

export const HostTest = z.object({
  ok: z.boolean(),
  message: z.string(),
  keyType: z.string().nullable(),
  fingerprint: z.string().nullable(),
  latencyMs: z.number().nullable(),
});
export type HostTest = z.infer<typeof HostTest>;

export const Prompt = z.discriminatedUnion('kind', [
  z.object({
    id: z.string(),
    kind: z.literal('host-key'),
    host: z.string(),
    address: z.string(),
    port: z.number().int(),
    keyType: z.string(),
    /** SHA256:base64, as OpenSSH prints it. */
    fingerprint: z.string(),
  }),
  z.object({
    id: z.string(),
    kind: z.literal('passphrase'),
    host: z.string(),
    keyFile: z.string(),
    retry: z.boolean(),
    /** True where the OS keychain can keep it (the desktop app); the answer's `remember` is ignored otherwise. */
    canRemember: z.boolean(),
  }),
  z.object({ id: z.string(), kind: z.literal('password'), host: z.string(), user: z.string(), retry: z.boolean() }),
  z.object({
    id: z.string(),
    kind: z.literal('keyboard-interactive'),
    host: z.string(),
    name: z.string(),
    instructions: z.string(),
    prompts: z.array(z.object({ prompt: z.string(), echo: z.boolean() })),
  }),
  /**
   * A destructive step of an unattended run started with `askConfirmation` (opsdeck run on a terminal): answered
   * with `responses: [typed]`, which must equal `expect`; only the client that started the run answers it.
   */
  z.object({
    id: z.string(),
    kind: z.literal('step-confirmation'),
    runId: z.string(),
    stepId: z.string(),
    title: z.string(),
    reasons: z.array(z.string()),
    /** What to type: the machine's, host's or tag's name. */
    expect: z.string(),
    /** How to name it: "the machine name", "the host name", "the tag". */
    what: z.string(),
  }),
]);
export type Prompt = z.infer<typeof Prompt>;

export const PromptAnswer = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('host-key'), accept: z.boolean() }),
  z.object({ kind: z.literal('secret'), secret: z.string().max(10_000), remember: z.boolean().optional() }),
  z.object({ kind: z.literal('responses'), responses: z.array(z.string().max(10_000)).max(20) }),
  z.object({ kind: z.literal('cancel') }),
]);
export type PromptAnswer = z.infer<typeof PromptAnswer>;

/** Where a remote attempt ran, recorded with its result. */
export const RemoteEndpoint = z.object({
  host: z.string(),
  address: z.string(),
  port: z.number().int(),
  user: z.string(),
  keyType: z.string(),
  fingerprint: z.string(),
});
export type RemoteEndpoint = z.infer<typeof RemoteEndpoint>;
