// What io-ts lacks for a public request model: an object codec that REJECTS unknown keys (io-ts
// `exact` strips them silently). Errors are flattened by ./fieldErrors.ts.
import * as t from 'io-ts';
import { isLeft } from 'fp-ts/lib/Either.js';

type Props = Record<string, t.Mixed>;
type StrictOf<R extends Props, O extends Props> = t.TypeOf<t.TypeC<R>> & t.TypeOf<t.PartialC<O>>;

/** An object codec with required props `R`, optional props `O`, and no other keys allowed. */
export function strictObject<R extends Props, O extends Props>(
  name: string,
  required: R,
  optional: O,
): t.Type<StrictOf<R, O>, StrictOf<R, O>, unknown> {
  const shape = t.intersection([t.type(required), t.partial(optional)]);
  const allowed = new Set([...Object.keys(required), ...Object.keys(optional)]);
  return new t.Type<StrictOf<R, O>, StrictOf<R, O>, unknown>(
    name,
    (u): u is StrictOf<R, O> => shape.is(u) && Object.keys(u as object).every((k) => allowed.has(k)),
    (u, context) => {
      if (typeof u !== 'object' || u === null || Array.isArray(u)) return t.failure(u, context, `expected an object (${name})`);
      const unknownKeys: t.Errors = Object.keys(u)
        .filter((k) => !allowed.has(k))
        .map((k) => ({
          value: (u as Record<string, unknown>)[k],
          context: [...context, { key: k, type: t.never, actual: (u as Record<string, unknown>)[k] }],
          message: `unknown field "${k}" (${name} allows: ${[...allowed].join(', ')})`,
        }));
      const decoded = shape.validate(u, [...context, { key: '', type: shape, actual: u }]);
      // Report unknown keys and invalid known fields together, so one round trip shows them all.
      if (isLeft(decoded)) return t.failures([...unknownKeys, ...decoded.left]);
      if (unknownKeys.length > 0) return t.failures(unknownKeys);
      // Keep only the declared keys with defined values, so the output is a plain model object.
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(decoded.right as Record<string, unknown>)) if (v !== undefined) out[k] = v;
      return t.success(out as StrictOf<R, O>);
    },
    (a) => shape.encode(a) as StrictOf<R, O>,
  );
}
