import { metricSum, metricValue } from './prometheus-text';

const TEXT = [
  '# HELP wattprint_ingest_batches_total batches',
  '# TYPE wattprint_ingest_batches_total counter',
  'wattprint_ingest_batches_total{result="ingested"} 120',
  'wattprint_ingest_batches_total{result="duplicate"} 24',
  'wattprint_dead_letters_total{queue="samples",reason="forged"} 2',
  'wattprint_dead_letters_total{queue="samples",reason="malformed"} 3',
  'wattprint_dead_letters_total_other 99',
].join('\n');

describe('Prometheus text', () => {
  it('reads one series, 0 when absent', () => {
    expect(metricValue(TEXT, 'wattprint_ingest_batches_total{result="ingested"}')).toBe(120);
    expect(metricValue(TEXT, 'wattprint_ingest_batches_total{result="duplicate"}')).toBe(24);
    expect(metricValue(TEXT, 'wattprint_ingest_joules_total')).toBe(0);
  });

  it('sums every series of a metric whatever its labels, and only that metric', () => {
    expect(metricSum(TEXT, 'wattprint_dead_letters_total')).toBe(5);
    expect(metricSum(TEXT, 'wattprint_ingest_batches_total')).toBe(144);
  });

  it('names the series and line of an unreadable value', () => {
    expect(() => metricValue('x_total abc', 'x_total')).toThrow('metric x_total: unreadable value in "x_total abc"');
  });
});
