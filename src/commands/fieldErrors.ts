// io-ts decoding errors as the API reports them: one entry per invalid field, with its path.
import type * as t from 'io-ts';

export interface FieldError {
  /** Dotted path of the field, e.g. `shifts.3.start`; empty for the value as a whole. */
  readonly path: string;
  /** What was expected there. */
  readonly expected: string;
}

// Union and intersection members show up in the context as numeric keys; they are not fields.
const COMBINATORS = new Set(['UnionType', 'IntersectionType']);

function pathOf(context: t.Context): string {
  const keys: string[] = [];
  context.forEach((entry, index) => {
    if (entry.key === '') return;
    const parent = context[index - 1]?.type as { _tag?: string } | undefined;
    if (parent?._tag && COMBINATORS.has(parent._tag)) return;
    keys.push(entry.key);
  });
  return keys.join('.');
}

/** One FieldError per invalid path (the first expectation reported for it). */
export function fieldErrors(errors: t.Errors): FieldError[] {
  const byPath = new Map<string, FieldError>();
  for (const error of errors) {
    const path = pathOf(error.context);
    const leaf = error.context[error.context.length - 1];
    if (!byPath.has(path)) byPath.set(path, { path, expected: error.message ?? leaf?.type.name ?? 'a valid value' });
  }
  return [...byPath.values()];
}
