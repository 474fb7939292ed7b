// Variables an earlier command step of the same section sets are carried in the section's shell session, so the
// steps after it must not ask the operator for them; anything a run of the step's section could lack still asks.
import { describe, expect, it } from 'vitest';
import type { Runbook } from '../../../../shared/model/runbook.js';
import { allSteps, findSection, importText } from '../../../helpers/importer.js';

const fence = (body: string, lang = 'bash'): string => `\`\`\`${lang}\n${body}\n\`\`\`\n`;

/** The variable parameters of each command step, by the step's first script line. */
function variablesByStep(rb: Runbook): Array<[string, string[]]> {
  const variables = new Set(rb.params.filter((p) => p.kind === 'variable').map((p) => p.name));
  return allSteps(rb)
    .filter((s) => s.kind === 'command')
    .map((s) => [s.script.split('\n').find((l) => !l.startsWith('#')) ?? '', s.params.filter((n) => variables.has(n))]);
}

describe('variables set by earlier steps of the section', () => {
  it.each([
    ['X=1', 'plain assignment'],
    ['export X=1', 'export with a value'],
    ['readonly X=1', 'readonly with a value'],
    ['declare -a X', 'declare'],
    ['read -r X', 'read'],
    ['mapfile -t X < list.txt', 'mapfile'],
    ['printf -v X "%s" value', 'printf -v'],
    ['for X in a b; do echo "$X"; done', 'a for loop variable'],
  ])('%j in one block makes $X known in the next block (%s)', async (setter) => {
    const rb = await importText(`## S\n\n${fence(setter)}\n${fence('curl -f "https://x.example.com/$X"')}`);
    expect(variablesByStep(rb)).toEqual([
      [setter, []],
      ['curl -f "https://x.example.com/$X"', []],
    ]);
    expect(rb.params.find((p) => p.name === 'X')).toBeUndefined();
  });

  it('carries across list items, console blocks and numbered steps of one section, in document order', async () => {
    const md = [
      '## Deploy',
      '',
      '1. Pick the namespace:',
      '',
      fence('$ export NS=prod', 'console'),
      '2. Pick the release:',
      '',
      fence('# 1. Tag\nTAG=$(git describe --tags)\n# 2. Check\necho "$TAG"'),
      '3. Roll out:',
      '',
      fence('kubectl -n "$NS" set image deploy/api api=api:$TAG\nkubectl -n "$NS" rollout status deploy/api --timeout $TIMEOUT'),
    ].join('\n');
    const rb = await importText(md);
    expect(variablesByStep(rb)).toEqual([
      ['export NS=prod', []],
      ['TAG=$(git describe --tags)', []],
      ['echo "$TAG"', []],
      ['kubectl -n "$NS" set image deploy/api api=api:$TAG', ['TIMEOUT']],
    ]);
    expect(rb.params.map((p) => p.name)).toEqual(['TIMEOUT']);
  });

  it('still asks for a variable set only after the step that uses it', async () => {
    const rb = await importText(`## S\n\n${fence('echo "$LATER"')}\n${fence('LATER=1')}`);
    expect(variablesByStep(rb)).toEqual([
      ['echo "$LATER"', ['LATER']],
      ['LATER=1', []],
    ]);
  });

  it('does not carry a prefix assignment, which sets the variable for that one command only', async () => {
    const rb = await importText(`## S\n\n${fence('REGION=eu-west-1 ./deploy.sh')}\n${fence('aws s3 ls --region "$REGION"')}`);
    expect(variablesByStep(rb)).toEqual([
      ['REGION=eu-west-1 ./deploy.sh', []],
      ['aws s3 ls --region "$REGION"', ['REGION']],
    ]);
  });

  it('asks again in another section, in a subsection and in a sibling: each can run on its own', async () => {
    const md = [
      '## Recovery',
      fence('BACKUP=/srv/backups/latest.tar.gz'),
      '### Restore',
      fence('tar -xzf "$BACKUP" -C /srv/data'),
      '### Verify',
      fence('BACKUP_SUM=$(sha256sum "$BACKUP")'),
      '## Cleanup',
      fence('rm -f "$BACKUP"'),
    ].join('\n');
    const rb = await importText(md);
    expect(findSection(rb, 'Recovery').steps[0]!.params).toEqual([]);
    for (const title of ['Restore', 'Verify', 'Cleanup']) {
      expect(findSection(rb, title).steps[0]!.params, title).toEqual(['BACKUP']);
    }
  });

  it('gives a fresh-shell step nothing from earlier steps, and takes nothing from it into later ones', async () => {
    const md = [
      '## S',
      fence('DIR=/srv/app'),
      fence('# opsdeck: fresh-shell\nls "$DIR"\nONLY_THERE=1'),
      fence('cd "$DIR" && echo "$ONLY_THERE"'),
    ].join('\n');
    const rb = await importText(md);
    expect(variablesByStep(rb)).toEqual([
      ['DIR=/srv/app', []],
      ['ls "$DIR"', ['DIR']],
      ['cd "$DIR" && echo "$ONLY_THERE"', ['ONLY_THERE']],
    ]);
  });

  it('keeps each occurrence of a variable still asked for on its own line', async () => {
    const rb = await importText(`## S\n\n${fence('A=1')}\n${fence('echo "$A"\n\necho "$B"\necho "$B"')}`);
    expect(rb.params.map((p) => [p.name, p.occurrences.map((o) => o.line)])).toEqual([['B', [10, 11]]]);
  });
});
