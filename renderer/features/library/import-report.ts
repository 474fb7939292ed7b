/** The one line shown after an import or a refresh: what happened to which runbook, and how many warnings. */
import type { ImportReport } from '../../../shared/contract/schemas.js';
import { plural } from '../../components/format.js';

export function describeImport(report: ImportReport): string {
  const what =
    report.status === 'new'
      ? 'imported (new)'
      : report.status === 'updated'
        ? `updated to version ${report.version}`
        : 'unchanged';
  // What else the import did to the library entry, which "unchanged" alone would hide.
  const also = [report.restored ? 'back in the library' : null, report.pathLearned ? 'now refreshable from its file' : null].filter(Boolean);
  const extra = also.length > 0 ? `, ${also.join(', ')}` : '';
  const warnings = report.warnings.length > 0 ? ` · ${plural(report.warnings.length, 'warning')}` : ' · no warnings';
  return `“${report.title}” ${what}${extra}${warnings}`;
}
