import { useEffect, useState } from 'react';
import { copyText } from './clipboard.js';

interface Props {
  text: string;
  label?: string;
}

/** How long "Copied" stays before the button reads "Copy" again. */
const FEEDBACK_MS = 1_500;

export function CopyButton({ text, label = 'Copy' }: Props) {
  const [state, setState] = useState<'idle' | 'copied' | 'failed'>('idle');
  useEffect(() => {
    if (state === 'idle') return;
    const timer = setTimeout(() => setState('idle'), FEEDBACK_MS);
    return () => clearTimeout(timer);
  }, [state]);
  return (
    <button
      type="button"
      className="btn btn-small copy-button"
      data-testid="copy"
      onClick={() => void copyText(text).then((ok) => setState(ok ? 'copied' : 'failed'))}
    >
      {state === 'copied' ? 'Copied' : state === 'failed' ? 'Copy failed' : label}
    </button>
  );
}
