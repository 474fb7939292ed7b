import { beforeEach, describe, expect, it, vi } from 'vitest';

const electron = vi.hoisted(() => {
  const handlers = new Map<string, (event: unknown, ...args: unknown[]) => unknown>();
  const listeners = new Map<string, (event: unknown, ...args: unknown[]) => void>();
  return {
    handlers,
    listeners,
    ipcMain: {
      handle: vi.fn((channel: string, handler: (event: unknown, ...args: unknown[]) => unknown) => handlers.set(channel, handler)),
      removeHandler: vi.fn((channel: string) => handlers.delete(channel)),
      on: vi.fn((channel: string, listener: (event: unknown, ...args: unknown[]) => void) => listeners.set(channel, listener)),
      off: vi.fn((channel: string) => listeners.delete(channel)),
    },
  };
});
vi.mock('electron', () => ({ ipcMain: electron.ipcMain }));

import type { BrowserWindow } from 'electron';
import { installIpcBridge } from '../../../../electron/main/ipc-bridge.js';
import type { RpcResult } from '../../../../shared/contract/wire.js';

const INDEX = 'file:///opt/Opsdeck/resources/app/dist/renderer/index.html';

function setup() {
  const topFrame = { parent: null, url: `${INDEX}#/runs` };
  const webContents = { mainFrame: topFrame, getURL: vi.fn(() => `${INDEX}#/runs`), send: vi.fn() };
  const window = { isDestroyed: () => false, webContents };
  const listeners = new Set<(event: string, payload: unknown) => void>();
  const host = {
    dispatch: vi.fn(async (method: string, input: unknown): Promise<RpcResult> => ({ ok: true, result: { method, input } })),
    subscribe: vi.fn((listener: (event: string, payload: unknown) => void) => {
      listeners.add(listener);
      return () => void listeners.delete(listener);
    }),
    onAck: vi.fn(),
  };
  const dispose = installIpcBridge({ host, getWindow: () => window as unknown as BrowserWindow, appIndexUrl: INDEX });
  const invoke = (event: unknown, request: unknown) => electron.handlers.get('rpc')?.(event, request) as Promise<RpcResult>;
  const goodEvent = { sender: webContents, senderFrame: topFrame };
  const emit = (event: string, payload: unknown) => listeners.forEach((l) => l(event, payload));
  return { host, window, webContents, dispose, invoke, goodEvent, emit, listeners };
}

beforeEach(() => {
  electron.handlers.clear();
  electron.listeners.clear();
});

describe('the IPC bridge', () => {
  it("forwards a call from our window's top frame to dispatch, as the UI", async () => {
    const { host, invoke, goodEvent } = setup();
    const result = await invoke(goodEvent, { method: 'app.info', input: {} });
    expect(result).toEqual({ ok: true, result: { method: 'app.info', input: {} } });
    expect(host.dispatch).toHaveBeenCalledWith('app.info', {}, { origin: 'ui' });
  });

  it('refuses a call from another web contents, a subframe, a foreign page or a gone frame', async () => {
    const { host, invoke, webContents } = setup();
    const otherContents = { ...webContents };
    const refusals = [
      { sender: otherContents, senderFrame: { parent: null, url: INDEX } },
      { sender: webContents, senderFrame: { parent: {}, url: INDEX } },
      { sender: webContents, senderFrame: { parent: null, url: 'https://evil.example/' } },
      { sender: webContents, senderFrame: { parent: null, url: 'file:///tmp/evil/index.html' } },
      { sender: webContents, senderFrame: null },
    ];
    for (const event of refusals) {
      expect(await invoke(event, { method: 'app.info', input: {} })).toMatchObject({ ok: false, error: { code: 'unauthorized' } });
    }
    expect(host.dispatch).not.toHaveBeenCalled();
  });

  it('answers a malformed call with invalid_input', async () => {
    const { host, invoke, goodEvent } = setup();
    for (const request of [undefined, 'app.info', { input: {} }, { method: 42 }]) {
      expect(await invoke(goodEvent, request)).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
    }
    expect(host.dispatch).not.toHaveBeenCalled();
  });

  it('sends host events to the window on the evt channel, and only while it shows our page', () => {
    const { emit, webContents } = setup();
    emit('run.updated', { id: 'r1' });
    expect(webContents.send).toHaveBeenCalledWith('evt', { kind: 'evt', event: 'run.updated', payload: { id: 'r1' } });
    webContents.getURL.mockReturnValue('https://evil.example/');
    emit('run.updated', { id: 'r2' });
    expect(webContents.send).toHaveBeenCalledTimes(1);
  });

  it('sends terminal output as its bytes, which structured clone carries to the renderer as a Uint8Array', () => {
    const { emit, webContents } = setup();
    const data = Buffer.from('ok ✓\r\n');
    emit('term.data', { id: 't1', data });
    expect(webContents.send).toHaveBeenCalledWith('evt', { kind: 'evt', event: 'term.data', payload: { id: 't1', data } });
    const sent = (webContents.send.mock.calls[0] as unknown[])[1] as { payload: { data: Uint8Array } };
    const cloned = structuredClone(sent).payload.data;
    expect(cloned).toBeInstanceOf(Uint8Array);
    expect(new TextDecoder().decode(cloned)).toBe('ok ✓\r\n');
  });

  it('passes acks from our window to the host, and ignores others and nonsense', () => {
    const { host, goodEvent, webContents } = setup();
    const ack = electron.listeners.get('ack');
    ack?.(goodEvent, 5000);
    ack?.({ sender: { ...webContents }, senderFrame: goodEvent.senderFrame }, 7);
    ack?.(goodEvent, -1);
    ack?.(goodEvent, 'lots');
    ack?.(goodEvent, { chars: 4000, stream: 'term-1' });
    ack?.(goodEvent, { chars: 4000, stream: 42 });
    expect(host.onAck.mock.calls).toEqual([[5000, undefined], [4000, 'term-1']]);
  });

  it('removes its handlers and stops forwarding when disposed', () => {
    const { dispose, listeners } = setup();
    dispose();
    expect(electron.handlers.has('rpc')).toBe(false);
    expect(electron.listeners.has('ack')).toBe(false);
    expect(listeners.size).toBe(0);
  });
});
