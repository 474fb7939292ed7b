// The hash router: every place in the app is a URL that survives a reload and round-trips through format/parse.
import { describe, expect, it } from 'vitest';
import { formatRoute, parseRoute, type Route } from '../../../renderer/app/route.js';

describe('parseRoute', () => {
  it('opens the library for an empty hash', () => {
    expect(parseRoute('')).toEqual({ name: 'library' });
    expect(parseRoute('#/')).toEqual({ name: 'library' });
    expect(parseRoute('#/library')).toEqual({ name: 'library' });
  });

  it('reads runbooks with and without a section, runs, history and settings', () => {
    expect(parseRoute('#/runbook/rb1')).toEqual({ name: 'runbook', id: 'rb1', sectionId: null });
    expect(parseRoute('#/runbook/rb1/section/s-9')).toEqual({ name: 'runbook', id: 'rb1', sectionId: 's-9' });
    expect(parseRoute('#/run/0190a')).toEqual({ name: 'run', runId: '0190a' });
    expect(parseRoute('#/history/')).toEqual({ name: 'history' });
    expect(parseRoute('#/settings')).toEqual({ name: 'settings' });
    expect(parseRoute('#/hosts')).toEqual({ name: 'hosts' });
    expect(parseRoute('#/schedules')).toEqual({ name: 'schedules' });
    expect(parseRoute('#/terminals')).toEqual({ name: 'terminals' });
  });

  it('refuses malformed paths instead of guessing', () => {
    for (const hash of ['#/runbook', '#/runbook/x/section', '#/runbook/x/oops/y', '#/run/a/b', '#/nope', '#/run/%E0%A4%A']) {
      expect(parseRoute(hash).name).toBe('not-found');
    }
  });

  it('round-trips ids with characters that need escaping', () => {
    const routes: Route[] = [
      { name: 'runbook', id: 'a/b c', sectionId: 'sec#1?' },
      { name: 'run', runId: 'r%20' },
      { name: 'history' },
      { name: 'hosts' },
      { name: 'schedules' },
      { name: 'terminals' },
    ];
    for (const route of routes) expect(parseRoute(formatRoute(route))).toEqual(route);
  });
});
