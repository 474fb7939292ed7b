/** Turns anything thrown by a call into one line a user can read: the contract's message, never a stack. */
import { ContractError } from '../../shared/contract/errors.js';

export function errorMessage(error: unknown): string {
  if (error instanceof ContractError) return error.message;
  if (error instanceof Error) return error.message.split('\n')[0] || 'Something went wrong.';
  if (typeof error === 'string' && error.length > 0) return error.split('\n')[0] ?? error;
  return 'Something went wrong.';
}
