/** Ends an exhaustive switch: adding a case to a union makes every switch that forgot it a compile error. */
export function assertNever(value: never): never {
  throw new Error(`unexpected value: ${JSON.stringify(value)}`);
}
