/**
 * The only errors that cross the contract: a code the client can act on and a message a user can read.
 * Anything else thrown by a handler leaves the door as `internal`, with no stack.
 */
export const errorCodes = [
  'invalid_input',
  'unknown_method',
  'not_found',
  'ambiguous',
  'conflict',
  'import_failed',
  'missing_params',
  'invalid_param',
  'confirmation_required',
  'reason_required',
  'approval_required',
  'invalid_schedule',
  'unauthorized',
  'unavailable',
  'internal',
] as const;
export type ErrorCode = (typeof errorCodes)[number];

export interface ContractErrorShape {
  code: ErrorCode;
  message: string;
}

export class ContractError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string) {
    super(message);
    this.name = 'ContractError';
    this.code = code;
  }
  toJSON(): ContractErrorShape {
    return { code: this.code, message: this.message };
  }
}

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && (errorCodes as readonly string[]).includes(value);
}
