// How GitHub reads inline markdown, for tests that check report text stays inert.

/** Each line's text outside code spans (code spans become \0) and the code spans' contents. */
export function inlineParts(line: string): { text: string; code: string[] } {
  let text = '';
  const code: string[] = [];
  let i = 0;
  while (i < line.length) {
    if (line[i] === '\\' && i + 1 < line.length) {
      text += line.slice(i, i + 2);
      i += 2;
    } else if (line[i] !== '`') {
      text += line[i];
      i++;
    } else {
      const open = /^`+/.exec(line.slice(i))![0].length;
      const closer = new RegExp(`(?<!\`)\`{${open}}(?!\`)`, 'g');
      closer.lastIndex = i + open;
      const close = closer.exec(line);
      if (!close) {
        text += '`'.repeat(open);
        i += open;
        continue;
      }
      let content = line.slice(i + open, close.index);
      if (content.startsWith(' ') && content.endsWith(' ') && content.trim() !== '') {
        content = content.slice(1, -1);
      }
      code.push(content);
      text += '\0';
      i = close.index + open;
    }
  }
  return { text, code };
}

/** Pipes that split a GFM table row: any not backslash-escaped, inside a code span or not. */
export function cellSeparators(row: string): number {
  return [...row.matchAll(/(\\*)\|/g)].filter((m) => m[1]!.length % 2 === 0).length;
}
