// The drift report as markdown and text: data values cannot inject markdown, HTML, mentions or
// break out of a mermaid block; the body fits the size it is given.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  computeDrift,
  driftMarkdown,
  driftText,
  type DriftReport,
} from '../../../src/core/drift/index.js';
import { mermaidText } from '../../../src/core/drift/driftMarkdown.js';
import { useTempDir } from '../../support/tempDir.js';

const dir = useTempDir();
const EVIL = [
  '<img src=x onerror=alert(1)>',
  '@octocat',
  '```',
  '"] ; click A call evil()',
  '[link](https://evil.example)',
];
let report: DriftReport;

beforeAll(async () => {
  const rows = (weights: number[]) =>
    EVIL.flatMap((v, i) =>
      Array<string>(weights[i]!).fill(`"${v.replaceAll('"', '""')}",${i * 1.5}`),
    );
  writeFileSync(join(dir, 'ref.csv'), `label,x\n${rows([50, 40, 30, 20, 10]).join('\n')}\n`);
  writeFileSync(join(dir, 'cur.csv'), `label,x\n${rows([5, 10, 20, 40, 80]).join('\n')}\n`);
  report = await computeDrift({ reference: join(dir, 'ref.csv'), current: join(dir, 'cur.csv') });
});

describe('driftMarkdown', () => {
  it('draws a mermaid chart per drifted column with reference and current shares', () => {
    expect(report.columns.label!.drifted).toBe(true);
    const md = driftMarkdown(report, { title: 'Drift: credit-risk' });
    expect(md).toMatch(/❌ \*\*Drift detected\*\*/);
    const blocks = md.match(/```mermaid\n[\s\S]*?\n```/g)!;
    expect(blocks).toHaveLength(2);
    for (const block of blocks) {
      expect(block).toMatch(/xychart-beta/);
      expect(block).toMatch(/\n {2}bar \[/);
      expect(block).toMatch(/\n {2}line \[/);
    }
  });

  it('keeps data values inert: no HTML, no mentions, no links, no fence or string breaks', () => {
    const md = driftMarkdown(report);
    expect(md).not.toContain('<img');
    expect(md).not.toMatch(/(^|[^\u200b])@octocat/);
    expect(md).not.toContain('](https://');
    const mermaid = md.match(/```mermaid\n([\s\S]*?)\n```/g)!.join('\n');
    // Inside a chart, every quoted label is one plain string.
    for (const line of mermaid.split('\n').filter((l) => l.includes('x-axis')))
      expect(line).toMatch(/^ {2}x-axis \[("[^"`<>\n]*"(, )?)+\]$/);
    expect(mermaidText('a"b`c<d>e\nf')).toBe('a_b_c‹d›e_f');
  });

  it('fits maxChars by dropping charts, then rows, never the verdict', () => {
    const full = driftMarkdown(report);
    const small = driftMarkdown(report, { maxChars: 900 });
    expect(full.length).toBeGreaterThan(900);
    expect(small.length).toBeLessThanOrEqual(900);
    expect(small).toMatch(/Drift detected/);
  });
});

describe('driftText', () => {
  it('says the verdict, then one line per column', () => {
    const text = driftText(report);
    expect(text.split('\n')[0]).toBe(
      'drift: DRIFT DETECTED: 2 of 2 columns drifted (100.0%; threshold 50.0%)',
    );
    expect(text).toMatch(/\n {2}x {2}label +categorical chisquare/);
  });
});
