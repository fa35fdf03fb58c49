import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { ModelshipError, messageOf } from '../core/errors.js';

/** Writes a report file, creating its directory; a failure names the file. */
export function writeReport(file: string, content: string): void {
  try {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, content.endsWith('\n') ? content : `${content}\n`);
  } catch (error) {
    throw new ModelshipError(
      `${file}: cannot write the report (${messageOf(error)}); check the directory and its permissions.`,
    );
  }
}

/** Writes a JSON report, pretty-printed. */
export function writeJson(file: string, value: unknown): void {
  writeReport(file, JSON.stringify(value, null, 2));
}
