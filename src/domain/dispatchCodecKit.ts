// Small io-ts building blocks for the dispatch request: objects that reject unknown fields (a
// typo in a field name must not silently fall back to a default), number refinements with a
// readable message. Errors are flattened by ./fieldErrors.ts.
import * as t from 'io-ts';

type RequiredOf<P extends t.Props> = { [K in keyof P]: t.TypeOf<P[K]> };
type OptionalOf<O extends t.Props> = { [K in keyof O]?: t.TypeOf<O[K]> };

function isRecord(u: unknown): u is Record<string, unknown> {
  return typeof u === 'object' && u !== null && !Array.isArray(u);
}

/** An object codec with required and optional fields that fails on any field it does not know. */
export function strictObject<P extends t.Props, O extends t.Props>(
  name: string,
  required: P,
  optional: O,
): t.Type<RequiredOf<P> & OptionalOf<O>, unknown, unknown> {
  type A = RequiredOf<P> & OptionalOf<O>;
  const known = new Set([...Object.keys(required), ...Object.keys(optional)]);
  const validateField = (
    codec: t.Mixed,
    key: string,
    value: unknown,
    context: t.Context,
    out: Record<string, unknown>,
    errors: t.ValidationError[],
  ): void => {
    const result = codec.validate(value, t.appendContext(context, key, codec, value));
    if (result._tag === 'Left') errors.push(...result.left);
    else out[key] = result.right;
  };
  const is = (u: unknown): u is A =>
    isRecord(u) &&
    Object.keys(u).every((k) => known.has(k)) &&
    Object.entries(required).every(([k, codec]) => codec.is(u[k])) &&
    Object.entries(optional).every(([k, codec]) => u[k] === undefined || codec.is(u[k]));
  return new t.Type<A, unknown, unknown>(
    name,
    is,
    (u, c) => {
      if (!isRecord(u)) return t.failure(u, c, 'must be an object');
      const errors: t.ValidationError[] = [];
      const out: Record<string, unknown> = {};
      for (const key of Object.keys(u)) {
        if (!known.has(key)) {
          errors.push({ value: u[key], context: t.appendContext(c, key, t.never, u[key]), message: 'unknown field' });
        }
      }
      for (const [key, codec] of Object.entries(required)) {
        if (u[key] === undefined) {
          errors.push({ value: undefined, context: t.appendContext(c, key, codec, undefined), message: 'is required' });
        } else validateField(codec, key, u[key], c, out, errors);
      }
      for (const [key, codec] of Object.entries(optional)) {
        if (u[key] !== undefined) validateField(codec, key, u[key], c, out, errors);
      }
      return errors.length > 0 ? t.failures(errors) : t.success(out as A);
    },
    t.identity,
  );
}

/**
 * A union chosen by a string tag field, so errors name the chosen branch's fields instead of
 * listing every branch's complaints.
 */
export function taggedUnion<K extends string, M extends Record<string, t.Mixed>>(
  name: string,
  tagKey: K,
  branches: M,
): t.Type<t.TypeOf<M[keyof M]>, unknown, unknown> {
  type A = t.TypeOf<M[keyof M]>;
  const tags = Object.keys(branches);
  return new t.Type<A, unknown, unknown>(
    name,
    (u): u is A => isRecord(u) && typeof u[tagKey] === 'string' && branches[u[tagKey] as string]?.is(u) === true,
    (u, c) => {
      if (!isRecord(u)) return t.failure(u, c, 'must be an object');
      const tag = u[tagKey];
      const branch = typeof tag === 'string' && Object.hasOwn(branches, tag) ? branches[tag] : undefined;
      if (branch === undefined) {
        return t.failures([
          {
            value: tag,
            context: t.appendContext(c, tagKey, t.string, tag),
            message: `must be one of ${tags.map((s) => `"${s}"`).join(', ')}`,
          },
        ]);
      }
      return branch.validate(u, c) as t.Validation<A>;
    },
    t.identity,
  );
}

function numberCodec(name: string, ok: (n: number) => boolean, message: string): t.Type<number, number, unknown> {
  return new t.Type<number, number, unknown>(
    name,
    (u): u is number => typeof u === 'number' && ok(u),
    (u, c) => (typeof u === 'number' && ok(u) ? t.success(u) : t.failure(u, c, message)),
    t.identity,
  );
}

export const FiniteNumber = numberCodec('FiniteNumber', Number.isFinite, 'must be a finite number');
export const NonNegativeNumber = numberCodec(
  'NonNegativeNumber',
  (n) => Number.isFinite(n) && n >= 0,
  'must be a finite number ≥ 0',
);
export const PositiveNumber = numberCodec('PositiveNumber', (n) => Number.isFinite(n) && n > 0, 'must be a finite number > 0');
export const PositiveInteger = numberCodec('PositiveInteger', (n) => Number.isSafeInteger(n) && n >= 1, 'must be an integer ≥ 1');
export const NonNegativeInteger = numberCodec(
  'NonNegativeInteger',
  (n) => Number.isSafeInteger(n) && n >= 0,
  'must be an integer ≥ 0',
);

export const NonEmptyString = new t.Type<string, string, unknown>(
  'NonEmptyString',
  (u): u is string => typeof u === 'string' && u.length > 0,
  (u, c) => (typeof u === 'string' && u.length > 0 ? t.success(u) : t.failure(u, c, 'must be a non-empty string')),
  t.identity,
);

/** An array codec that also demands at least one element. */
export function nonEmptyArray<C extends t.Mixed>(item: C, name: string): t.Type<Array<t.TypeOf<C>>, unknown, unknown> {
  const base = t.array(item);
  return new t.Type<Array<t.TypeOf<C>>, unknown, unknown>(
    name,
    (u): u is Array<t.TypeOf<C>> => base.is(u) && u.length > 0,
    (u, c) => (Array.isArray(u) && u.length === 0 ? t.failure(u, c, 'must not be empty') : base.validate(u, c)),
    t.identity,
  );
}
