// One generator process of the cluster benchmark: simulates nodes [from, to) at 1 Hz, each flushing a
// signed 5 s batch every 5 s, the flushes spread evenly over the 5 s (as independent agents would be).
// Commands on stdin, one per line: `nodes <from> <to>` (0 0 = silent), `report`, `exit`.
// Replies on stdout, one JSON line per command.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { FLUSH_MS, makeNode, nextBatch, protocol } from './cluster.fleet.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const require = createRequire(join(root, 'package.json'));
const { Queue } = require('bullmq');
const IORedis = require('ioredis');

const SLOTS = 100; // a tick every 50 ms flushes the nodes of one slot
const TICK_MS = FLUSH_MS / SLOTS;
const connection = new IORedis(process.env.REDIS_URL, { maxRetriesPerRequest: null });
// SHARDS queue shards (cluster.mjs --shards): each node's batches go to its agent's shard, as an agent's would
const SHARDS = Number(process.env.SHARDS ?? '1');
const queues = Array.from(
  { length: SHARDS },
  (_, shard) => new Queue(protocol.QueueName.Samples, { connection, prefix: protocol.shardPrefix(process.env.PREFIX, shard) }),
);
const secret = process.env.AGENT_SECRET;

const nodes = new Map(); // i -> node state, kept when a node is idle so its seqs carry on
let range = [0, 0];
let sentBatches = 0;
let lateTicks = 0;
let busy = false;

function tick(slot) {
  const [from, to] = range;
  const now = Date.now();
  const jobs = queues.map(() => []);
  for (let i = from + ((slot - (from % SLOTS) + SLOTS) % SLOTS); i < to; i += SLOTS) {
    let node = nodes.get(i);
    if (!node) nodes.set(i, (node = makeNode(i, secret)));
    node.shard ??= protocol.agentShard(node.agentId, SHARDS);
    const batch = nextBatch(node, now);
    jobs[node.shard].push({
      name: protocol.MessageName.Batch,
      data: batch,
      opts: { jobId: protocol.batchJobId(batch), removeOnComplete: { count: 1000 }, removeOnFail: { count: 1000 } },
    });
  }
  sentBatches += jobs.reduce((n, j) => n + j.length, 0);
  return Promise.all(jobs.map((j, shard) => (j.length > 0 ? queues[shard].addBulk(j) : undefined)));
}

const started = Date.now();
let slot = 0;
async function loop() {
  // Ticks are scheduled against the start time, so a slow tick does not shift the later ones.
  for (;;) {
    const due = started + slot * TICK_MS;
    const wait = due - Date.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    else if (wait < -TICK_MS) lateTicks++;
    busy = true;
    await tick(slot % SLOTS);
    busy = false;
    slot++;
  }
}

const rl = createInterface({ input: process.stdin });
rl.on('line', async (line) => {
  const [command, ...args] = line.trim().split(/\s+/);
  if (command === 'nodes') {
    range = [Number(args[0]), Number(args[1])];
    process.stdout.write(`${JSON.stringify({ ok: true, range })}\n`);
  } else if (command === 'report') {
    process.stdout.write(`${JSON.stringify({ sentBatches, lateTicks, busy, at: Date.now() })}\n`);
  } else if (command === 'exit') {
    range = [0, 0];
    await Promise.all(queues.map((q) => q.close()));
    connection.disconnect();
    process.exit(0);
  }
});
process.stdout.write(`${JSON.stringify({ ready: true })}\n`);
loop().catch((error) => {
  process.stderr.write(`generator failed: ${error.stack}\n`);
  process.exit(1);
});
