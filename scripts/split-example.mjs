#!/usr/bin/env node
// Writes the data of examples/credit-risk from the Statlog German Credit table:
//   data/train.csv    70% of the rows, stratified by `class`
//   data/eval.csv     the other 30%: the holdout every model is evaluated on
//   data/current.csv  the eval rows with a deliberate shift, for drift demos
// Deterministic: a fixed-seed PRNG (mulberry32), no dependencies. Rows keep their source order
// within each split and every untouched field keeps its source text (`6.0` stays `6.0`).
//
// Usage: node scripts/split-example.mjs <german_credit.csv> [out-dir]
// The source is Weka's credit-g.arff as CSV (1000 rows × 21 columns); see
// examples/credit-risk/LICENSE-DATA.

import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { mulberry32 } from './prng.mjs';

const SEED = 20240611;
const TRAIN_SHARE = 0.7;
const TARGET = 'class';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const source = process.argv[2];
if (!source) {
  console.error('usage: node scripts/split-example.mjs <german_credit.csv> [out-dir]');
  process.exit(2);
}
const outDir = process.argv[3] ?? join(repoRoot, 'examples/credit-risk/data');

/** RFC 4180 CSV: quoted fields may hold commas, quotes ("") and line breaks. */
function parseCsv(text) {
  const rows = [];
  let row = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') {
        quoted = false;
      } else {
        field += c;
      }
    } else if (c === '"') {
      quoted = true;
    } else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else {
      field += c;
    }
  }
  if (field !== '' || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}

function formatField(value) {
  return /[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

function writeCsv(file, header, rows) {
  const lines = [header, ...rows].map((r) => r.map(formatField).join(','));
  writeFileSync(file, lines.join('\n') + '\n');
  console.log(`${relative(process.cwd(), file)}: ${rows.length} rows`);
}

/** Whole numbers keep the source's style (`6.0`); others get two decimals at most. */
function formatNumber(x) {
  return Number.isInteger(x) ? `${x}.0` : String(Math.round(x * 100) / 100);
}

function shuffle(items, random) {
  const a = [...items];
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a;
}

const [header, ...rows] = parseCsv(readFileSync(source, 'utf8'));
const col = Object.fromEntries(header.map((name, i) => [name, i]));
for (const [i, r] of rows.entries()) {
  if (r.length !== header.length) throw new Error(`${source}: row ${i + 1} has ${r.length} fields`);
}

const random = mulberry32(SEED);

// Stratified split: the same share of each class goes to train, so both files keep 70/30 good/bad.
const byClass = new Map();
rows.forEach((r, i) => {
  const key = r[col[TARGET]];
  if (!byClass.has(key)) byClass.set(key, []);
  byClass.get(key).push(i);
});
const trainIndex = new Set();
for (const key of [...byClass.keys()].sort()) {
  const indices = shuffle(byClass.get(key), random);
  indices.slice(0, Math.round(indices.length * TRAIN_SHARE)).forEach((i) => trainIndex.add(i));
}
const train = rows.filter((_, i) => trainIndex.has(i));
const evaluation = rows.filter((_, i) => !trainIndex.has(i));

// The shift a year later might bring: longer, larger loans, older applicants, and more of them
// without a checking account. Every value stays inside the contract (data/schema.yml).
const current = evaluation.map((source) => {
  const r = [...source];
  const scale = (name, factor, max) => {
    r[col[name]] = formatNumber(Math.min(max, Math.round(Number(r[col[name]]) * factor)));
  };
  scale('duration', 1.25 + (random() - 0.5) * 0.1, 120);
  scale('credit_amount', 1.25 + (random() - 0.5) * 0.1, 100000);
  r[col.age] = formatNumber(Math.min(100, Number(r[col.age]) + 4 + Math.floor(random() * 5)));
  if (r[col.checking_status] !== 'no checking' && random() < 0.35) {
    r[col.checking_status] = 'no checking';
  }
  return r;
});

mkdirSync(outDir, { recursive: true });
writeCsv(join(outDir, 'train.csv'), header, train);
writeCsv(join(outDir, 'eval.csv'), header, evaluation);
writeCsv(join(outDir, 'current.csv'), header, current);
