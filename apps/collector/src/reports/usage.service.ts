import { Inject, Injectable } from '@nestjs/common';
import type { Principal } from '../auth/auth.decorators';
import { toCsv } from './csv';
import { EMISSION_FACTORS, type EmissionFactors } from './emission-factors';
import type { UsageQuery } from './query.schemas';
import { usageReport, type UsageRow } from './usage-report';
import { UsageRepository } from './usage.repository';

@Injectable()
export class UsageService {
  constructor(
    private readonly usage: UsageRepository,
    @Inject(EMISSION_FACTORS) private readonly factors: EmissionFactors,
  ) {}

  async report(query: UsageQuery, principal: Principal) {
    const { rows, estimatedHours } = await this.usage.sums(
      {
        groupBy: query.groupBy,
        from: query.from,
        to: query.to,
        bucket: query.bucket,
        user: query.user,
        team: query.team,
        project: query.project,
        cluster: query.cluster,
        scopeTeam: principal.role === 'viewer' ? principal.team : null,
      },
      (from, to) => this.factors.siteHourFactors(from, to),
    );
    return {
      groupBy: query.groupBy,
      bucket: query.bucket,
      from: new Date(query.from).toISOString(),
      to: new Date(query.to).toISOString(),
      ...usageReport(rows, estimatedHours),
    };
  }

  async csv(query: UsageQuery, principal: Principal): Promise<string> {
    const { rows } = await this.report(query, principal);
    return toCsv<UsageRow>(
      [
        { header: 'period', value: (r) => r.period },
        { header: query.groupBy, value: (r) => r.key },
        { header: 'idle', value: (r) => r.idle },
        { header: 'energy_kwh', value: (r) => r.energyKWh },
        { header: 'facility_energy_kwh', value: (r) => r.facilityEnergyKWh },
        { header: 'co2eq_kg', value: (r) => r.co2eqKg },
        { header: 'gpu_hours', value: (r) => r.gpuHours },
        { header: 'idle_share', value: (r) => r.idleShare },
        { header: 'estimated', value: (r) => r.estimated },
      ],
      rows,
    );
  }
}
