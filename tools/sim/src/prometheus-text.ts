/**
 * The value of one series in Prometheus text exposition, e.g.
 * `wattprint_ingest_batches_total{result="ingested"}`; 0 when the series is absent (a counter never
 * incremented is not exported by prom-client until it has labels).
 */
export function metricValue(text: string, series: string): number {
  for (const line of text.split('\n')) {
    if (line.startsWith(`${series} `)) {
      const value = Number(
        line
          .slice(series.length + 1)
          .trim()
          .split(' ')[0],
      );
      if (!Number.isFinite(value)) throw new Error(`metric ${series}: unreadable value in ${JSON.stringify(line)}`);
      return value;
    }
  }
  return 0;
}

/** Sum of every series of a metric whatever its labels, e.g. all `wattprint_dead_letters_total{…}`. */
export function metricSum(text: string, name: string): number {
  let sum = 0;
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) continue;
    if (line.startsWith(`${name} `) || line.startsWith(`${name}{`)) {
      const value = Number(line.slice(line.lastIndexOf(' ') + 1));
      if (!Number.isFinite(value)) throw new Error(`metric ${name}: unreadable value in ${JSON.stringify(line)}`);
      sum += value;
    }
  }
  return sum;
}
