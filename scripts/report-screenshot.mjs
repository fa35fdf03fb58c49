#!/usr/bin/env node
// Renders a report (markdown as Modelship writes it for a PR comment) to HTML styled like a GitHub
// comment, and captures it with headless Chromium (Debian's `chromium` package) for the README.
//
//   node scripts/report-screenshot.mjs [report.md] [-o docs/report.png] [--width 900]
//
// Default input: .modelship-out/demo/evaluate.md (run `npx modelship demo` first). Mermaid blocks
// are shown as code: GitHub draws them, but drawing them here would need mermaid's browser bundle.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { marked } from 'marked';

const args = process.argv.slice(2);
const option = (name, fallback) => {
  const at = args.indexOf(name);
  if (at < 0) return fallback;
  const [value] = args.splice(at, 2).slice(1);
  return value;
};
const out = resolve(option('-o', 'docs/report.png'));
const width = Number(option('--width', '900'));
const height = Number(option('--height', '1500'));
const input = resolve(args[0] ?? '.modelship-out/demo/evaluate.md');

let markdown;
try {
  markdown = readFileSync(input, 'utf8');
} catch {
  console.error(`report-screenshot: ${input} not found; run \`npx modelship demo\` first.`);
  process.exit(2);
}

// Close to GitHub's comment styles (primer), so the picture shows what a reviewer sees.
const css = `
body { margin: 0; background: #fff; font: 14px/1.5 -apple-system, "Segoe UI", "Noto Sans", Helvetica, Arial, sans-serif; color: #1f2328; }
.comment { margin: 16px; border: 1px solid #d1d9e0; border-radius: 6px; }
.header { background: #f6f8fa; border-bottom: 1px solid #d1d9e0; padding: 8px 16px; color: #59636e; border-radius: 6px 6px 0 0; }
.header b { color: #1f2328; }
.body { padding: 16px; }
h2 { font-size: 1.5em; border-bottom: 1px solid #d1d9e0; padding-bottom: .3em; margin-top: 0; }
h3 { font-size: 1.25em; } h4 { font-size: 1em; }
table { border-collapse: collapse; margin: 8px 0 16px; display: block; overflow: auto; }
th, td { border: 1px solid #d1d9e0; padding: 6px 13px; }
tr:nth-child(2n) { background: #f6f8fa; }
code { background: rgba(129,139,152,.12); border-radius: 6px; padding: .2em .4em; font-size: 85%; font-family: ui-monospace, SFMono-Regular, Menlo, monospace; }
pre { background: #f6f8fa; border-radius: 6px; padding: 16px; overflow: auto; }
pre code { background: none; padding: 0; }
details { margin: 8px 0; } summary { cursor: pointer; }
`;
const html = `<!doctype html><html><head><meta charset="utf-8"><style>${css}</style></head><body>
<div class="comment"><div class="header"><b>github-actions</b> bot commented</div>
<div class="body">${marked.parse(markdown)}</div></div></body></html>`;

const work = mkdtempSync(join(tmpdir(), 'modelship-shot-'));
try {
  const page = join(work, 'report.html');
  writeFileSync(page, html);
  mkdirSync(dirname(out), { recursive: true });
  const result = spawnSync(
    'chromium',
    [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--hide-scrollbars',
      `--user-data-dir=${join(work, 'profile')}`,
      `--window-size=${width},${height}`,
      `--screenshot=${out}`,
      `file://${page}`,
    ],
    { encoding: 'utf8' },
  );
  if (result.error || result.status !== 0) {
    console.error(
      `report-screenshot: chromium failed (${result.error?.message ?? `exit ${result.status}`}); install Debian's chromium package.`,
    );
    process.exit(2);
  }
  console.log(`wrote ${out}`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
