import type { LabelValues } from './types';

type Node = Map<unknown, unknown>;

/** Reads a call's labels along the series trie; `undefined` on a miss. */
export type Walk = (root: Node, labels: LabelValues) => unknown;
/** How many declared labels the object holds (not undefined). */
export type CountDeclared = (labels: LabelValues) => number;

/**
 * Specialised readers for one tuple of label names. `labels.route` is a named load that V8 caches
 * per call site, where `labels[names[i]]` is a generic keyed load: about half the cost of a
 * labelled call. The names are validated identifiers, so the generated source holds no input
 * but them. Where code generation is disabled (`--disallow-code-generation-from-strings`),
 * the generic loops are used.
 */
export function compileLabelAccess(names: readonly string[]): {
  walk: Walk;
  countDeclared: CountDeclared;
} {
  try {
    return { walk: compileWalk(names), countDeclared: compileCount(names) };
  } catch {
    return { walk: genericWalk(names), countDeclared: genericCount(names) };
  }
}

function compileWalk(names: readonly string[]): Walk {
  const lines = ['let n = root;'];
  names.forEach((name, i) => {
    lines.push(`n = n.get(labels.${name});`);
    if (i < names.length - 1) lines.push('if (n === undefined) return undefined;');
  });
  lines.push('return n;');
  return new Function('root', 'labels', lines.join('\n')) as Walk;
}

function compileCount(names: readonly string[]): CountDeclared {
  const terms = names.map((name) => `(labels.${name} !== undefined ? 1 : 0)`);
  return new Function('labels', `return ${terms.join(' + ') || '0'};`) as CountDeclared;
}

function genericWalk(names: readonly string[]): Walk {
  return (root, labels) => {
    let n: unknown = root;
    for (let i = 0; i < names.length && n !== undefined; i++) n = (n as Node).get(labels[names[i]]);
    return n;
  };
}

function genericCount(names: readonly string[]): CountDeclared {
  return (labels) => {
    let c = 0;
    for (const name of names) if (labels[name] !== undefined) c++;
    return c;
  };
}
