// Simulated 8-GPU nodes as the agent sees them: 1 Hz readings, one signed batch of 5 s (40 samples)
// per node per flush. The one builder of realistic batches: the cluster benchmark's generators and
// tools/bench/ingest.mjs both take their nodes and batches from here.
import { createHmac, randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const protocol = createRequire(join(root, 'package.json'))(join(root, 'libs/protocol/dist/index.js'));

export const GPUS_PER_NODE = 8;
export const FLUSH_MS = 5000;
export const SAMPLES_PER_BATCH = GPUS_PER_NODE * (FLUSH_MS / 1000);

/** Agent id of simulated node `i`; zero-padded so ids sort like numbers. */
export const agentIdOf = (i) => `sim-agent-${String(i).padStart(6, '0')}`;
export const nodeOf = (i) => `sim-node-${String(i).padStart(6, '0')}`;

/** Each agent's own HMAC key, derived from a per-run secret so the generator and the registrar agree. */
export const agentKeyOf = (secret, i) => createHmac('sha256', secret).update(agentIdOf(i)).digest('hex');

/** Node `i`'s state: boot and next seq, so consecutive batches carry on where the last one ended. */
export function makeNode(i, secret) {
  return { i, agentId: agentIdOf(i), node: nodeOf(i), key: agentKeyOf(secret, i), bootId: randomUUID(), nextSeq: 0 };
}

/** The node's next batch: 5 readings of each GPU ending at `endMs`, signed, sentAt = endMs. */
export function nextBatch(node, endMs) {
  const samples = [];
  const startMs = endMs - FLUSH_MS;
  for (let s = 0; s < FLUSH_MS / 1000; s++) {
    for (let g = 0; g < GPUS_PER_NODE; g++) {
      const power = 250 + 10 * g + s;
      samples.push({
        seq: node.nextSeq + samples.length,
        t0: startMs + s * 1000,
        t1: startMs + (s + 1) * 1000,
        device: `gpu${g}`,
        kind: 'gpu',
        jobId: g < 6 ? `job-${node.agentId}` : null,
        energyJ: power,
        powerW: power,
        utilization: g < 6 ? 97 : 0,
        source: 'nvml',
      });
    }
  }
  const batch = protocol.signed(
    { version: 1, agentId: node.agentId, bootId: node.bootId, firstSeq: node.nextSeq, node: node.node, sentAt: endMs, samples },
    node.key,
  );
  node.nextSeq += samples.length;
  return batch;
}

export { protocol };
