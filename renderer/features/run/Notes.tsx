import { useEffect, useRef, useState } from 'react';
import type { Note } from '../../../shared/contract/schemas.js';
import { formatTime } from '../../components/format.js';
import { runKey, useRun } from '../../stores/run-store.js';
import { useRunUi } from '../../stores/run-ui-store.js';

export function NotesList({ notes }: { notes: readonly Note[] }) {
  if (notes.length === 0) return null;
  return (
    <ul className="notes" data-testid="notes">
      {notes.map((note) =>
        note.kind === 'system' ? (
          // Opsdeck's own line (the run was resumed): its text names who; not styled as anyone's note.
          <li key={note.id} className="note note-system" data-testid="note" data-kind="system">
            <span className="note-meta muted">{formatTime(note.at)}</span>
            <span className="note-text">{note.text}</span>
          </li>
        ) : (
          <li key={note.id} className="note" data-testid="note" data-kind="note">
            <span className="note-meta muted">
              {formatTime(note.at)} · {note.operator}
            </span>
            <span className="note-text">{note.text}</span>
          </li>
        ),
      )}
    </ul>
  );
}

/** A one-line note box; for a step it takes focus when the `n` key asks for it. */
export function NoteBox({ stepId }: { stepId: string | null }) {
  const [text, setText] = useState('');
  const input = useRef<HTMLInputElement>(null);
  const note = useRun((state) => state.note);
  const key = stepId ?? runKey;
  const busy = useRun((state) => state.busy[key] ?? false);
  const focus = useRunUi((state) => (stepId !== null && state.noteFocus?.stepId === stepId ? state.noteFocus.nonce : 0));
  useEffect(() => {
    if (focus > 0) input.current?.focus();
  }, [focus]);
  const submit = async (): Promise<void> => {
    const trimmed = text.trim();
    if (!trimmed || busy) return;
    if (await note(stepId, trimmed)) setText('');
  };
  return (
    <form
      className="note-box"
      onSubmit={(event) => {
        event.preventDefault();
        void submit();
      }}
    >
      <input
        ref={input}
        className="input"
        placeholder={stepId === null ? 'Note for the whole run…' : 'Note for this step…'}
        value={text}
        onChange={(event) => setText(event.target.value)}
        onKeyDown={(event) => {
          if (event.key === 'Escape') event.currentTarget.blur();
        }}
        data-testid="note-input"
        aria-label={stepId === null ? 'Note for the run' : 'Note for the step'}
      />
      <button type="submit" className="btn btn-small" disabled={busy || text.trim() === ''} data-testid="note-add">
        Add note
      </button>
    </form>
  );
}
