import type { z } from 'zod';
import { BadRequestError } from '../errors.ts';
import { zodMessage } from './error-mapping.ts';

/** Parses `value` with a zod schema; a failure is a 400 naming the field. */
export function parse<S extends z.ZodType>(schema: S, value: unknown): z.infer<S> {
  const r = schema.safeParse(value ?? {});
  if (!r.success) throw new BadRequestError(zodMessage(r.error), 'invalid_request');
  return r.data;
}
