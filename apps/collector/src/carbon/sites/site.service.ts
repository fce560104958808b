import { Injectable } from '@nestjs/common';
import { ClockRepository } from '../../clock/clock.repository';
import { SiteExistsError, SiteNotFoundError } from '../common/carbon.errors';
import { toIso } from '../common/carbon.schemas';
import { type PueStep, meanPue } from '@wattprint/carbon';
import { type NodeRecord, SiteRepository } from './site.repository';
import type { AssignNodeBody, CreateSiteBody, PueScheduleBody, SiteResponse, UpdateSiteBody } from './site.schemas';

/** A constant PUE is a schedule of one step holding since the epoch. */
function stepsOf(body: { pue?: number; pueSchedule?: PueStep[] }): PueStep[] {
  if (body.pueSchedule) return [...body.pueSchedule].sort((a, b) => a.validFrom - b.validFrom);
  return [{ validFrom: 0, pue: body.pue ?? 1 }];
}

const scheduleOut = (steps: PueStep[]) => steps.map((s) => ({ validFrom: toIso(s.validFrom), pue: s.pue }));

@Injectable()
export class SiteService {
  constructor(
    private readonly sites: SiteRepository,
    private readonly clock: ClockRepository,
  ) {}

  async create(body: CreateSiteBody): Promise<SiteResponse> {
    const created = await this.sites.create(
      { id: body.id, name: body.name, region: body.region, createdAt: this.clock.now() },
      stepsOf(body),
    );
    if (!created) throw new SiteExistsError(body.id);
    return this.get(body.id);
  }

  async get(id: string): Promise<SiteResponse> {
    const site = await this.sites.find(id);
    if (!site) throw new SiteNotFoundError(id);
    const [schedules, nodes] = await Promise.all([this.sites.pueSchedules([id]), this.sites.listNodes(id)]);
    return this.describe(site, schedules.get(id) ?? [], nodes);
  }

  async list(): Promise<SiteResponse[]> {
    const sites = await this.sites.list();
    const [schedules, nodes] = await Promise.all([this.sites.pueSchedules(sites.map((s) => s.id)), this.sites.listNodes()]);
    return sites.map((s) =>
      this.describe(
        s,
        schedules.get(s.id) ?? [],
        nodes.filter((n) => n.siteId === s.id),
      ),
    );
  }

  async update(id: string, body: UpdateSiteBody): Promise<SiteResponse> {
    if (!(await this.sites.update(id, body))) throw new SiteNotFoundError(id);
    return this.get(id);
  }

  async delete(id: string): Promise<void> {
    if (!(await this.sites.delete(id))) throw new SiteNotFoundError(id);
  }

  async pueSchedule(id: string): Promise<{ siteId: string; pueSchedule: Array<{ validFrom: string; pue: number }> }> {
    if (!(await this.sites.find(id))) throw new SiteNotFoundError(id);
    return { siteId: id, pueSchedule: scheduleOut((await this.sites.pueSchedules([id])).get(id) ?? []) };
  }

  async setPueSchedule(
    id: string,
    body: PueScheduleBody,
  ): Promise<{ siteId: string; pueSchedule: Array<{ validFrom: string; pue: number }> }> {
    if (!(await this.sites.find(id))) throw new SiteNotFoundError(id);
    await this.sites.replacePueSchedule(id, stepsOf(body));
    return this.pueSchedule(id);
  }

  async assignNode(node: string, body: AssignNodeBody): Promise<NodeRecord> {
    if (body.siteId !== null && !(await this.sites.find(body.siteId))) throw new SiteNotFoundError(body.siteId);
    await this.sites.assignNode(node, body.siteId);
    return { name: node, siteId: body.siteId };
  }

  listNodes(): Promise<NodeRecord[]> {
    return this.sites.listNodes();
  }

  private describe(
    site: { id: string; name: string; region: string; createdAt: number },
    steps: PueStep[],
    nodes: NodeRecord[],
  ): SiteResponse {
    const now = this.clock.now();
    return {
      id: site.id,
      name: site.name,
      region: site.region,
      createdAt: toIso(site.createdAt),
      pue: steps.length > 0 ? meanPue(steps, now, now + 1) : 1,
      pueSchedule: scheduleOut(steps),
      nodes: nodes.map((n) => n.name),
    };
  }
}
