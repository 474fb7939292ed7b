/**
 * The contract over Electron IPC, through the bridge the preload script exposes as `window.opsdeck`. The bridge
 * carries the same `RpcResult` and event shapes as the WebSocket; this file only adapts names and turns a broken
 * bridge into `unavailable` instead of an exception.
 */
import type { Transport } from '../../shared/contract/client.js';
import type { RpcResult } from '../../shared/contract/wire.js';

/** What electron/preload exposes; keep in step with it. */
export interface OpsdeckBridge {
  call(method: string, input: unknown): Promise<RpcResult>;
  on(listener: (event: string, payload: unknown) => void): () => void;
  ack(chars: number, stream?: string): void;
}

declare global {
  interface Window {
    opsdeck?: OpsdeckBridge;
  }
}

export function createIpcTransport(bridge: OpsdeckBridge): Transport {
  return {
    async request(method, input) {
      try {
        return await bridge.call(method, input);
      } catch (error) {
        const message = error instanceof Error ? error.message.split('\n')[0] ?? '' : String(error);
        return { ok: false, error: { code: 'unavailable', message: `Opsdeck did not answer: ${message}` } };
      }
    },
    subscribe(listener) {
      return bridge.on(listener);
    },
    ack(chars, stream) {
      bridge.ack(chars, stream);
    },
  };
}
