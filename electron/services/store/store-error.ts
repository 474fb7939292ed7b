/**
 * The one error type the store lets out, with a code callers can switch on and a message fit to show a user.
 */
export type StoreErrorCode =
  | 'cannot_open'
  | 'not_a_database'
  | 'schema_too_new'
  | 'migration_failed'
  | 'not_found'
  | 'ambiguous';

export interface Candidate {
  id: string;
  title: string;
  path: string;
}

export class StoreError extends Error {
  override readonly name = 'StoreError';

  constructor(
    readonly code: StoreErrorCode,
    message: string,
    /** For `ambiguous`: the records the query matched. */
    readonly candidates: readonly Candidate[] = [],
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
