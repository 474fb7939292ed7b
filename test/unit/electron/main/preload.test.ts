/** The preload (electron/preload/index.ts) lives here with the main-process tests: it is the other end of the bridge. */
import { describe, expect, it, vi } from 'vitest';

const electron = vi.hoisted(() => ({
  contextBridge: { exposeInMainWorld: vi.fn() },
  ipcRenderer: {
    invoke: vi.fn(async (_channel: string, _request: unknown) => ({ ok: true, result: 'pong' })),
    on: vi.fn(),
    removeListener: vi.fn(),
    send: vi.fn(),
  },
}));
vi.mock('electron', () => electron);

import { ACK_CHANNEL, EVENT_CHANNEL, RPC_CHANNEL } from '../../../../electron/main/ipc-bridge.js';
import '../../../../electron/preload/index.js';
import type { OpsdeckBridge } from '../../../../electron/preload/index.js';

const [name, bridge] = (electron.contextBridge.exposeInMainWorld.mock.calls[0] ?? []) as [string, OpsdeckBridge];

describe('the preload', () => {
  it('exposes window.opsdeck with call, on and ack, and nothing else', () => {
    expect(electron.contextBridge.exposeInMainWorld).toHaveBeenCalledTimes(1);
    expect(name).toBe('opsdeck');
    expect(Object.keys(bridge).sort()).toEqual(['ack', 'call', 'on']);
  });

  it("call invokes main's rpc channel with { method, input }", async () => {
    expect(await bridge.call('app.info', {})).toEqual({ ok: true, result: 'pong' });
    expect(electron.ipcRenderer.invoke).toHaveBeenCalledWith(RPC_CHANNEL, { method: 'app.info', input: {} });
  });

  it('on hears evt messages as (event, payload) and unsubscribes the same listener', () => {
    const listener = vi.fn();
    const off = bridge.on(listener);
    const [channel, forward] = electron.ipcRenderer.on.mock.calls[0] as [string, (e: unknown, m: unknown) => void];
    expect(channel).toBe(EVENT_CHANNEL);
    forward({}, { kind: 'evt', event: 'run.updated', payload: { id: 'r1' } });
    expect(listener).toHaveBeenCalledWith('run.updated', { id: 'r1' });
    off();
    expect(electron.ipcRenderer.removeListener).toHaveBeenCalledWith(EVENT_CHANNEL, forward);
  });

  it('ack sends the count on the ack channel', () => {
    bridge.ack(5000);
    expect(electron.ipcRenderer.send).toHaveBeenCalledWith(ACK_CHANNEL, 5000);
    bridge.ack(4000, 'term-1');
    expect(electron.ipcRenderer.send).toHaveBeenCalledWith(ACK_CHANNEL, { chars: 4000, stream: 'term-1' });
  });
});
