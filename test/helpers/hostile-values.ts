// Test helper: parameter values an attacker (or a careless paste) might supply, each a function of a witness file
// that exists afterwards only if the value was executed. Shared by the execution and the rendering tests.
export type Hostile = [label: string, make: (touch: string) => string];

export const HOSTILE_VALUES: Hostile[] = [
  ['$(touch)', (t) => `$(touch ${t})`],
  ['backticks', (t) => `\`touch ${t}\``],
  ["'; touch; '", (t) => `'; touch ${t}; '`],
  ['"; touch; "', (t) => `"; touch ${t}; "`],
  ["'\"$(touch)\"'", (t) => `'"$(touch ${t})"'`],
  ['a closing quote and backslash', (t) => `\\'; touch ${t} #`],
  ['spaces', () => 'a b  c'],
  ['a glob', () => '*'],
  ['one backslash', () => '\\'],
  ['two backslashes', () => '\\\\'],
  ['$HOME and ${IFS}', () => '$HOME ${IFS}x'],
  ['%s and \\n', () => '%s\\n%%'],
];
