import { parseClusterNodes } from './redis-cluster.process';

// CLUSTER NODES of a 3 + 3 cluster after its first master failed (Redis 7 format)
const NODES = `
07c37dfeb235213a872192d90877d0cd55635b91 127.0.0.1:30004@40004,hostname4 slave e7d1eecce10fd6bb5eb35b9f99a514335d9ba9ca 0 1426238317239 4 connected
67ed2db8d677e59ec4a4cefb06858cf2a1a89fa1 127.0.0.1:30002@40002 master - 0 1426238316232 2 connected 5461-10922
292f8b365bb7edb5e285caf0b7e6ddc7265d2f4f 127.0.0.1:30003@40003 master - 0 1426238318243 3 connected 10923-16383
6ec23923021cf3ffec47632106199cb7f496ce01 127.0.0.1:30005@40005 master - 0 1426238316232 7 connected 0-5460 [5461->-67ed2db8d677e59ec4a4cefb06858cf2a1a89fa1]
824fe116063bc5fcf9f4ffd895bc17aee7731ac3 127.0.0.1:30006@40006 slave 292f8b365bb7edb5e285caf0b7e6ddc7265d2f4f 0 1426238317741 3 connected
e7d1eecce10fd6bb5eb35b9f99a514335d9ba9ca 127.0.0.1:30001@40001 myself,master,fail - 0 0 1 disconnected
`;

describe('parseClusterNodes', () => {
  it('reads ports, roles, masters, failure flags and slot ranges (migrating slots left out)', () => {
    const nodes = parseClusterNodes(NODES);
    expect(nodes).toHaveLength(6);
    expect(nodes.find((n) => n.port === 30005)).toEqual({
      id: '6ec23923021cf3ffec47632106199cb7f496ce01',
      port: 30005,
      role: 'master',
      masterId: null,
      failed: false,
      slots: [[0, 5460]],
    });
    expect(nodes.find((n) => n.port === 30004)).toMatchObject({
      role: 'replica',
      masterId: 'e7d1eecce10fd6bb5eb35b9f99a514335d9ba9ca',
      slots: [],
    });
    expect(nodes.find((n) => n.port === 30001)).toMatchObject({ role: 'master', failed: true, slots: [] });
    const served = nodes
      .filter((n) => n.role === 'master' && !n.failed)
      .reduce((s, n) => s + n.slots.reduce((t, [a, b]) => t + b - a + 1, 0), 0);
    expect(served).toBe(16384);
  });
});
