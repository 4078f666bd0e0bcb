/**
 * Whether Prometheus parses a label or annotation as a Go template. Text outside `{{ }}` is
 * free; inside, obsweave accepts what it can check exactly: variables Prometheus defines
 * (`$labels.job`, `$value`), fields (`.Labels.job`), strings, numbers, the template functions
 * of Prometheus 2 and Go, pipelines (`$value | humanize`) and `if`/`with`/`range`/`else`/`end`.
 */

const VARIABLES = new Set(['$', '$labels', '$externalLabels', '$externalURL', '$value']);
const FUNCTIONS = new Set([
  // Go's text/template
  'and',
  'call',
  'html',
  'index',
  'slice',
  'js',
  'len',
  'not',
  'or',
  'print',
  'printf',
  'println',
  'urlquery',
  'eq',
  'ge',
  'gt',
  'le',
  'lt',
  'ne',
  // Prometheus 2.x
  'query',
  'first',
  'label',
  'value',
  'strvalue',
  'args',
  'reReplaceAll',
  'safeHtml',
  'match',
  'title',
  'toUpper',
  'toLower',
  'graphLink',
  'tableLink',
  'sortByLabel',
  'humanize',
  'humanize1024',
  'humanizeDuration',
  'humanizePercentage',
  'humanizeTimestamp',
  'pathPrefix',
  'externalURL',
]);
const OPENERS = new Set(['if', 'with', 'range']);

/** One token of a pipeline, after the space before it (group 1). */
const TOKEN =
  /(\s*)(?:("(?:[^"\\\n]|\\["\\abfnrtv])*")|(`[^`]*`)|(-?\d+(?:\.\d+)?)|(\$[a-zA-Z0-9_]*(?:\.[a-zA-Z_][a-zA-Z0-9_]*)*)|(\.(?:[a-zA-Z_][a-zA-Z0-9_]*(?:\.[a-zA-Z_][a-zA-Z0-9_]*)*)?)|([a-zA-Z_][a-zA-Z0-9_]*)|(\|))/y;

/** Why `text` is not a template Prometheus parses, or `undefined` when it is. */
export function checkTemplate(text: string): string | undefined {
  const open: string[] = [];
  let at = 0;
  for (;;) {
    const start = text.indexOf('{{', at);
    if (start < 0) break;
    const end = actionEnd(text, start + 2);
    if (end < 0) return `"{{" at ${start} is never closed by "}}"`;
    let body = text.slice(start + 2, end);
    if (/^-\s/.test(body)) body = body.slice(1);
    if (/\s-$/.test(body)) body = body.slice(0, -1);
    const why = action(body.trim(), open);
    if (why !== undefined) return `{{${text.slice(start + 2, end)}}}: ${why}`;
    at = end + 2;
  }
  if (open.length > 0) return `{{ ${open[open.length - 1]} }} has no {{ end }}`;
  return undefined;
}

/** Where the action opened before `from` ends: its `}}` outside string literals. */
function actionEnd(text: string, from: number): number {
  for (let i = from; i < text.length; i++) {
    const c = text[i];
    if (c === '}' && text[i + 1] === '}') return i;
    if (c === '"' || c === '`') {
      const close = c === '"' ? /(?:[^"\\\n]|\\.)*"/y : /[^`]*`/y;
      close.lastIndex = i + 1;
      if (close.exec(text) === null) return -1;
      i = close.lastIndex - 1;
    }
  }
  return -1;
}

function action(body: string, open: string[]): string | undefined {
  const word = /^[a-z]+/.exec(body)?.[0];
  if (word === 'end' || word === 'else') {
    if (open.length === 0) return `"${word}" without "if", "with" or "range"`;
    if (word === 'end') {
      if (body !== 'end') return '"end" takes nothing';
      open.pop();
      return undefined;
    }
    const rest = body.slice(4).trim();
    if (rest === '') return undefined;
    const chained = /^(if|with)\s/.exec(rest);
    return chained === null
      ? '"else" takes "if" or "with"'
      : pipeline(rest.slice(chained[0].length));
  }
  if (word !== undefined && OPENERS.has(word) && body === word) return `"${word}" needs a value`;
  if (word !== undefined && OPENERS.has(word) && /^[a-z]+\s/.test(body)) {
    open.push(word);
    return pipeline(body.slice(word.length));
  }
  if (
    word !== undefined &&
    ['define', 'template', 'block', 'break', 'continue', 'nil'].includes(word)
  ) {
    return `"${word}" is not accepted here`;
  }
  return pipeline(body);
}

/** `command ( "|" command )*`, each command one or more operands. */
function pipeline(text: string): string | undefined {
  let commands = 0;
  let operands = 0;
  TOKEN.lastIndex = 0;
  const body = text.trimEnd();
  while (TOKEN.lastIndex < body.length) {
    const at = TOKEN.lastIndex;
    const m = TOKEN.exec(body);
    if (m === null) return `cannot read ${JSON.stringify(body.slice(at).trim())}`;
    const [, space, , , , variable, , ident, bar] = m;
    if (bar !== undefined) {
      if (operands === 0) return 'an empty command before "|"';
      commands++;
      operands = 0;
      continue;
    }
    if (variable !== undefined && !VARIABLES.has(variable.split('.')[0])) {
      return `undefined variable "${variable.split('.')[0]}"`;
    }
    if (ident !== undefined && !FUNCTIONS.has(ident) && ident !== 'true' && ident !== 'false') {
      return `function "${ident}" not defined`;
    }
    // Go reads `"a""b"` or `$value.x"y"` as one bad operand: operands are apart.
    if (operands > 0 && space === '') return `missing space before ${JSON.stringify(m[0])}`;
    operands++;
  }
  if (operands === 0) return commands === 0 ? 'an empty action' : 'an empty command after "|"';
  return undefined;
}
