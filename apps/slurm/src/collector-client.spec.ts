import { classify } from './collector-client';

describe("the collector's answer", () => {
  it('delivered: applied now, or applied before', () => {
    expect(classify(200, '{"applied":true}')).toEqual({ outcome: 'delivered', applied: true });
    expect(classify(200, '{"applied":false}')).toEqual({ outcome: 'delivered', applied: false });
  });

  it('rejected for good when the collector names a bad field: the same bytes would fail again', () => {
    const body = '{"error":"invalid_request","problems":[{"path":"at","message":"expected no earlier than 2000-01-01"}]}';
    expect(classify(400, body)).toEqual({ outcome: 'rejected', status: 400, message: body });
    expect(classify(413, 'too large')).toMatchObject({ outcome: 'rejected', status: 413 });
  });

  it('kept for later otherwise: a refused token, an old collector, an overloaded one, a proxy page', () => {
    expect(classify(401, '{}')).toMatchObject({
      outcome: 'retry',
      message: expect.stringContaining('token refused (401): needs role scheduler or admin'),
    });
    expect(classify(403, '{}')).toMatchObject({ outcome: 'retry' });
    expect(classify(404, 'Cannot POST')).toMatchObject({ outcome: 'retry', message: expect.stringContaining('no /api/v1/job-events') });
    expect(classify(429, '')).toMatchObject({ outcome: 'retry' });
    expect(classify(503, '')).toMatchObject({ outcome: 'retry' });
    expect(classify(200, '<html>login</html>')).toMatchObject({ outcome: 'retry', message: expect.stringContaining('a proxy page?') });
  });
});
