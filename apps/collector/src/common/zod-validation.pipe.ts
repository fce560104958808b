import { BadRequestException, type PipeTransform } from '@nestjs/common';
import { parseWith } from '@wattprint/protocol';
import { z } from 'zod';

/**
 * Validates a request body, query or param with a zod schema. A bad request gets a 400 that names
 * every bad field, the value found and what was expected:
 * `{ "error": "invalid_request", "problems": [{ "path": "end", "message": "…; got \"x\"" }] }`.
 */
export class ZodValidationPipe<S extends z.ZodType> implements PipeTransform<unknown, z.output<S>> {
  constructor(private readonly schema: S) {}

  transform(value: unknown): z.output<S> {
    const parsed = parseWith(this.schema, value);
    if (!parsed.ok) throw new BadRequestException({ error: 'invalid_request', problems: parsed.problems });
    return parsed.value;
  }
}

/** The JSON Schema of a zod schema, for `@ApiBody({ schema })` / `@ApiQuery` so /docs shows what the pipe enforces. */
export function openApiSchema(schema: z.ZodType): Record<string, unknown> {
  const json = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  delete json.$schema;
  return json;
}
