// Links from terminal output open only when they are plain http(s) links.
import { describe, expect, it } from 'vitest';
import { safeExternalUrl } from '../../../renderer/components/external-link.js';

describe('safeExternalUrl', () => {
  it('accepts http and https links', () => {
    expect(safeExternalUrl('https://grafana.example.com/d/abc?from=now-1h')?.href).toBe('https://grafana.example.com/d/abc?from=now-1h');
    expect(safeExternalUrl('http://10.0.0.5:8080/health')?.host).toBe('10.0.0.5:8080');
  });

  it('refuses other schemes, credentials and junk', () => {
    for (const raw of ['file:///etc/passwd', 'javascript:alert(1)', 'ssh://web-1', 'https://bank.example@evil.example/', 'not a url', '', `https://x.example/${'a'.repeat(9000)}`]) {
      expect(safeExternalUrl(raw), raw).toBeNull();
    }
  });
});
