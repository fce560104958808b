import { Body, Controller, Get, Param, Post, UseFilters } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiCreatedResponse, ApiNotFoundResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, type Principal, Roles } from '../auth/auth.decorators';
import { apiSchema } from '../common/api-schema';
import { ZodValidationPipe } from '../common/zod-validation.pipe';
import { SearchErrorsFilter } from './search-errors.filter';
import { CreateSearchBody, SearchIdParam, SearchViewSchema } from './search.schemas';
import { SearchService } from './search.service';

@ApiTags('searches')
@ApiBearerAuth()
@Roles('admin', 'viewer')
@UseFilters(SearchErrorsFilter)
@Controller('api/v1/searches')
export class SearchController {
  constructor(private readonly searches: SearchService) {}

  @Post()
  @ApiBody({ schema: apiSchema(CreateSearchBody) })
  @ApiCreatedResponse({
    description: 'The stored search with its CT forecast; launch trials with wattprint run --search ID',
    schema: apiSchema(SearchViewSchema),
  })
  create(@Body(new ZodValidationPipe(CreateSearchBody)) body: CreateSearchBody, @CurrentPrincipal() principal: Principal) {
    return this.searches.create(body, principal);
  }

  @Get(':id')
  @ApiOkResponse({
    description: 'Trials planned, running and ended, CT so far, the CT forecast and a projection of the final CT',
    schema: apiSchema(SearchViewSchema),
  })
  @ApiNotFoundResponse({ description: 'No such search (nor trials labelled with it), or another team’s' })
  get(@Param('id', new ZodValidationPipe(SearchIdParam)) id: string, @CurrentPrincipal() principal: Principal) {
    return this.searches.get(id, principal);
  }
}
