// The library search finds a runbook by its title or by any of its sections' titles.
import { describe, expect, it } from 'vitest';
import { matchesQuery, matchingSections } from '../../../renderer/features/library/library-filter.js';

const item = { title: 'Operational Runbooks - Agent Lab', sections: ['Morning Health Check Runbook', 'Database Restore'] };

describe('matchesQuery', () => {
  it('matches every word against the title or a section, ignoring case and accents', () => {
    expect(matchesQuery(item, '')).toBe(true);
    expect(matchesQuery(item, 'agent')).toBe(true);
    expect(matchesQuery(item, 'RESTORE')).toBe(true);
    expect(matchesQuery(item, 'agent restore')).toBe(true);
    expect(matchesQuery({ title: 'Café ops', sections: [] }, 'cafe')).toBe(true);
    expect(matchesQuery(item, 'restore kubernetes')).toBe(false);
  });

  it('names the sections that matched', () => {
    expect(matchingSections(item, 'health')).toEqual(['Morning Health Check Runbook']);
  });
});
