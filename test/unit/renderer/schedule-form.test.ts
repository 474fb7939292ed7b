// The schedule dialog's rules: a hint prefills the calendar and zone, an existing schedule fills every field back,
// a section's needs (parameters, secrets, destructive steps) come from its command steps only, and the draft
// becomes the contract's fields, or says which field is wrong.
import { describe, expect, it } from 'vitest';
import type { Schedule } from '../../../shared/contract/schedules.js';
import { ScheduleFields } from '../../../shared/contract/schedules.js';
import type { Param, Section, Step } from '../../../shared/model/runbook.js';
import { formatSeconds, parseDuration } from '../../../renderer/features/schedules/duration-text.js';
import {
  draftFromHint,
  draftFromSchedule,
  draftToFields,
  envNameFor,
  schedulableSections,
  sectionNeeds,
} from '../../../renderer/features/schedules/schedule-form.js';

const step = (id: string, kind: Step['kind'], params: string[] = [], level: Step['danger']['level'] = 'safe'): Step => ({
  id,
  kind,
  title: `Step ${id}`,
  caption: null,
  line: 1,
  endLine: 1,
  script: `echo ${id}`,
  language: 'bash',
  params,
  danger: { level, reasons: level === 'safe' ? [] : ['rm -rf: deletes files'] },
  remote: null,
  checked: null,
  expectedOutput: null,
});

const section = (id: string, steps: Step[], sections: Section[] = []): Section => ({ id, title: `Section ${id}`, level: 2, line: 1, meta: {}, steps, sections });

const param = (name: string, secret = false): Param => ({ name, kind: secret ? 'secret' : 'placeholder', secret, occurrences: [] });

const backup = section('backup', [
  step('check', 'check', ['<in-a-check>']),
  step('dump', 'command', ['<db>', 'API_TOKEN']),
  step('prune', 'command', [], 'destructive'),
]);
const params = [param('<db>'), param('API_TOKEN', true), param('<in-a-check>')];

describe('durations', () => {
  it('reads what people type and writes it back the same way', () => {
    expect(parseDuration('90')).toBe(90);
    expect(parseDuration('15m')).toBe(900);
    expect(parseDuration('1h30m')).toBe(5400);
    expect(parseDuration(' 2 h ')).toBe(7200);
    expect(parseDuration('7d')).toBe(604_800);
    for (const bad of ['', 'soon', '1.5h', '-5m', 'm5']) expect(parseDuration(bad)).toBeNull();
    for (const seconds of [45, 900, 5400, 86_400, 90_061]) expect(parseDuration(formatSeconds(seconds))).toBe(seconds);
    expect(formatSeconds(5400)).toBe('1h30m');
  });
});

describe('draftFromHint', () => {
  it('takes the hint’s cron and zone, and the browser’s zone only when the hint names none', () => {
    const morning = draftFromHint({ cron: '0 9 * * *', timezone: 'America/New_York' }, 'morning', 'Europe/Berlin');
    expect(morning).toMatchObject({ sectionId: 'morning', calendarKind: 'cron', expr: '0 9 * * *', timezone: 'America/New_York' });
    expect(morning).toMatchObject({ catchUp: 'latest', overlap: 'skip', notifyOn: 'failure', target: { kind: 'local' } });
    expect(draftFromHint({ cron: '0 9 * * 1#1', timezone: null }, 's', 'Europe/Berlin').timezone).toBe('Europe/Berlin');
    expect(draftFromHint(null, 's', 'UTC')).toMatchObject({ expr: '', timezone: 'UTC' });
  });
});

describe('sectionNeeds', () => {
  it('asks only for what command steps use, secrets apart, and lists destructive commands', () => {
    const needs = sectionNeeds(backup, params);
    expect(needs.params.map((p) => p.name)).toEqual(['<db>']);
    expect(needs.secrets.map((p) => p.name)).toEqual(['API_TOKEN']);
    expect(needs.destructive.map((s) => s.id)).toEqual(['prune']);
  });

  it('includes the subsections’ steps, as a run of the section does', () => {
    const outer = section('outer', [], [backup]);
    expect(sectionNeeds(outer, params).destructive.map((s) => s.id)).toEqual(['prune']);
  });
});

