import { writeOutputFile } from '../files/outputFiles.js';

export { checkOutputFiles } from '../files/outputFiles.js';

/**
 * Writes a report file (JSON, markdown or text) atomically: a temporary file beside it, then a
 * rename, creating its directory; it ends with a newline, and a failure is a sentence naming the
 * file. The actions and the CLI write every report through here.
 */
export function writeReport(file: string, content: string): void {
  writeOutputFile(file, content.endsWith('\n') ? content : `${content}\n`);
}

/** Writes a JSON report, pretty-printed. */
export function writeJson(file: string, value: unknown): void {
  writeReport(file, JSON.stringify(value, null, 2));
}
