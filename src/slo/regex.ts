/**
 * Whether Prometheus (RE2, anchored as `^(?:re)$`) accepts a regular expression, decided
 * without RE2: JavaScript's parser (in `u` mode, the strictest) checks the syntax both share,
 * and what JavaScript accepts but RE2 does not is refused first. Some RE2-only syntax is
 * refused too (`(?P<name>`, `[[:alpha:]]`, `\z`): never a rule file Prometheus rejects, at the
 * price of writing those another way.
 */

/** RE2 refuses a repetition count above 1000. */
const MAX_REPEAT = 1000;

/** Why `re` may not be valid RE2, or `undefined` when it is. */
export function checkRegex(re: string): string | undefined {
  let js = '';
  let inClass = false;
  /** Per open group: whether it holds a counted repetition. */
  const groups: boolean[] = [];
  for (let i = 0; i < re.length; i++) {
    const c = re[i];
    if (c === '\\') {
      const e = re[i + 1] ?? '';
      if (/[1-9]/.test(e)) return `regex ${JSON.stringify(re)}: backreferences are not RE2`;
      if (e === 'k' || e === 'u' || e === 'c') {
        return `regex ${JSON.stringify(re)}: "\\${e}" is not RE2`;
      }
      js += c + e;
      i++;
      continue;
    }
    if (inClass) {
      if (c === ']') inClass = false;
      js += c;
      continue;
    }
    if (c === '[') {
      if (re.startsWith('[]', i) || re.startsWith('[^]', i)) {
        return `regex ${JSON.stringify(re)}: "${re.startsWith('[]', i) ? '[]' : '[^]'}" is read differently by RE2`;
      }
      inClass = true;
      js += c;
      continue;
    }
    if (c === '(') {
      const flags = /^\(\?[imsU]+(\)|:)/.exec(re.slice(i));
      if (flags !== null) {
        // RE2's flag groups: `(?i)` holds no pattern, `(?i:x)` is a group.
        if (flags[1] === ':') {
          groups.push(false);
          js += '(?:';
        }
        i += flags[0].length - 1;
        continue;
      }
      if (re.startsWith('(?', i) && !re.startsWith('(?:', i)) {
        return `regex ${JSON.stringify(re)}: "(?${re[i + 2] ?? ''}" is not RE2 syntax obsweave accepts`;
      }
      groups.push(false);
      js += c;
      continue;
    }
    if (c === ')') {
      const lastGroupCounted = groups.pop() ?? false;
      if (lastGroupCounted && groups.length > 0) groups[groups.length - 1] = true;
      js += c;
      if (re[i + 1] === '{' && lastGroupCounted) {
        return `regex ${JSON.stringify(re)}: nested counted repetitions make RE2 programs too large`;
      }
      continue;
    }
    if (c === '{') {
      const count = /^\{(\d+)(,(\d*))?\}/.exec(re.slice(i));
      if (count !== null) {
        if (Number(count[1]) > MAX_REPEAT || Number(count[3] || 0) > MAX_REPEAT) {
          return `regex ${JSON.stringify(re)}: RE2 repeats at most ${MAX_REPEAT} times`;
        }
        if (groups.length > 0) groups[groups.length - 1] = true;
      }
    }
    js += c;
  }
  try {
    new RegExp(`^(?:${js})$`, 'u');
  } catch (e) {
    return `regex ${JSON.stringify(re)} is not valid: ${(e as Error).message.replace(/^.*: /s, '')}`;
  }
  return undefined;
}
