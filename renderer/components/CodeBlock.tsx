import { useMemo } from 'react';
import { CopyButton } from './CopyButton.js';
import { highlightBash } from './highlight-bash.js';

interface Props {
  text: string;
  language: string | null;
  /** Placeholder texts as the importer found them in this step. */
  placeholders?: readonly string[];
  copy?: boolean;
  /** Commands are shell even when the fence named no language. */
  shell?: boolean;
}

const SHELL_LANGUAGES = new Set(['bash', 'sh', 'shell', 'zsh', 'console', 'shell-session', 'shellsession']);

const NO_PLACEHOLDERS: readonly string[] = [];

/** Read-only code: shell is highlighted, anything else shown as written. */
export function CodeBlock({ text, language, placeholders = NO_PLACEHOLDERS, copy = false, shell = false }: Props) {
  const highlighted = shell || (language !== null && SHELL_LANGUAGES.has(language.toLowerCase()));
  const tokens = useMemo(
    () => (highlighted ? highlightBash(text, placeholders) : [{ type: 'plain' as const, text }]),
    [highlighted, text, placeholders],
  );
  return (
    <div className="code-block">
      {copy && <CopyButton text={text} />}
      <pre data-language={language ?? undefined}>
        <code>
          {tokens.map((token, index) =>
            token.type === 'plain' ? token.text : (
              <span key={index} className={`tok-${token.type}`}>
                {token.text}
              </span>
            ),
          )}
        </code>
      </pre>
    </div>
  );
}
