/**
 * Globs over repository paths (relative, `/`-separated): `*` and `?` stay within one folder,
 * `**` crosses folders (`a/**` matches `a` and everything under it), `{x,y}` is either. A
 * pattern without a glob character matches that path and everything under it.
 */
export function pathGlob(pattern: string): (path: string) => boolean {
  const clean = normalizePattern(pattern);
  if (!/[*?{]/.test(clean)) {
    return (path) => path === clean || clean === '.' || path.startsWith(`${clean}/`);
  }
  const regex = new RegExp(`^${globSource(clean)}$`);
  return (path) => regex.test(path);
}

/** `./a//b/` → `a/b`; the root is `.`. */
export function normalizePattern(pattern: string): string {
  const parts = pattern
    .replace(/\\/g, '/')
    .split('/')
    .filter((p) => p !== '' && p !== '.');
  return parts.length === 0 ? '.' : parts.join('/');
}

function globSource(glob: string): string {
  let source = '';
  let braces = 0;
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '*' && glob[i + 1] === '*') {
      // `a/**` is `a` and below; `**/b` is `b` in any folder, the root included.
      if (glob[i + 2] === '/') {
        source += '(?:.*/)?';
        i += 2;
      } else if (source.endsWith('/')) {
        source = `${source.slice(0, -1)}(?:/.*)?`;
        i++;
      } else {
        source += '.*';
        i++;
      }
    } else if (c === '*') source += '[^/]*';
    else if (c === '?') source += '[^/]';
    else if (c === '{') {
      braces++;
      source += '(?:';
    } else if (c === '}' && braces > 0) {
      braces--;
      source += ')';
    } else if (c === ',' && braces > 0) source += '|';
    else source += c.replace(/[.+^$()|[\]\\}]/g, '\\$&');
  }
  return source;
}
