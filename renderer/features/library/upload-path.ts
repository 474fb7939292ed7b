/**
 * How the host names a runbook uploaded from a window that has no path on this machine yet (`upload:<file name>`):
 * it cannot be refreshed, and uploading or importing the file again is how it is updated or brought back.
 */
const UPLOAD_MARK = 'upload:';

export const isUploaded = (path: string): boolean => path.startsWith(UPLOAD_MARK);

/** The file name of an upload, or the path itself. */
export const shownPath = (path: string): string => (isUploaded(path) ? path.slice(UPLOAD_MARK.length) : path);
