// Makes data/train.csv, data/eval.csv and data/current.csv from palmerpenguins' penguins.csv
// (CC0): the rows with every measurement and sex, shuffled with a fixed seed and split 70/30;
// current.csv is eval.csv with a synthetic shift (longer flippers and bills), to show drift.
//   node prepare-data.mjs <penguins.csv>
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';

const source = process.argv[2];
if (!source) {
  console.error('usage: node prepare-data.mjs <penguins.csv>');
  process.exit(2);
}
const [header, ...lines] = readFileSync(source, 'utf8').trim().split('\n');
const columns = header.replaceAll('"', '').split(',');
const rows = lines
  .map((line) => line.replaceAll('"', '').split(','))
  .filter((cells) => cells.length === columns.length && cells.every((c) => c !== '' && c !== 'NA'));

// mulberry32: the same shuffle on every machine.
let state = 20261207;
const random = () => {
  state = (state + 0x6d2b79f5) | 0;
  let t = Math.imul(state ^ (state >>> 15), 1 | state);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};
for (let i = rows.length - 1; i > 0; i--) {
  const j = Math.floor(random() * (i + 1));
  [rows[i], rows[j]] = [rows[j], rows[i]];
}
const cut = Math.round(rows.length * 0.7);
const at = (name) => columns.indexOf(name);
const shifted = rows.slice(cut).map((cells) => {
  const copy = [...cells];
  copy[at('flipper_length_mm')] = String(Number(copy[at('flipper_length_mm')]) + 8);
  copy[at('bill_length_mm')] = (Number(copy[at('bill_length_mm')]) * 1.1).toFixed(1);
  return copy;
});
const csv = (part) => `${[columns, ...part].map((cells) => cells.join(',')).join('\n')}\n`;
mkdirSync('data', { recursive: true });
writeFileSync('data/train.csv', csv(rows.slice(0, cut)));
writeFileSync('data/eval.csv', csv(rows.slice(cut)));
writeFileSync('data/current.csv', csv(shifted));
console.log(`${rows.length} rows: ${cut} train, ${rows.length - cut} eval and current`);
