/**
 * Every migration the code knows, in order. Append new ones here; never edit or reorder a shipped one.
 */
import { migration001 } from './001-library.js';
import { migration002 } from './002-runs.js';
import { migration003 } from './003-hosts.js';
import { migration004 } from './004-mergeable.js';
import { migration005 } from './005-library-identity.js';
import { migration006 } from './006-schedules.js';
import { migration007 } from './007-search.js';
import { migration008 } from './008-incidents.js';
import type { Migration } from './migration.js';

export type { Migration, SqlFunction } from './migration.js';

export const migrations: readonly Migration[] = [migration001, migration002, migration003, migration004, migration005, migration006, migration007, migration008];
