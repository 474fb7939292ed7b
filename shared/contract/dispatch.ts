/**
 * The single door: every call from any transport comes through `dispatch`, which rejects unknown methods, parses
 * the input with the method's schema, calls the handler and lets only `{ code, message }` errors out.
 */
import { ContractError } from './errors.js';
import { methods, type MethodName, type MethodOutput, type MethodParsedInput } from './methods.js';
import type { RpcResult } from './wire.js';

/** Who is calling: lets a handler tell the UI from the CLI, and record it. */
export interface CallContext {
  origin: 'ui' | 'cli' | 'schedule';
}

/** One handler per method: a missing one is a compile error. */
export type Handlers = {
  [M in MethodName]: (input: MethodParsedInput<M>, ctx: CallContext) => Promise<MethodOutput<M>> | MethodOutput<M>;
};

export type Dispatch = (method: string, input: unknown, ctx?: CallContext) => Promise<RpcResult>;

export interface DispatchOptions {
  /** Told about unexpected errors (with their stacks) so they can be logged; the caller only sees `internal`. */
  onInternalError?: (method: string, error: unknown) => void;
}

function isMethod(name: string): name is MethodName {
  return Object.prototype.hasOwnProperty.call(methods, name);
}

function describeIssues(issues: ReadonlyArray<{ path: ReadonlyArray<PropertyKey>; message: string }>): string {
  return issues
    .slice(0, 5)
    .map((i) => (i.path.length > 0 ? `${i.path.map(String).join('.')}: ${i.message}` : i.message))
    .join('; ');
}

export function createDispatch(handlers: Handlers, options: DispatchOptions = {}): Dispatch {
  return async (method, input, ctx = { origin: 'ui' }) => {
    if (typeof method !== 'string' || !isMethod(method)) {
      return { ok: false, error: { code: 'unknown_method', message: `unknown method: ${String(method).slice(0, 100)}` } };
    }
    const parsed = methods[method].input.safeParse(input ?? {});
    if (!parsed.success) {
      return { ok: false, error: { code: 'invalid_input', message: `${method}: ${describeIssues(parsed.error.issues)}` } };
    }
    try {
      // The handler map is indexed by the same key the schema came from; TypeScript cannot correlate the two.
      const handler = handlers[method] as (input: unknown, ctx: CallContext) => unknown;
      const result = await handler(parsed.data, ctx);
      return { ok: true, result };
    } catch (error) {
      if (error instanceof ContractError) return { ok: false, error: error.toJSON() };
      options.onInternalError?.(method, error);
      const message = error instanceof Error ? error.message : String(error);
      return { ok: false, error: { code: 'internal', message: `${method} failed: ${message.split('\n')[0] ?? ''}` } };
    }
  };
}
