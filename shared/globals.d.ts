// The encoding API exists in every runtime shared/ runs in (node, Electron's renderer, browsers), but TypeScript
// only declares it with the DOM library, which shared/ must not see. These are the parts shared/ uses.
declare class TextDecoder {
  constructor(label?: string, options?: { fatal?: boolean; ignoreBOM?: boolean });
  decode(input?: Uint8Array, options?: { stream?: boolean }): string;
}
declare class TextEncoder {
  encode(input?: string): Uint8Array;
}
