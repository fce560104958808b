import type { SchemaObject } from '@nestjs/swagger';
import type { z } from 'zod';
import { openApiSchema } from '../common/zod-validation.pipe';

/** openApiSchema typed for @nestjs/swagger's decorators. */
export function apiSchema(schema: z.ZodType): SchemaObject {
  return openApiSchema(schema) as SchemaObject;
}
