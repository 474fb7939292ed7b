// The command highlighter: what an operator sees coloured in a runbook step must match what the text means.
import { describe, expect, it } from 'vitest';
import { highlightBash, type Token } from '../../../renderer/components/highlight-bash.js';

const typed = (tokens: Token[], type: Token['type']): string[] => tokens.filter((t) => t.type === type).map((t) => t.text);

describe('highlightBash', () => {
  it('gives the input back unchanged when the tokens are joined', () => {
    const scripts = [
      'curl -s https://x/metrics | jq \'.\' # pretty\nfor f in *.log; do gzip "$f"; done',
      'echo "unterminated $HOME',
      "psql -c 'SELECT 1' <<EOF\nselect ${X};\nEOF",
      '',
    ];
    for (const script of scripts) expect(highlightBash(script).map((t) => t.text).join('')).toBe(script);
  });

  it('marks comments only where bash starts one', () => {
    const tokens = highlightBash('# 1. Check health\ncurl http://host/#anchor  # trailing\necho ${#ARR[@]} $#');
    expect(typed(tokens, 'comment')).toEqual(['# 1. Check health', '# trailing']);
    expect(typed(tokens, 'variable')).toEqual(['${#ARR[@]}', '$#']);
  });

  it('separates strings from the variables expanded inside double quotes, not inside single quotes', () => {
    const tokens = highlightBash(`echo "host: $HOST" 'literal $HOST'`);
    expect(typed(tokens, 'variable')).toEqual(['$HOST']);
    expect(typed(tokens, 'string').join('')).toBe(`"host: "'literal $HOST'`);
  });

  it('highlights the placeholders a user must fill in, inside strings too', () => {
    const tokens = highlightBash(
      'aws s3 cp backup_YYYYMMDD.tar s3://b/ && curl -H "Authorization: ${{ secrets.API_TOKEN }}" https://h/<run-id> CHANGEME',
    );
    expect(typed(tokens, 'placeholder')).toEqual(['YYYYMMDD', '${{ secrets.API_TOKEN }}', '<run-id>', 'CHANGEME']);
  });

  it('does not take redirections or heredocs for placeholders', () => {
    const tokens = highlightBash('sort <input.txt >out.txt\nsort<in.txt>out.txt\ncat <<EOF\nx\nEOF');
    expect(typed(tokens, 'placeholder')).toEqual([]);
  });

  it('highlights exact placeholder texts the importer reported, even mid-word', () => {
    const tokens = highlightBash('ssh deploy@agent-lab.your-domain.com uptime', ['agent-lab.your-domain.com']);
    expect(typed(tokens, 'placeholder')).toEqual(['agent-lab.your-domain.com']);
  });

  it('marks keywords only as whole words', () => {
    const tokens = highlightBash('if [ -f x ]; then do-thing; fi');
    expect(typed(tokens, 'keyword')).toEqual(['if', 'then', 'fi']);
  });
});
