/**
 * Which Modelship a repository runs, as its files pin it: the `modelship` package in
 * package.json and package-lock.json, and `modelship/modelship…@ref` in its workflows. A change to
 * it affects every model, as a new evaluation or gate may judge them differently.
 */
import { pathGlob } from './pathGlob.js';

const PINNING_FILES = ['package.json', 'package-lock.json', '.github/workflows/**'].map(pathGlob);

/** Whether a changed file can change the Modelship version. */
export const pinsModelship = (path: string) => PINNING_FILES.some((matches) => matches(path));

/** The Modelship pins in one file's text (a sorted list), e.g. `package.json: ^0.2.0`. */
export function modelshipPins(path: string, text: string | undefined): string[] {
  if (text === undefined) return [];
  if (path.endsWith('.json')) return jsonPins(text);
  const refs = [...text.matchAll(/modelship\/modelship(?:\/[\w./-]+)?@([\w.-]+)/g)].map(
    (m) => m[1]!,
  );
  return [...new Set(refs)].sort();
}

function jsonPins(text: string): string[] {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return [];
  }
  const field = (node: unknown, ...keys: string[]): unknown =>
    keys.reduce<unknown>(
      (at, key) =>
        typeof at === 'object' && at !== null ? (at as Record<string, unknown>)[key] : undefined,
      node,
    );
  const pins = [
    field(json, 'dependencies', 'modelship'),
    field(json, 'devDependencies', 'modelship'),
    field(json, 'packages', 'node_modules/modelship', 'version'),
  ];
  return pins.filter((p): p is string => typeof p === 'string').sort();
}