describe('draftToFields', () => {
  const needs = sectionNeeds(backup, params);
  const filled = { ...draftFromHint({ cron: '0 2 * * 0', timezone: 'America/New_York' }, 'backup', 'UTC'), params: { '<db>': 'prod' } };

  it('makes fields the contract accepts, secrets from an environment variable named after them', () => {
    const result = draftToFields({ ...filled, window: '2h', jitter: '5m', webhook: 'https://hooks.example.com/x' }, 'rb1', needs);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(ScheduleFields.safeParse(result.fields).success).toBe(true);
    expect(result.fields).toMatchObject({
      runbookId: 'rb1',
      sectionId: 'backup',
      rules: { calendar: { kind: 'cron', expr: '0 2 * * 0' }, timezone: 'America/New_York', catchUpWindowSec: 7200, jitterSec: 300 },
      params: { '<db>': 'prod' },
      secrets: { API_TOKEN: { from: 'env', variable: 'API_TOKEN' } },
      notify: { on: 'failure', webhook: 'https://hooks.example.com/x' },
    });
    expect(result.fields.approveDestructive).toBeUndefined();
  });

  it('sends the approval only when it was ticked', () => {
    const result = draftToFields({ ...filled, approveDestructive: true }, 'rb1', needs);
    expect(result.ok && result.fields.approveDestructive).toBe(true);
  });

  it('leaves the window to the calendar’s period and the jitter at zero when they are empty', () => {
    const result = draftToFields(filled, 'rb1', needs);
    expect(result.ok && result.fields.rules).toMatchObject({ catchUpWindowSec: null, jitterSec: 0 });
  });

  it('says which fields are wrong', () => {
    const result = draftToFields(
      { ...filled, expr: ' ', timezone: 'Mars/Olympus', window: '8d', jitter: 'often', webhook: 'ftp://x', params: {}, secretEnv: { API_TOKEN: '1bad' } },
      'rb1',
      needs,
    );
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(Object.keys(result.errors).sort()).toEqual(['expr', 'jitter', 'param:<db>', 'secret:API_TOKEN', 'timezone', 'webhook', 'window']);
  });
});

describe('draftFromSchedule', () => {
  it('fills the dialog back with what the schedule holds, so saving unchanged changes nothing', () => {
    const schedule = {
      id: 's1',
      runbookId: 'rb1',
      sectionId: 'backup',
      target: { kind: 'tag', tag: 'db' },
      rules: { calendar: { kind: 'oncalendar', expr: 'Sun *-*-* 02:00:00' }, timezone: 'Europe/Berlin', catchUp: 'all', catchUpWindowSec: 86_400, overlap: 'queue', jitterSec: 90 },
      params: { '<db>': 'prod' },
      secrets: { API_TOKEN: { from: 'env', variable: 'BACKUP_TOKEN' } },
      notify: { on: 'always', webhook: null },
    } as unknown as Schedule;
    const result = draftToFields(draftFromSchedule(schedule), 'rb1', sectionNeeds(backup, params));
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    const { runbookId: _r, ...fields } = result.fields;
    expect(fields).toEqual({
      sectionId: schedule.sectionId,
      target: schedule.target,
      rules: schedule.rules,
      params: schedule.params,
      secrets: schedule.secrets,
      notify: schedule.notify,
    });
  });
});

describe('schedulableSections and envNameFor', () => {
  it('offers only sections with commands, nested ones indented', () => {
    const doc = [section('top', [], [section('notes', [step('c', 'check')]), backup])];
    expect(schedulableSections(doc).map((c) => [c.section.id, c.depth])).toEqual([
      ['top', 0],
      ['backup', 1],
    ]);
  });

  it('turns any parameter name into a valid environment variable name', () => {
    expect(envNameFor('SLACK_WEBHOOK_URL')).toBe('SLACK_WEBHOOK_URL');
    expect(envNameFor('secrets.API-KEY')).toBe('API_KEY');
    expect(envNameFor('1password')).toBe('_1password');
  });
});
