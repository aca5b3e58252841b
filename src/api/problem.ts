// Errors at the HTTP boundary: RFC 9457 problem details (`application/problem+json`) with a
// stable `type` per kind of error and, for invalid input, the path of every bad field.
import * as t from 'io-ts';

export interface FieldError {
  /** Where in the input, e.g. `employees.3.skills.0` (empty for the whole body). */
  path: string;
  message: string;
}

export interface ProblemBody {
  type: string;
  title: string;
  status: number;
  detail?: string;
  errors?: FieldError[];
  [extension: string]: unknown;
}

const TITLES: Record<number, string> = {
  400: 'Bad request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not found',
  405: 'Method not allowed',
  406: 'Not acceptable',
  409: 'Conflict',
  412: 'Precondition failed',
  413: 'Payload too large',
  415: 'Unsupported media type',
  422: 'Invalid request',
  428: 'Precondition required',
  429: 'Too many requests',
  500: 'Internal server error',
  501: 'Not implemented',
  503: 'Service unavailable',
};

/** Thrown anywhere below the API; the error middleware turns it into a problem+json response. */
export class HttpProblem extends Error {
  constructor(
    readonly status: number,
    /** Stable machine-readable slug, e.g. `validation`, `not-found`, `version-conflict`. */
    readonly slug: string,
    detail?: string,
    readonly extensions: Record<string, unknown> = {},
  ) {
    super(detail ?? TITLES[status] ?? 'Error');
  }

  toBody(instance?: string): ProblemBody {
    return {
      type: problemType(this.slug),
      title: TITLES[this.status] ?? 'Error',
      status: this.status,
      detail: this.message,
      ...(instance ? { instance } : {}),
      ...this.extensions,
    };
  }
}

export const problemType = (slug: string): string => `https://paiban.dev/problems/${slug}`;

export function invalidInput(errors: FieldError[], detail = 'The request has invalid fields.'): HttpProblem {
  return new HttpProblem(422, 'validation', detail, { errors });
}

/** `a.b.2.c` from an io-ts context (skipping the union/intersection members' numeric keys). */
function pathOf(context: t.Context): string {
  let path = '';
  for (let i = 1; i < context.length; i++) {
    const { key } = context[i];
    const parent = context[i - 1].type as t.Mixed & { _tag?: string };
    if (parent._tag === 'UnionType' || parent._tag === 'IntersectionType') continue;
    path += path ? `.${key}` : key;
  }
  return path;
}

function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  const text = JSON.stringify(value);
  return text === undefined ? typeof value : text.length > 60 ? text.slice(0, 57) + '...' : text;
}

/** One error per bad field, with what was expected there. */
export function fieldErrors(errors: t.Errors): FieldError[] {
  const byPath = new Map<string, FieldError>();
  for (const error of errors) {
    const path = pathOf(error.context);
    const expected = error.message ?? `expected ${error.context[error.context.length - 1]?.type.name ?? 'a valid value'}`;
    const message = error.message ? expected : `${expected}, got ${describeValue(error.value)}`;
    const existing = byPath.get(path);
    // A union reports one error per member; keep the first message and say so once.
    if (!existing) byPath.set(path, { path, message });
  }
  return [...byPath.values()];
}
