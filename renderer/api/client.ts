/**
 * The one client the renderer uses: Electron IPC when the preload bridge is there, otherwise a WebSocket to the
 * web host that served this page.
 */
import { createClient, type Client } from '../../shared/contract/client.js';
import { alwaysConnected, type ConnectionSource } from './connection.js';
import { createIpcTransport } from './ipc-transport.js';
import { createWsTransport, rpcUrl } from './ws-transport.js';

function pick(): { client: Client; connection: ConnectionSource } {
  const bridge = window.opsdeck;
  if (bridge) return { client: createClient(createIpcTransport(bridge)), connection: alwaysConnected };
  const transport = createWsTransport(rpcUrl(window.location));
  return { client: createClient(transport), connection: transport };
}

const picked = pick();

export const client: Client = picked.client;
export const connection: ConnectionSource = picked.connection;
