/**
 * The text output of several attempts at once (the hosts of a fan-out), for the summary that groups identical
 * outputs: what the host stored (`runs.output`), then live `step.output` events, deduplicated by `seq`, caught up
 * again after a reconnect. Re-renders at most every UPDATE_MS however fast output streams.
 */
import { useEffect, useRef, useState } from 'react';
import type { OutputChunk } from '../../../shared/contract/schemas.js';
import { client, connection } from '../../api/client.js';
import { outputFeed } from '../../api/output-feed.js';

/** How often the summary is recomputed while output streams: fresh enough to watch, cheap with 40 hosts. */
const UPDATE_MS = 300;
/** Output kept per host for comparing: a long report fits; a runaway log is cut (and marked) instead of eating memory. */
export const MAX_COMPARED_CHARS = 256 * 1024;
const TRUNCATED = '\n[… output cut for the comparison; the full output is in the host’s pane]';

interface Collected {
  text: string;
  lastSeq: number;
  loaded: boolean;
  early: OutputChunk[];
  dispose(): void;
}

export function useAttemptOutputs(runId: string, attemptIds: readonly string[]): ReadonlyMap<string, string> {
  const collected = useRef(new Map<string, Collected>());
  const [snapshot, setSnapshot] = useState<ReadonlyMap<string, string>>(new Map());
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const key = attemptIds.join(',');

  useEffect(() => {
    const entries = collected.current;
    const publish = (): void => {
      if (timer.current) return;
      timer.current = setTimeout(() => {
        timer.current = null;
        setSnapshot(new Map([...entries].map(([id, entry]) => [id, entry.text])));
      }, UPDATE_MS);
    };
    const append = (entry: Collected, chunk: OutputChunk): void => {
      if (chunk.seq <= entry.lastSeq) return;
      entry.lastSeq = chunk.seq;
      // System lines (connection errors, "[cancelled]") are shown per host; the comparison is about what the command said.
      if (chunk.stream === 'system' || entry.text.length >= MAX_COMPARED_CHARS) return;
      entry.text += chunk.data;
      if (entry.text.length >= MAX_COMPARED_CHARS) entry.text = entry.text.slice(0, MAX_COMPARED_CHARS) + TRUNCATED;
      publish();
    };
    const catchUp = async (attemptId: string, entry: Collected): Promise<void> => {
      const chunks = await client.call('runs.output', { runId, attemptId, ...(entry.lastSeq >= 0 ? { afterSeq: entry.lastSeq } : {}) });
      for (const chunk of [...chunks].sort((a, b) => a.seq - b.seq)) append(entry, chunk);
    };

    const wanted = new Set(key ? key.split(',') : []);
    for (const [id, entry] of entries) {
      if (!wanted.has(id)) {
        entry.dispose();
        entries.delete(id);
      }
    }
    for (const attemptId of wanted) {
      if (entries.has(attemptId)) continue;
      const entry: Collected = { text: '', lastSeq: -1, loaded: false, early: [], dispose: () => undefined };
      // Drawn as soon as it is kept: this copy is text, not a terminal, so it never holds back the host's flow control.
      const detach = outputFeed.attach(attemptId, (chunk, drawn) => {
        drawn();
        if (entry.loaded) append(entry, chunk);
        else entry.early.push(chunk);
      });
      entry.dispose = detach;
      entries.set(attemptId, entry);
      void catchUp(attemptId, entry)
        .catch(() => undefined)
        .finally(() => {
          entry.loaded = true;
          for (const chunk of entry.early.splice(0).sort((a, b) => a.seq - b.seq)) append(entry, chunk);
          publish();
        });
    }
    publish();
    const offState = connection.onState((state) => {
      if (state !== 'connected') return;
      for (const [attemptId, entry] of entries) if (entry.loaded) void catchUp(attemptId, entry).catch(() => undefined);
    });
    return offState;
  }, [runId, key]);

  useEffect(() => {
    const entries = collected.current;
    return () => {
      for (const entry of entries.values()) entry.dispose();
      entries.clear();
      if (timer.current) clearTimeout(timer.current);
      timer.current = null;
    };
  }, []);

  return snapshot;
}
