// The command as it ran, as the search index, the evidence export and incident timelines all write it.
import { describe, expect, it } from 'vitest';
import { commandAsRun } from '../../../../shared/runbook/command-as-run.js';

const step = (script: string, occurrences: Record<string, string[]>) => ({ script, occurrences: new Map(Object.entries(occurrences)) });

describe('commandAsRun', () => {
  it('places each recorded value once, never rewriting a value that looks like another occurrence', () => {
    const s = step('cp <src> <dst>', { src: ['<src>'], dst: ['<dst>'] });
    expect(commandAsRun(s, { src: '<dst>', dst: '/backup' })).toBe('cp <dst> /backup');
  });

  it('stops $NAME where the name does: $DIR is not the start of $DIR_OLD', () => {
    const s = step('mv "$DIR" "$DIR_OLD"', { DIR: ['$DIR'] });
    expect(commandAsRun(s, { DIR: '/srv/app' })).toBe('mv "/srv/app" "$DIR_OLD"');
  });

  it('leaves the script as written for values not recorded, and masked secrets masked', () => {
    const s = step('curl -H "$TOKEN" <url>', { TOKEN: ['$TOKEN'], url: ['<url>'] });
    expect(commandAsRun(s, { TOKEN: '••••' })).toBe('curl -H "••••" <url>');
  });
});
