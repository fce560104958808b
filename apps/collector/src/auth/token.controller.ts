import { Body, Controller, Delete, Get, HttpCode, Param, Post, UseFilters } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Identifier } from '@wattprint/protocol';
import { z } from 'zod';
import { ZodValidationPipe } from '../common/zod-validation.pipe';
import { AuthErrorsFilter } from './auth-errors.filter';
import { CurrentPrincipal, type Principal, Roles } from './auth.decorators';
import { apiSchema } from '../common/api-schema';
import { CreatedTokenSchema, CreateTokenBody, TokenViewSchema, type TokenView } from './token.schemas';
import { TokenService } from './token.service';

const PrincipalSchema = z.object({
  tokenId: z.string(),
  role: z.enum(['admin', 'viewer', 'agent', 'scheduler']),
  team: z.string().nullable(),
  agentId: z.string().nullable(),
});

@ApiTags('tokens')
@ApiBearerAuth()
@UseFilters(AuthErrorsFilter)
@Controller('api/v1')
export class TokenController {
  constructor(private readonly tokens: TokenService) {}

  @Post('tokens')
  @Roles('admin')
  @ApiBody({ schema: apiSchema(CreateTokenBody) })
  @ApiCreatedResponse({ description: 'The token, with its secret shown this once', schema: apiSchema(CreatedTokenSchema) })
  create(@Body(new ZodValidationPipe(CreateTokenBody)) body: CreateTokenBody): Promise<TokenView & { secret: string }> {
    return this.tokens.create(body);
  }

  @Get('tokens')
  @Roles('admin')
  @ApiOkResponse({
    description: 'Every token, revoked ones too; never a secret',
    schema: apiSchema(z.object({ tokens: z.array(TokenViewSchema) })),
  })
  async list(): Promise<{ tokens: TokenView[] }> {
    return { tokens: await this.tokens.list() };
  }

  @Delete('tokens/:id')
  @Roles('admin')
  @HttpCode(204)
  @ApiNoContentResponse({ description: 'Revoked; the token stops working at once' })
  async revoke(@Param('id', new ZodValidationPipe(Identifier)) id: string): Promise<void> {
    await this.tokens.revoke(id);
  }

  @Get('auth/whoami')
  @ApiOkResponse({ description: 'The principal of the calling token', schema: apiSchema(PrincipalSchema) })
  whoami(@CurrentPrincipal() principal: Principal): Principal {
    return principal;
  }
}
