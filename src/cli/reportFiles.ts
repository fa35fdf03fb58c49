import { writeOutputFile } from '../core/files/outputFiles.js';

export { checkOutputFiles } from '../core/files/outputFiles.js';

/**
 * Writes a report file atomically (a temporary file beside it, then a rename), creating its
 * directory; a failure names the file.
 */
export function writeReport(file: string, content: string): void {
  writeOutputFile(file, content.endsWith('\n') ? content : `${content}\n`);
}

/** Writes a JSON report, pretty-printed. */
export function writeJson(file: string, value: unknown): void {
  writeReport(file, JSON.stringify(value, null, 2));
}
