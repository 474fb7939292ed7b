/**
 * Routes live `step.output` events to the pane drawing that attempt, and acknowledges output for flow control, per
 * attempt (output-acks.ts): drawn output once xterm has rendered it, output nobody is looking at right away, so a
 * run in another window or a pane the user closed never stalls the command on the host.
 */
import type { Client } from '../../shared/contract/client.js';
import type { OutputChunk } from '../../shared/contract/schemas.js';
import { client } from './client.js';
import { createOutputAcks } from './output-acks.js';

/** Receives a chunk; must call `drawn` exactly once when the chunk is on screen or will never be. */
export type OutputSink = (chunk: OutputChunk, drawn: () => void) => void;

export interface OutputFeed {
  attach(attemptId: string, sink: OutputSink): () => void;
}

export function createOutputFeed(source: Client): OutputFeed {
  const sinks = new Map<string, Set<OutputSink>>();
  // Each attempt is a stream of its own on the host (its attemptId): acked under that id.
  const acks = createOutputAcks((chars, attemptId) => source.ack(chars, attemptId));

  source.on('step.output', (chunk) => {
    const attached = sinks.get(chunk.attemptId);
    if (!attached || attached.size === 0) {
      acks.drawn(chunk.attemptId, chunk.data.length);
      return;
    }
    let counted = false;
    const drawn = (): void => {
      if (counted) return;
      counted = true;
      acks.drawn(chunk.attemptId, chunk.data.length);
    };
    for (const sink of attached) sink(chunk, drawn);
  });

  return {
    attach(attemptId, sink) {
      let set = sinks.get(attemptId);
      if (!set) sinks.set(attemptId, (set = new Set()));
      set.add(sink);
      return () => {
        set.delete(sink);
        if (set.size === 0) sinks.delete(attemptId);
      };
    },
  };
}

export const outputFeed: OutputFeed = createOutputFeed(client);
