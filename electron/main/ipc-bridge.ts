/**
 * The Electron transport for the contract: `rpc` calls reach `dispatch` only from our window's top frame showing
 * our page; events go back to that window on `evt`; `ack` carries flow control. Same shapes as the web host.
 */
import { ipcMain, type BrowserWindow, type IpcMainEvent, type IpcMainInvokeEvent } from 'electron';
import type { CallContext } from '../../shared/contract/dispatch.js';
import type { EventMessage, RpcResult } from '../../shared/contract/wire.js';
import { isAppUrl } from './security.js';

export const RPC_CHANNEL = 'rpc';
export const EVENT_CHANNEL = 'evt';
export const ACK_CHANNEL = 'ack';

/** What the bridge needs of the host (electron/host/host.ts). */
export interface BridgeHost {
  dispatch(method: string, input: unknown, ctx?: CallContext): Promise<RpcResult>;
  subscribe(listener: (event: string, payload: unknown) => void): () => void;
  onAck?(chars: number, stream?: string): void;
}

export interface IpcBridgeOptions {
  host: BridgeHost;
  /** The main window, if there is one now (it can be closed and made again). */
  getWindow: () => BrowserWindow | null;
  /** file:// URL of our index.html: the only page allowed to call. */
  appIndexUrl: string;
}

/** True only for a message from the main window's top frame while it shows our page. */
export function isTrustedSender(event: IpcMainEvent | IpcMainInvokeEvent, window: BrowserWindow | null, appIndexUrl: string): boolean {
  if (!window || window.isDestroyed()) return false;
  if (event.sender !== window.webContents) return false;
  const frame = event.senderFrame;
  if (!frame || frame.parent !== null) return false;
  return isAppUrl(frame.url, appIndexUrl);
}

function isRpcRequest(value: unknown): value is { method: string; input?: unknown } {
  return typeof value === 'object' && value !== null && typeof (value as { method?: unknown }).method === 'string';
}

/** Installs the handlers; the returned function removes them and stops forwarding events. */
export function installIpcBridge({ host, getWindow, appIndexUrl }: IpcBridgeOptions): () => void {
  ipcMain.handle(RPC_CHANNEL, async (event, request: unknown): Promise<RpcResult> => {
    if (!isTrustedSender(event, getWindow(), appIndexUrl)) {
      return { ok: false, error: { code: 'unauthorized', message: "refused: the caller is not Opsdeck's own window" } };
    }
    if (!isRpcRequest(request)) {
      return { ok: false, error: { code: 'invalid_input', message: 'a call needs { method, input }' } };
    }
    try {
      return await host.dispatch(request.method, request.input, { origin: 'ui' });
    } catch (error) {
      // dispatch should never throw; if it does, the renderer still gets an answer it can show.
      const text = error instanceof Error ? error.message : String(error);
      return { ok: false, error: { code: 'internal', message: `${request.method} failed: ${text.split('\n')[0] ?? ''}` } };
    }
  });

  const onAck = (event: IpcMainEvent, payload: unknown): void => {
    if (!isTrustedSender(event, getWindow(), appIndexUrl)) return;
    const { chars, stream } = typeof payload === 'object' && payload !== null ? (payload as { chars?: unknown; stream?: unknown }) : { chars: payload, stream: undefined };
    if (typeof chars !== 'number' || !Number.isFinite(chars) || chars < 0) return;
    if (stream !== undefined && (typeof stream !== 'string' || stream.length > 200)) return;
    host.onAck?.(chars, stream);
  };
  ipcMain.on(ACK_CHANNEL, onAck);

  const unsubscribe = host.subscribe((event, payload) => {
    const window = getWindow();
    if (!window || window.isDestroyed()) return;
    // Never hand our data to a page that is not ours, should navigation ever get past security.ts.
    if (!isAppUrl(window.webContents.getURL(), appIndexUrl)) return;
    const message: EventMessage = { kind: 'evt', event, payload };
    window.webContents.send(EVENT_CHANNEL, message);
  });

  return () => {
    ipcMain.removeHandler(RPC_CHANNEL);
    ipcMain.off(ACK_CHANNEL, onAck);
    unsubscribe();
  };
}
