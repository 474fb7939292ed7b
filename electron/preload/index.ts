/**
 * The renderer's only way out of its sandbox: `window.opsdeck` with call, on and ack, carried over the `rpc`, `evt`
 * and `ack` channels of electron/main/ipc-bridge.ts. No logic here; main checks every message.
 */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import type { EventMessage, RpcResult } from '../../shared/contract/wire.js';

/** What the renderer sees as `window.opsdeck`; its Electron transport wraps exactly this. */
export interface OpsdeckBridge {
  call(method: string, input: unknown): Promise<RpcResult>;
  /** Every event, as it arrives; returns an unsubscribe function. */
  on(listener: (event: string, payload: unknown) => void): () => void;
  ack(chars: number, stream?: string): void;
}

const bridge: OpsdeckBridge = {
  call: (method, input) => ipcRenderer.invoke('rpc', { method, input }) as Promise<RpcResult>,
  on: (listener) => {
    const forward = (_event: IpcRendererEvent, message: EventMessage): void => listener(message.event, message.payload);
    ipcRenderer.on('evt', forward);
    return () => {
      ipcRenderer.removeListener('evt', forward);
    };
  },
  ack: (chars, stream) => ipcRenderer.send('ack', stream === undefined ? chars : { chars, stream }),
};

contextBridge.exposeInMainWorld('opsdeck', bridge);
