export class ForecastNotFoundError extends Error {
  constructor(readonly forecastId: string) {
    super(`no forecast with id "${forecastId}"`);
    this.name = 'ForecastNotFoundError';
  }
}
