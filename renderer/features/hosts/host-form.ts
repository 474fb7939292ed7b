/**
 * The host form as data: what the fields hold while typed (all text), how that becomes the contract's HostFields,
 * and how the host's validation message is split back onto the fields it is about. Kept free of React and the
 * client so the rules are unit-tested.
 */
import type { Host, HostFields } from '../../../shared/contract/hosts.js';
import type { ErrorCode } from '../../../shared/contract/errors.js';

export const HOST_FIELDS = ['name', 'address', 'port', 'user', 'identityFile', 'jump', 'tags', 'notes'] as const;
export type HostFieldName = (typeof HOST_FIELDS)[number];

export interface HostDraft {
  name: string;
  address: string;
  port: string;
  user: string;
  identityFile: string;
  /** Comma-separated ProxyJump hops, in order. */
  jump: string;
  /** Comma-separated tags. */
  tags: string;
  notes: string;
  forwardAgent: boolean;
  /** Not editable here (ssh_config's IdentityAgent); kept as it was so saving the form does not drop it. */
  identityAgent: string | null;
}

export interface FormErrors {
  fields: Partial<Record<HostFieldName, string>>;
  /** What could not be tied to one field. */
  general: string | null;
}

export const DEFAULT_SSH_PORT = 22;

export function emptyDraft(): HostDraft {
  return {
    name: '',
    address: '',
    port: String(DEFAULT_SSH_PORT),
    user: '',
    identityFile: '',
    jump: '',
    tags: '',
    notes: '',
    forwardAgent: false,
    identityAgent: null,
  };
}

export function draftFromHost(host: Host): HostDraft {
  return {
    name: host.name,
    address: host.address,
    port: String(host.port),
    user: host.user ?? '',
    identityFile: host.identityFile ?? '',
    jump: host.jump.join(', '),
    tags: host.tags.join(', '),
    notes: host.notes,
    forwardAgent: host.forwardAgent,
    identityAgent: host.identityAgent,
  };
}

/** `a, b,,c ` -> `['a', 'b', 'c']`: empty items and surrounding spaces dropped, duplicates kept once. */
export function splitList(text: string): string[] {
  return [...new Set(text.split(',').map((item) => item.trim()).filter((item) => item.length > 0))];
}

/**
 * The fields to send, or what is wrong before sending. Only what the user can fix at a glance is checked here
 * (required, a port number, no spaces in names); the host's schema stays the authority and its message is shown too.
 */
export function draftToFields(draft: HostDraft): { ok: true; fields: HostFields } | { ok: false; errors: FormErrors } {
  const fields: FormErrors['fields'] = {};
  const name = draft.name.trim();
  const address = draft.address.trim();
  const portText = draft.port.trim();
  const port = portText === '' ? DEFAULT_SSH_PORT : Number(portText);
  const tags = splitList(draft.tags);
  if (name === '') fields.name = 'A name is required.';
  else if (/[\s,]/.test(name)) fields.name = 'A host name has no spaces or commas.';
  if (address === '') fields.address = 'An address (DNS name or IP) is required.';
  else if (/\s/.test(address)) fields.address = 'An address has no spaces.';
  if (!Number.isInteger(port) || port < 1 || port > 65535) fields.port = 'The port is a number from 1 to 65535.';
  const spaced = tags.find((tag) => /\s/.test(tag));
  if (spaced !== undefined) fields.tags = `A tag has no spaces: “${spaced}”.`;
  if (Object.keys(fields).length > 0) return { ok: false, errors: { fields, general: null } };
  return {
    ok: true,
    fields: {
      name,
      address,
      port,
      user: draft.user.trim() || null,
      identityFile: draft.identityFile.trim() || null,
      identityAgent: draft.identityAgent,
      jump: splitList(draft.jump),
      tags,
      notes: draft.notes,
      forwardAgent: draft.forwardAgent,
    },
  };
}

function isFieldName(value: string): value is HostFieldName {
  return (HOST_FIELDS as readonly string[]).includes(value);
}

/**
 * Puts the host's refusal next to the fields it names. `invalid_input` reads `hosts.save: port: Too big…; name: …`
 * (dispatch's format: `path: message` joined by `; `, array items as `tags.1`); `conflict` is the name being taken.
 */
export function errorsFromHost(code: ErrorCode | null, message: string): FormErrors {
  if (code === 'conflict') return { fields: { name: message }, general: null };
  if (code !== 'invalid_input') return { fields: {}, general: message };
  const body = message.replace(/^hosts\.save:\s*/, '');
  const fields: FormErrors['fields'] = {};
  const rest: string[] = [];
  for (const part of body.split('; ')) {
    const match = /^([A-Za-z]+)(?:\.\d+)*: (.*)$/s.exec(part);
    const field = match?.[1];
    if (match && field !== undefined && isFieldName(field)) {
      fields[field] = fields[field] ? `${fields[field]}; ${match[2] ?? ''}` : match[2] ?? '';
    } else {
      rest.push(part);
    }
  }
  return { fields, general: rest.length > 0 ? rest.join('; ') : null };
}

/** How a host reads in one line: `deploy@10.0.0.5:22`. */
export function formatEndpoint(host: Pick<HostFields, 'user' | 'address' | 'port'>): string {
  return `${host.user ? `${host.user}@` : ''}${host.address}:${host.port}`;
}
