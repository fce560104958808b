import { PostgresQueryBuilder } from './postgres-query';

describe('PostgresQueryBuilder', () => {
  it("serialises to the target Grafana's PostgreSQL data source stores", () => {
    const q = new PostgresQueryBuilder('SELECT 1')
      .refId('A')
      .format('time_series')
      .datasource({ type: 'grafana-postgresql-datasource', uid: 'u' });
    expect(JSON.parse(JSON.stringify(q.build()))).toEqual({
      refId: 'A',
      format: 'time_series',
      rawQuery: true,
      editorMode: 'code',
      rawSql: 'SELECT 1',
      datasource: { type: 'grafana-postgresql-datasource', uid: 'u' },
    });
  });
});
