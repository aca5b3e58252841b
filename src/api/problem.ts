// Errors at the HTTP boundary: RFC 9457 problem details (`application/problem+json`) with a
// stable `type` per kind of error and, for invalid input, the path of every bad field.
import type { FieldError } from '../domain/fieldErrors.js';

export type { FieldError } from '../domain/fieldErrors.js';

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
