/**
 * Makes a data-derived string inert in GitHub markdown: no HTML, no links or emphasis, no table
 * breaks, no @mentions or #references, one line.
 */
export function escapeMarkdown(value: string): string {
  // The last step keeps "1. x" at the start of a list item from opening an ordered list in it.
  return (
    value
      .replace(/[\r\n]+/g, ' ')
      .replace(/&/g, '&amp;')
      .replace(/</g, '&lt;')
      .replace(/>/g, '&gt;')
      .replace(/([\\`*_{}[\]()#+\-!|~])/g, '\\$1')
      .replace(/@/g, '@\u200b')
      .replace(/:(\w+):/g, ':\u200b$1:')
      // GFM turns bare URLs and www. names into links: break them with a zero-width space.
      .replace(/:\/\//g, ':\u200b//')
      .replace(/\bwww\./gi, (m) => `${m.slice(0, 3)}\u200b.`)
      .replace(/^(\s*\d+)\./, '$1\\.')
  );
}

/** A value inside an inline code span: backticks cannot close it, pipes cannot split a table. */
export function codeSpan(value: string): string {
  const text = value.replace(/[\r\n]+/g, ' ').replace(/\|/g, '¦');
  const longest = Math.max(0, ...(text.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(longest + 1);
  // CommonMark strips one space from each end when both ends have one: pad to keep them.
  const spaced = text.startsWith(' ') && text.endsWith(' ') && text.trim() !== '';
  const pad = text.startsWith('`') || text.endsWith('`') || text === '' || spaced ? ' ' : '';
  return `${fence}${pad}${text}${pad}${fence}`;
}
