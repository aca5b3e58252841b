// Invalid input as every part of the service reports it: one `{ path, message }` per bad field,
// the path dotted from the decoded root (`employees.3.contractId`; empty for the root itself).
import * as t from 'io-ts';

export interface FieldError {
  readonly path: string;
  readonly message: string;
}

// io-ts unions and intersections add numbered members to the context; they are not fields.
function pathOf(context: t.Context): string {
  const parts: string[] = [];
  for (let i = 1; i < context.length; i++) {
    const parent = context[i - 1].type;
    if (parent instanceof t.IntersectionType || parent instanceof t.UnionType || context[i].key === '') continue;
    parts.push(context[i].key);
  }
  return parts.join('.');
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  const text = JSON.stringify(value);
  return text === undefined ? typeof value : text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/** One error per invalid path; a union's alternatives for one field are joined with "or". */
export function formatErrors(errors: t.Errors): FieldError[] {
  const byPath = new Map<string, string[]>();
  for (const error of errors) {
    const path = pathOf(error.context);
    const leaf = error.context[error.context.length - 1];
    const message = error.message ?? `expected ${leaf?.type.name ?? 'a valid value'}, got ${describe(error.value)}`;
    const messages = byPath.get(path) ?? [];
    if (!messages.includes(message)) messages.push(message);
    byPath.set(path, messages);
  }
  return [...byPath].map(([path, messages]) => ({ path, message: messages.join(' or ') }));
}
