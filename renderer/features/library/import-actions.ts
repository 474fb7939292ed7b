/**
 * Imports started from the library page (picked or dropped files, a path on this machine) and refreshes, each
 * ending in a toast: what changed and how many warnings, or the host's message when it refused.
 */
import { errorMessage } from '../../components/error-message.js';
import { useLibrary } from '../../stores/library-store.js';
import { toast } from '../../stores/toast-store.js';
import { describeImport } from './import-report.js';

/** Matches the host's upload limit (20 MiB); bigger files are refused here without sending them. */
const MAX_UPLOAD_BYTES = 20 * 1024 * 1024;
const ACCEPTED = /\.(md|markdown|txt)$/i;

export async function importFiles(files: readonly File[]): Promise<void> {
  for (const file of files) {
    if (!ACCEPTED.test(file.name) && !/^text\//.test(file.type)) {
      toast.error(`${file.name}: not a Markdown or text file.`);
      continue;
    }
    if (file.size > MAX_UPLOAD_BYTES) {
      toast.error(`${file.name}: larger than 20 MB.`);
      continue;
    }
    try {
      const content = await file.text();
      const report = await useLibrary.getState().importUpload(file.name, content);
      toast.success(describeImport(report));
    } catch (error) {
      toast.error(`${file.name}: ${errorMessage(error)}`);
    }
  }
}

/** Returns whether it worked, so the path field can be cleared. */
export async function importPath(path: string): Promise<boolean> {
  try {
    const report = await useLibrary.getState().importPath(path);
    toast.success(describeImport(report));
    return true;
  } catch (error) {
    toast.error(errorMessage(error));
    return false;
  }
}

export async function refreshRunbook(id: string, title: string): Promise<void> {
  try {
    const report = await useLibrary.getState().refresh(id);
    toast.success(describeImport(report));
  } catch (error) {
    toast.error(`${title}: ${errorMessage(error)}`);
  }
}
