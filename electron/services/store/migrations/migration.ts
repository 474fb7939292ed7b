/**
 * The shape of one schema migration. Migrations are TypeScript modules holding SQL so that they ship inside the
 * bundle (no loose .sql files to locate at runtime); once shipped, a migration never changes.
 */
export interface Migration {
  /** 1, 2, 3, ...: the `user_version` the database is at once this migration has run. */
  version: number;
  name: string;
  /** SQL run inside one transaction together with the `user_version` bump. */
  up: string;
}
