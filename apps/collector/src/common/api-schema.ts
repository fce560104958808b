import type { SchemaObject } from '@nestjs/swagger';
import type { z } from 'zod';
import { openApiSchema } from './zod-validation.pipe';

/** openApiSchema typed for @nestjs/swagger's decorators, so /docs shows what the pipes enforce. */
export function apiSchema(schema: z.ZodType): SchemaObject {
  return openApiSchema(schema) as SchemaObject;
}
