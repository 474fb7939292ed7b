/**
 * The typed client the renderer (and tests) use: `call` a method, `on` an event. It knows nothing of how messages
 * travel; a Transport (Electron IPC or WebSocket) does that.
 */
import { ContractError, isErrorCode } from './errors.js';
import type { EventName, EventPayload, MethodInput, MethodName, MethodOutput } from './methods.js';
import type { RpcResult } from './wire.js';

export interface Transport {
  request(method: string, input: unknown): Promise<RpcResult>;
  /** Every event, as it arrives; returns an unsubscribe function. */
  subscribe(listener: (event: string, payload: unknown) => void): () => void;
  /** Tells the source how many characters of output were drawn (flow control); optional. */
  ack?(chars: number, stream?: string): void;
}

export interface Client {
  call<M extends MethodName>(method: M, input: MethodInput<M>): Promise<MethodOutput<M>>;
  on<E extends EventName>(event: E, handler: (payload: EventPayload<E>) => void): () => void;
  /** Drawn output, for flow control; `stream` names the terminal, or the attempt of step output. Fire and forget. */
  ack(chars: number, stream?: string): void;
}

export function createClient(transport: Transport): Client {
  return {
    async call(method, input) {
      const result = await transport.request(method, input);
      if (result.ok) return result.result as MethodOutput<typeof method>;
      const code = isErrorCode(result.error.code) ? result.error.code : 'internal';
      throw new ContractError(code, result.error.message);
    },
    on(event, handler) {
      return transport.subscribe((name, payload) => {
        if (name === event) handler(payload as EventPayload<typeof event>);
      });
    },
    ack(chars, stream) {
      transport.ack?.(chars, stream);
    },
  };
}
