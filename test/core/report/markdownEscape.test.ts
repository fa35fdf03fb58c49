// Data-derived strings in job summaries and comments must stay inert: no HTML, links, emphasis,
// headings, mentions, or table breaks. No CommonMark renderer is installed, so the checks below
// read the markdown the way CommonMark/GFM do: code spans by backtick runs, cells by unescaped
// pipes, backslash escapes outside code spans.
import { markdownTable } from 'markdown-table';
import { describe, expect, it } from 'vitest';
import type { ValidationReport } from '../../../src/core/data/validationReport.js';
import { codeSpan, escapeMarkdown } from '../../../src/core/report/markdownEscape.js';
import { validationMarkdown } from '../../../src/core/report/validationMarkdown.js';
import { cellSeparators, inlineParts } from '../../support/markdownReading.js';

const ZWSP = '\u200b';
const IMG = '<img src=x onerror=alert(1)>|@org/team';

/** What a reader sees of a code span made by codeSpan(value). */
const shownInCode = (value: string) => value.replace(/[\r\n]+/g, ' ').replace(/\|/g, '¦');

describe('escapeMarkdown', () => {
  it.each([
    [IMG, `&lt;img src=x onerror=alert\\(1\\)&gt;\\|@${ZWSP}org/team`],
    ['[link](http://x)', '\\[link\\]\\(http:\u200b//x\\)'],
    ['**bold**', '\\*\\*bold\\*\\*'],
    ['# heading', '\\# heading'],
    ['1. item', '1\\. item'],
    ['- item', '\\- item'],
    ['> quote', '&gt; quote'],
    ['a\nb\r\nc', 'a b c'],
    ['a``b', 'a\\`\\`b'],
    ['&lt; is not <', '&amp;lt; is not &lt;'],
    ['back\\slash|', 'back\\\\slash\\|'],
    [':smile: ~~x~~', `:${ZWSP}smile: \\~\\~x\\~\\~`],
    ['plain words 42', 'plain words 42'],
  ])('escapes %j', (value, escaped) => {
    expect(escapeMarkdown(value)).toBe(escaped);
  });

  it('leaves no markup, mention or line break for CommonMark to act on', () => {
    const all = [IMG, '[link](http://x)', '**bold**', '# heading', '`x`', '_i_', 'a\nb'];
    for (const value of all) {
      const { text, code } = inlineParts(escapeMarkdown(value));
      expect(code).toEqual([]);
      expect(text).not.toMatch(/[<>\n\r]/);
      // Every markdown punctuation character is backslash-escaped.
      expect(text.replace(/\\./g, '')).not.toMatch(/[\\`*_[\]()#|~!]/);
      expect(text).not.toMatch(new RegExp(`@(?!${ZWSP})`));
    }
  });
});

describe('codeSpan', () => {
  it.each([
    [IMG, '`<img src=x onerror=alert(1)>¦@org/team`'],
    ['[link](http://x)', '`[link](http://x)`'],
    ['a``b', '```a``b```'],
    ['`x`', '`` `x` ``'],
    ['x|y', '`x¦y`'],
    ['a\nb', '`a b`'],
    ['', '`  `'],
    [' padded ', '`  padded  `'],
  ])('wraps %j', (value, span) => {
    expect(codeSpan(value)).toBe(span);
  });

  it('shows the value as it is (pipes as ¦, one line) whatever backticks and spaces it has', () => {
    const values = [
      'a`b',
      '``',
      '`',
      'a``',
      '```x` y``',
      ' padded ',
      ' lead',
      'trail ',
      '  ',
      IMG,
      'x\\',
    ];
    for (const value of values) {
      const { text, code } = inlineParts(codeSpan(value));
      expect(text, value).toBe('\0');
      expect(code, value).toEqual([shownInCode(value)]);
    }
  });

  it('keeps a table row to its cells', () => {
    const table = markdownTable([
      ['name', 'value'],
      [codeSpan('a|b`|c'), escapeMarkdown('x|y\\|z')],
      [escapeMarkdown('|||'), codeSpan('|')],
    ]);
    const rows = table.split('\n');
    expect(rows).toHaveLength(4);
    for (const row of rows) expect(cellSeparators(row), row).toBe(3);
  });
});

describe('validationMarkdown', () => {
  const example = (row: number, value: string | null, file?: string) =>
    file ? { row, value, file } : { row, value };
  const report: ValidationReport = {
    ok: false,
    rows: 1234,
    data: 'data/@org/team|<b>x</b>.csv',
    files: ['/w/data/# heading|x.csv'],
    schema: 'schema`|.yml',
    columns: [IMG, '[link](http://x)', 'multi\nline'],
    violations: [
      {
        column: IMG,
        check: 'in',
        severity: 'error',
        unexpected_count: 2,
        unexpected_percent: 50,
        element_count: 4,
        examples: [
          example(2, '**bold**|x', '/w/data/# heading|x.csv'),
          example(3, null, '/w/data/# heading|x.csv'),
        ],
        message: `2 of 4 values in "${IMG}" are not allowed, e.g. "**bold**|x" at row 2`,
      },
      {
        column: '[link](http://x)',
        check: 'pattern',
        severity: 'warning',
        unexpected_count: 1,
        unexpected_percent: 25,
        element_count: 4,
        examples: [example(4, 'a``b|`')],
        message: '1. [link](http://x)\n# heading @org/team',
      },
      {
        column: 'multi\nline',
        check: 'type',
        severity: 'error',
        unexpected_count: 1,
        unexpected_percent: 25,
        element_count: 4,
        examples: [example(1, ' padded | value with a long tail ')],
        message: '`code` ~~strike~~ <script>alert(1)</script>',
      },
      {
        column: null,
        check: 'rows',
        severity: 'error',
        unexpected_count: 4,
        unexpected_percent: 100,
        element_count: 4,
        examples: [],
        message: 'the data has 4 rows; the contract requires at least 100',
      },
    ],
  };
  const markdown = validationMarkdown(report);
  const lines = markdown.split('\n');

  it('keeps every table row to the header’s cells', () => {
    const rows = lines.filter((l) => l.startsWith('|'));
    expect(rows).toHaveLength(2 + report.violations.length);
    const header = cellSeparators(rows[0]!);
    expect(header).toBe(7);
    for (const row of rows) expect(cellSeparators(row), row).toBe(header);
  });

  it('puts data in code spans or escaped text only', () => {
    for (const line of lines) {
      const { text } = inlineParts(line);
      expect(text, line).not.toMatch(/<(img|b|script)/i);
      expect(text, line).not.toMatch(new RegExp(`@(?!${ZWSP})`));
      expect(text, line).not.toMatch(/(?<!\\)\[link/);
      expect(text, line).not.toMatch(/(?<!\\)\*\*bold/);
    }
    expect(markdown).not.toContain('<img src=x onerror=alert(1)>|');
    expect(markdown).not.toContain('<script>');
    expect(markdown.match(/^#+ /gm)).toEqual(['### ']);
  });

  it('renders the cells a reader should see', () => {
    const cells = (line: string) =>
      line
        .split(/(?<!\\)\|/)
        .slice(1, -1)
        .map((c) => c.trim());
    const rows = lines.filter((l) => l.startsWith('|')).map(cells);
    expect(rows.slice(2)).toEqual([
      [
        '❌',
        '`<img src=x onerror=alert(1)>¦@org/team`',
        'in',
        '2',
        '50.00',
        '\\# heading\\|x.csv:2: `**bold**¦x`, \\# heading\\|x.csv:3: *empty*',
      ],
      ['⚠️', '`[link](http://x)`', 'pattern', '1', '25.00', '4: ``` a``b¦` ```'],
      ['❌', '`multi line`', 'type', '1', '25.00', '1: ` padded ¦ value with a long t…`'],
      ['❌', '—', 'rows', '4', '100.00', ''],
    ]);
    const codes = rows.slice(2).flatMap((row) => row.flatMap((cell) => inlineParts(cell).code));
    expect(codes).toEqual([
      shownInCode(IMG),
      '**bold**¦x',
      '[link](http://x)',
      'a``b¦`',
      'multi line',
      ' padded ¦ value with a long t…',
    ]);
  });

  it('escapes the heading, the contract name and every message', () => {
    expect(lines[0]).toBe('### Data validation: `data/@org/team¦<b>x</b>.csv`');
    expect(markdown).toContain('1,234 rows · 3 columns · contract ``schema`¦.yml``\n');
    expect(markdown).toContain('❌ **Data contract failed**: 3 checks failed, 1 warning\n');
    const items = lines.filter((l) => l.startsWith('- '));
    expect(items).toEqual([
      `- 2 of 4 values in "&lt;img src=x onerror=alert\\(1\\)&gt;\\|@${ZWSP}org/team" are not allowed, e.g. "\\*\\*bold\\*\\*\\|x" at row 2`,
      `- 1\\. \\[link\\]\\(http:${ZWSP}//x\\) \\# heading @${ZWSP}org/team`,
      '- \\`code\\` \\~\\~strike\\~\\~ &lt;script&gt;alert\\(1\\)&lt;/script&gt;',
      '- the data has 4 rows; the contract requires at least 100',
    ]);
  });
});

describe('bare links', () => {
  it('breaks GFM autolinks of URLs and www. names', () => {
    expect(escapeMarkdown('see http://evil.example/x or www.evil.example')).toBe(
      'see http:\u200b//evil.example/x or www\u200b.evil.example',
    );
  });
});
