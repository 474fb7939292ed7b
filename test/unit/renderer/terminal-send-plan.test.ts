// Send to terminal: which terminal gets the command, and whether the ssh step's inner command is what is pasted.
import { describe, expect, it } from 'vitest';
import { planSend, remoteHintFor } from '../../../renderer/features/terminal/send-plan.js';

describe('planSend', () => {
  it('pastes into the active terminal while it is alive, whatever the target', () => {
    expect(planSend({ id: 't1', kind: 'local', exited: false }, { kind: 'host', host: 'web-1' })).toEqual({
      kind: 'existing',
      id: 't1',
      terminalKind: 'local',
    });
  });

  it('opens an SSH shell on a host target, else a local shell', () => {
    expect(planSend(null, { kind: 'host', host: 'web-1' })).toEqual({ kind: 'open', spec: { kind: 'ssh', host: 'web-1' } });
    expect(planSend(null, { kind: 'local' })).toEqual({ kind: 'open', spec: { kind: 'local' } });
    expect(planSend(null, { kind: 'tag', tag: 'web' })).toEqual({ kind: 'open', spec: { kind: 'local' } });
    expect(planSend(null, null)).toEqual({ kind: 'open', spec: { kind: 'local' } });
  });

  it('does not paste into a terminal that has exited', () => {
    expect(planSend({ id: 't1', kind: 'ssh', exited: true }, { kind: 'local' })).toEqual({ kind: 'open', spec: { kind: 'local' } });
  });
});

describe('remoteHintFor', () => {
  const sshPlan = planSend(null, { kind: 'host', host: 'web-1' });
  const localPlan = planSend({ id: 't', kind: 'local', exited: false }, { kind: 'host', host: 'web-1' });
  it('leaves it to the host when the step has no ssh hint', () => {
    expect(remoteHintFor(false, true, sshPlan)).toBeUndefined();
  });
  it('pastes the inner command only into an SSH shell, and only when the operator chose it', () => {
    expect(remoteHintFor(true, true, sshPlan)).toBe(true);
    expect(remoteHintFor(true, false, sshPlan)).toBe(false);
    expect(remoteHintFor(true, true, localPlan)).toBe(false);
  });
});
