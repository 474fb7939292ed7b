/**
 * `history.search` and `history.list`: a user's query parsed (query.ts), looked up in the three indexes (output,
 * records by word, commands/hosts/paths by substring), the hits merged into one ranking, and each hit given its
 * snippet and its run as the run fold sees it.
 */
import type { HistoryCursor, HistoryFilters, SearchHit, SearchIndexStatus, SearchResponse } from '../../../shared/contract/search.js';
import type { Run } from '../../../shared/contract/schemas.js';
import type { RawHit, SearchStore } from '../store/search-store.js';
import { SEARCH_SLICES, type Indexer } from './indexer.js';
import { parseQuery } from './query.js';

export interface SearchServiceDeps {
  store: SearchStore;
  indexer: Indexer;
  /** The runs with these ids, folded (one missing is left out). */
  runs(ids: readonly string[]): Map<string, Run>;
  /**
   * Answer only once the whole history is indexed: in an owner that serves one CLI command and nothing else (the
   * indexer still runs in slices). A long-lived owner answers at once and says the index is incomplete.
   */
  waitForIndex: boolean;
}

export interface SearchRequest {
  query: string;
  filters?: HistoryFilters | undefined;
  limit?: number | undefined;
  offset?: number | undefined;
}

export const DEFAULT_LIMIT = 20;
export const DEFAULT_LIST_LIMIT = 50;

export type SearchService = ReturnType<typeof createSearchService>;

export function createSearchService(deps: SearchServiceDeps) {
  const { store } = deps;
  const status = (): SearchIndexStatus => store.progress();
  return {
    async search(input: SearchRequest): Promise<SearchResponse> {
      const query = parseQuery(input.query);
      // What was just recorded is pending for a few ms at most: indexed first, so a search finds it.
      deps.indexer.catchUpNow(SEARCH_SLICES);
      if (deps.waitForIndex) await deps.indexer.settled();
      const limit = input.limit ?? DEFAULT_LIMIT;
      const offset = input.offset ?? 0;
      const { hits, capped } = store.search(query, input.filters, offset + limit + 1);
      const ranked = rank(hits);
      const page = ranked.slice(offset, offset + limit);
      const runs = deps.runs([...new Set(page.map((h) => h.runId))]);
      const snippets = store.snippets(page, query);
      const out: SearchHit[] = [];
      for (const hit of page) {
        const run = runs.get(hit.runId);
        if (!run) continue;
        out.push({
          run,
          where: hit.kind,
          snippet: snippets.get(hit) ?? '',
          score: hit.score,
          at: hit.at,
          stepId: hit.stepId,
          stepTitle: hit.stepId === null ? null : (store.stepLabel(run.versionId, hit.stepId) ?? null),
          attemptId: hit.attemptId,
          seq: hit.seq,
          stream: hit.stream,
        });
      }
      return { hits: out, more: ranked.length > offset + limit, capped, index: status() };
    },

    list(input: { filters?: HistoryFilters | undefined; limit?: number | undefined; after?: HistoryCursor | undefined }): { runs: Run[]; next: HistoryCursor | null } {
      const limit = input.limit ?? DEFAULT_LIST_LIMIT;
      const ids = store.listRuns(input.filters, limit + 1, input.after);
      const page = ids.slice(0, limit);
      const runs = deps.runs(page);
      const list = page.flatMap((id) => runs.get(id) ?? []);
      const last = list.at(-1);
      return { runs: list, next: ids.length > limit && last ? { startedAt: last.startedAt, id: last.id } : null };
    },

    indexStatus: status,
  };
}

/**
 * One ranking from the three indexes: bm25 (lower is better), newest first on a tie. A record found both by word
 * and by substring counts once, as its word hit (its snippet highlights words). Scores of different indexes are
 * not strictly comparable (each is relative to its own corpus); they agree on what matters most, a rare term
 * matching a short text ranking high.
 */
function rank(hits: readonly RawHit[]): RawHit[] {
  const byWords = new Set(hits.filter((h) => h.source === 'words').map((h) => h.id));
  return hits
    .filter((h) => h.source !== 'trigrams' || !byWords.has(h.id))
    .sort((a, b) => a.score - b.score || (a.at < b.at ? 1 : a.at > b.at ? -1 : b.id - a.id));
}

