import { toCsv } from '../reports/csv';
import type { JobSummaryView } from './job-views';

/** The jobs list as CSV: one job a line, energy in kWh and CO2eq in kg like the JSON. */
export function jobsCsv(jobs: JobSummaryView[]): string {
  return toCsv<JobSummaryView>(
    [
      { header: 'id', value: (j) => j.id },
      { header: 'name', value: (j) => j.name },
      { header: 'user', value: (j) => j.user },
      { header: 'team', value: (j) => j.team },
      { header: 'project', value: (j) => j.project },
      { header: 'cluster', value: (j) => j.cluster },
      { header: 'state', value: (j) => j.state },
      { header: 'started_at', value: (j) => j.startedAt },
      { header: 'ended_at', value: (j) => j.endedAt },
      { header: 'energy_kwh', value: (j) => j.energyKWh },
      { header: 'facility_energy_kwh', value: (j) => j.facilityEnergyKWh },
      { header: 'co2eq_kg', value: (j) => j.co2eqKg },
      { header: 'gpu_hours', value: (j) => j.gpuHours },
      { header: 'estimated', value: (j) => j.estimated },
      { header: 'forecast_id', value: (j) => j.forecastId },
    ],
    jobs,
  );
}
