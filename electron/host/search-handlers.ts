/**
 * The `history.*` handlers, and the search service behind them wired to the owner's database: the indexer starts
 * here (catching up with the history in slices, on this process's event loop), hears of every append from the
 * host's events, and stops when the host closes.
 */
import type { Handlers } from '../../shared/contract/dispatch.js';
import { ContractError } from '../../shared/contract/errors.js';
import type { EventPayload } from '../../shared/contract/methods.js';
import type { Run } from '../../shared/contract/schemas.js';
import { createIndexer } from '../services/search/indexer.js';
import { createSearchService } from '../services/search/search-service.js';
import type { Database } from '../services/store/db.js';
import { createSearchStore } from '../services/store/search-store.js';

type SearchMethod = Extract<keyof Handlers, `history.${string}`>;

export interface SearchHandlerDeps {
  db: Database;
  /** A run as the run service folds it. */
  run(id: string): { run: Run };
  /** A CLI command's owner: searches wait for existing history to be indexed (see SearchServiceDeps). */
  waitForIndex: boolean;
  emit(event: 'search.progress', payload: EventPayload<'search.progress'>): void;
  /** Hears every event the host emits: a run changed, a step printed (what was just appended). */
  listen(listener: (event: string) => void): void;
  onError(error: unknown): void;
}

export function createSearchHandlers(deps: SearchHandlerDeps): { handlers: Pick<Handlers, SearchMethod>; dispose(): void } {
  const store = createSearchStore(deps.db);
  const indexer = createIndexer({
    store,
    timers: {
      setImmediate: (fn) => setImmediate(fn),
      clearImmediate: (h) => clearImmediate(h as NodeJS.Immediate),
      setTimeout: (fn, ms) => setTimeout(fn, ms),
      clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
    },
    now: () => performance.now(),
    onProgress: (p) => deps.emit('search.progress', p),
    onError: deps.onError,
  });
  const search = createSearchService({
    store,
    indexer,
    waitForIndex: deps.waitForIndex,
    runs: (ids) => {
      const out = new Map<string, Run>();
      for (const id of ids) {
        try {
          out.set(id, deps.run(id).run);
        } catch (error) {
          // A run whose version cannot be read is left out of the hits rather than failing the search.
          if (!(error instanceof ContractError)) deps.onError(error);
        }
      }
      return out;
    },
  });
  deps.listen((event) => {
    if (event === 'run.updated' || event === 'step.output') indexer.poke();
  });
  indexer.start();
  return {
    handlers: {
      'history.search': (input) => search.search(input),
      'history.list': (input) => search.list(input),
      'history.indexStatus': () => search.indexStatus(),
    },
    dispose: () => indexer.dispose(),
  };
}
