// Writes a synthetic CSV (fixed seed) of N rows × 20 columns with about 1% faulty values, and the
// 20-column contract it is checked against. Used by the validation benchmark.
import { createWriteStream } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { mulberry32 as rng } from '../scripts/prng.mjs';

const CATEGORIES = {
  region: ['north', 'south', 'east', 'west'],
  plan: ['free', 'basic', 'pro', 'enterprise'],
  channel: ['web', 'store', 'phone', 'partner', 'app'],
  segment: ['a', 'b', 'c'],
};

export const CONTRACT = `columns:
  id: { type: string, unique: true, pattern: "^u[0-9]+$" }
  age: { type: integer, min: 18, max: 100 }
  tenure: { type: integer, min: 0, max: 600 }
  visits: { type: integer, min: 0 }
  items: { type: integer, min: 0, max: 1000 }
  rank: { type: integer, min: 1, max: 10 }
  score: { type: number, min: 0, max: 1 }
  balance: { type: number, min: -10000, max: 1000000 }
  ratio: { type: number, min: 0, max: 1, nullable: true }
  latency: { type: number, min: 0 }
  weight: { type: number, min: 0, max: 500 }
  region: { type: string, in: [north, south, east, west] }
  plan: { type: string, in: [free, basic, pro, enterprise] }
  channel: { type: string, in: [web, store, phone, partner, app] }
  segment: { type: string, in: [a, b, c], mostly: 0.995 }
  email: { type: string, pattern: "@", nullable: true }
  name: { type: string }
  active: { type: boolean }
  created: { type: timestamp, min: "2015-01-01" }
  updated: { type: timestamp, nullable: true }
rows: { min: 1000 }
extra_columns: error
`;

const HEADER =
  'id,age,tenure,visits,items,rank,score,balance,ratio,latency,weight,region,plan,channel,segment,email,name,active,created,updated';

/** Writes the CSV; returns the number of planted faults. */
export async function generateCsv(path, rows, seed = 42) {
  const random = rng(seed);
  const pick = (list) => list[Math.floor(random() * list.length)];
  const int = (lo, hi) => lo + Math.floor(random() * (hi - lo + 1));
  const out = createWriteStream(path);
  let buffer = HEADER + '\n';
  let faults = 0;
  const base = Date.UTC(2016, 0, 1);
  for (let i = 1; i <= rows; i++) {
    const values = [
      `u${i}`,
      String(int(18, 100)),
      String(int(0, 600)),
      String(int(0, 5000)),
      String(int(0, 1000)),
      String(int(1, 10)),
      random().toFixed(6),
      (random() * 100000 - 5000).toFixed(2),
      random() < 0.05 ? '' : random().toFixed(4),
      (random() * 250).toFixed(3),
      (random() * 150 + 40).toFixed(1),
      pick(CATEGORIES.region),
      pick(CATEGORIES.plan),
      pick(CATEGORIES.channel),
      pick(CATEGORIES.segment),
      random() < 0.1 ? '' : `user${i}@example.com`,
      `Name ${int(1, 99999)}`,
      random() < 0.5 ? 'true' : 'false',
      new Date(base + int(0, 3 * 365 * 86400) * 1000).toISOString().slice(0, 19).replace('T', ' '),
      random() < 0.2
        ? ''
        : new Date(base + int(0, 3 * 365 * 86400) * 1000).toISOString().slice(0, 10),
    ];
    // About 1% of rows get one faulty value, spread over the columns and kinds of fault.
    if (random() < 0.01) {
      faults++;
      const column = int(0, 19);
      const kind = random();
      values[column] = faultFor(column, kind, i);
    }
    buffer += values.join(',') + '\n';
    if (buffer.length > 1 << 20) {
      if (!out.write(buffer)) await new Promise((r) => out.once('drain', r));
      buffer = '';
    }
  }
  out.write(buffer);
  await new Promise((resolve, reject) => out.end((e) => (e ? reject(e) : resolve())));
  return faults;
}

function faultFor(column, kind, i) {
  if (column === 0) return kind < 0.5 ? `u${Math.max(1, i - 1)}` : `x${i}`; // duplicate id / pattern
  if (column <= 5) return kind < 0.5 ? 'twenty' : '-5'; // type / min
  if (column <= 10) return kind < 0.5 ? 'n/a' : '1e9'; // type / max
  if (column <= 14) return kind < 0.5 ? 'unknown' : 'NORTH'; // in
  if (column === 15) return 'nobody.example.com'; // pattern
  if (column === 16) return ''; // nullable
  if (column === 17) return 'maybe'; // type
  return kind < 0.5 ? 'yesterday' : '2001-01-01 00:00:00'; // type / min
}

export async function writeContract(path) {
  await writeFile(path, CONTRACT);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [path = 'bench/out/data.csv', rows = '1000000'] = process.argv.slice(2);
  const faults = await generateCsv(path, Number(rows));
  console.log(`wrote ${rows} rows with ${faults} planted faults to ${path}`);
}
