export * from './client.js';
export * from './dispatch.js';
export * from './errors.js';
export * from './hosts.js';
export * from './terminals.js';
export * from './methods.js';
export * from './schemas.js';
export * from './wire.js';
