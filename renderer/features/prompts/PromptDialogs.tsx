import { useEffect, useState } from 'react';
import type { Prompt, PromptAnswer } from '../../../shared/contract/hosts.js';
import type { ConnectionPrompt } from '../../stores/prompt-store.js';
import { Dialog } from '../../components/Dialog.js';
import { assertNever } from '../../components/assert-never.js';
import { keyTypeLabel } from '../../components/ssh-text.js';
import { usePrompts } from '../../stores/prompt-store.js';
import { hostKeyQuestion, promptTitle, secretHint } from './prompt-text.js';

interface PromptProps<K extends Prompt['kind']> {
  prompt: Extract<Prompt, { kind: K }>;
  sending: boolean;
  send(answer: PromptAnswer): void;
}

function HostKeyPrompt({ prompt, sending, send }: PromptProps<'host-key'>) {
  return (
    <div className="dialog-body">
      <p className="prompt-question">{hostKeyQuestion(prompt)}</p>
      <div className="prompt-key">
        <span className="muted">{keyTypeLabel(prompt.keyType)}</span>
        <code className="prompt-fingerprint" data-testid="prompt-fingerprint">
          {prompt.fingerprint}
        </code>
      </div>
      <p className="muted small">
        Compare it with the fingerprint the host's administrator gave you (on the host: <code>ssh-keygen -lf</code> on its
        key). Once trusted, Opsdeck remembers it and refuses the host if its key ever changes.
      </p>
      <div className="dialog-buttons">
        <button
          type="button"
          className="btn"
          disabled={sending}
          onClick={() => send({ kind: 'host-key', accept: false })}
          data-testid="prompt-refuse"
        >
          Refuse
        </button>
        <button
          type="button"
          className="btn btn-primary"
          disabled={sending}
          onClick={() => send({ kind: 'host-key', accept: true })}
          data-testid="prompt-accept"
        >
          Trust and connect
        </button>
      </div>
    </div>
  );
}

function Buttons({ sending, onCancel, ready }: { sending: boolean; onCancel(): void; ready: boolean }) {
  return (
    <div className="dialog-buttons">
      <button type="button" className="btn" disabled={sending} onClick={onCancel} data-testid="prompt-cancel">
        Cancel
      </button>
      <button type="submit" className="btn btn-primary" disabled={sending || !ready} data-testid="prompt-submit">
        Submit
      </button>
    </div>
  );
}

function SecretPrompt({ prompt, sending, send }: PromptProps<'passphrase' | 'password'>) {
  const [secret, setSecret] = useState('');
  const [remember, setRemember] = useState(false);
  const canRemember = prompt.kind === 'passphrase' && prompt.canRemember;
  return (
    <form
      className="dialog-body"
      onSubmit={(event) => {
        event.preventDefault();
        if (!sending) send({ kind: 'secret', secret, ...(canRemember && remember ? { remember: true } : {}) });
      }}
    >
      <p className={prompt.retry ? 'prompt-retry' : 'muted'} data-testid="prompt-hint">
        {secretHint(prompt)}
      </p>
      <input
        className="input mono"
        type="password"
        autoComplete="off"
        aria-label={prompt.kind === 'passphrase' ? 'Passphrase' : 'Password'}
        value={secret}
        onChange={(event) => setSecret(event.target.value)}
        data-testid="prompt-secret"
      />
      {canRemember && (
        <label className="muted">
          <input type="checkbox" checked={remember} onChange={(event) => setRemember(event.target.checked)} data-testid="prompt-remember" /> Remember
          it in the system keychain (otherwise it is kept in memory until Opsdeck quits)
        </label>
      )}
      <Buttons sending={sending} ready onCancel={() => send({ kind: 'cancel' })} />
    </form>
  );
}

function KeyboardInteractivePrompt({ prompt, sending, send }: PromptProps<'keyboard-interactive'>) {
  const [responses, setResponses] = useState<string[]>(() => prompt.prompts.map(() => ''));
  return (
    <form
      className="dialog-body"
      onSubmit={(event) => {
        event.preventDefault();
        if (!sending) send({ kind: 'responses', responses });
      }}
    >
      {prompt.instructions.trim() && <p className="prompt-instructions">{prompt.instructions}</p>}
      {prompt.prompts.map((item, index) => (
        <label key={index} className="field field-block">
          <span>{item.prompt}</span>
          <input
            className="input mono"
            type={item.echo ? 'text' : 'password'}
            autoComplete="off"
            spellCheck={false}
            value={responses[index] ?? ''}
            onChange={(event) => setResponses(responses.map((value, at) => (at === index ? event.target.value : value)))}
            data-testid="prompt-secret"
            data-index={index}
          />
        </label>
      ))}
      <Buttons sending={sending} ready onCancel={() => send({ kind: 'cancel' })} />
    </form>
  );
}

function PromptBody(props: { prompt: ConnectionPrompt; sending: boolean; send(answer: PromptAnswer): void }) {
  const { prompt, sending, send } = props;
  switch (prompt.kind) {
    case 'host-key':
      return <HostKeyPrompt prompt={prompt} sending={sending} send={send} />;
    case 'passphrase':
    case 'password':
      return <SecretPrompt prompt={prompt} sending={sending} send={send} />;
    case 'keyboard-interactive':
      return <KeyboardInteractivePrompt prompt={prompt} sending={sending} send={send} />;
    default:
      return assertNever(prompt);
  }
}

/**
 * The oldest waiting connection prompt as a modal, wherever the user is; the next one shows when it is answered
 * or closed elsewhere. Escape refuses a host key and cancels a secret.
 */
export function PromptDialogs() {
  const queue = usePrompts((state) => state.queue);
  const sending = usePrompts((state) => state.sending);
  const error = usePrompts((state) => state.error);
  const answer = usePrompts((state) => state.answer);
  const refresh = usePrompts((state) => state.refresh);
  useEffect(() => {
    void refresh();
  }, [refresh]);

  const prompt = queue[0];
  if (!prompt) return null;
  const send = (reply: PromptAnswer): void => void answer(prompt.id, reply);
  const escape = (): void => send(prompt.kind === 'host-key' ? { kind: 'host-key', accept: false } : { kind: 'cancel' });
  return (
    <Dialog key={prompt.id} title={promptTitle(prompt)} onClose={escape} testId="prompt-dialog" data={{ kind: prompt.kind }}>
      <div className="prompt" data-kind={prompt.kind} data-prompt-id={prompt.id}>
        {queue.length > 1 && <div className="muted small prompt-queue">{queue.length - 1} more waiting</div>}
        <PromptBody prompt={prompt} sending={sending === prompt.id} send={send} />
        {error && error.id === prompt.id && (
          <div className="inline-error" role="alert">
            Could not send the answer: {error.message}
          </div>
        )}
      </div>
    </Dialog>
  );
}
