/**
 * The next command's session channel, opened ahead. ssh2's `exec` opens a channel and sends the exec request once
 * the server confirms it: two round trips before a command starts. With a channel opened while the connection is
 * otherwise idle (or while the previous command runs), a command starts after one: on a 50 ms link that is 50 ms a
 * step. One such channel at most per connection, never one of the sessions kept free for ending commands, and given
 * back (closed) whenever the server runs short of sessions.
 *
 * ssh2 has no public "open a session now, exec on it later". This takes the same steps as its `openChannel` and
 * `reqExec` (ssh2 1.17, pinned by the lockfile): a wrapper in the client's channel table that the open confirmation
 * turns into a Channel, then the exec request with its reply queued on the channel. The SSH integration tests run
 * every command through here, so a change in those internals fails them rather than users.
 */
import type { Client as SshClient, ClientChannel } from 'ssh2';

/** ssh2's own sizes for a session channel (lib/Channel.js): the receive window and the largest packet. */
const MAX_WINDOW = 2 * 1024 * 1024;
const PACKET_SIZE = 32 * 1024;

/** The parts of ssh2's client and channel used here (not in its types). */
interface Ssh2Internals {
  _chanMgr: { add(wrapper: unknown): number; remove(id: number): void };
  _protocol: { session(local: number, window: number, packetSize: number): void; exec(remote: number, command: string, wantReply: boolean): void };
}
interface ChannelInternals {
  outgoing: { id: number; state: string };
  _callbacks: Array<(error: unknown) => void>;
  subtype?: string;
}

export interface SessionsAhead {
  /**
   * The channel opened ahead, if one is ready. Either way the next one is opened once the caller's exec request has
   * left (if `allowed()` says there is room): the first command on a connection starts that.
   */
  take(): ClientChannel | null;
  /** Closes the one held (or being opened), giving the server its session back, until the next take(); false if none was held. */
  release(): boolean;
  /** Commands that ran on a channel opened ahead (diagnostics, tests). */
  readonly used: number;
}

/** `allowed`: whether one more session may be held open now (the connection is up and has room). */
export function createSessionsAhead(client: SshClient, allowed: () => boolean): SessionsAhead {
  const internals = client as unknown as Ssh2Internals;
  let ready: ClientChannel | null = null;
  let opening = false;
  /** The server refused a session to one opened ahead: it allows few; do not hold one on this connection again. */
  let refused = false;
  /** Given back for something that needed the session: none is held again before the next command. */
  let yielded = false;
  let used = 0;

  const fill = (): void => {
    if (ready || opening || refused || yielded || !allowed()) return;
    const wrapper = (error: Error | undefined, channel: ClientChannel): void => {
      opening = false;
      if (error) {
        refused = true;
        return;
      }
      if (yielded || !allowed()) {
        channel.close();
        return;
      }
      ready = channel;
      // Flowing, so that a close by the server is seen (ssh2 emits it after the stream's end). Nothing arrives on it
      // before an exec request, and the exec's reply (which adds the data listeners) comes before any output.
      channel.resume();
      channel.once('close', () => {
        if (ready === channel) ready = null;
      });
    };
    (wrapper as unknown as { type: string }).type = 'session'; // what the open confirmation reads
    let local: number;
    try {
      local = internals._chanMgr.add(wrapper);
      if (local === -1) return;
      opening = true;
      internals._protocol.session(local, MAX_WINDOW, PACKET_SIZE);
    } catch {
      opening = false; // the socket is going: the connection's own handlers deal with that
    }
  };

  return {
    take() {
      const channel = ready;
      ready = null;
      yielded = false;
      queueMicrotask(fill);
      if (!channel || (channel as unknown as ChannelInternals).outgoing.state !== 'open') return null;
      used++;
      return channel;
    },
    release() {
      const channel = ready;
      ready = null;
      yielded = true; // one still being opened is closed when it arrives
      channel?.close();
      return channel !== null;
    },
    get used() {
      return used;
    },
  };
}

/**
 * Sends the exec request on `channel` (opened ahead); `callback` as for ssh2's `exec`. An error (the server closed
 * the channel meanwhile, or refused the request) leaves the caller to open a fresh channel instead.
 */
export function execOnChannel(channel: ClientChannel, command: string, callback: (error: Error | undefined, channel: ClientChannel) => void): void {
  const chan = channel as unknown as ChannelInternals;
  const protocol = (channel as unknown as { _client: Ssh2Internals })._client._protocol;
  if (chan.outgoing.state !== 'open') return callback(new Error('Channel is not open'), channel);
  chan._callbacks.push((failed) => {
    if (failed) return callback(failed instanceof Error ? failed : new Error('Unable to exec'), channel);
    chan.subtype = 'exec';
    channel.allowHalfOpen = true;
    callback(undefined, channel);
  });
  protocol.exec(chan.outgoing.id, command, true);
}
