import { execFile } from 'node:child_process';
import { accessSync, chmodSync, constants, copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { promisify } from 'node:util';
import { freePort, ManagedProcess, waitFor } from '@wattprint/sim';

const run = promisify(execFile);

/** The daemons and clients a cluster needs, from Debian's slurm-wlm and munge. */
const BINARIES = ['munged', 'slurmctld', 'slurmd', 'sbatch', 'scancel', 'scontrol', 'squeue', 'sinfo'];
const SEARCH_PATH = [...(process.env.PATH ?? '').split(delimiter), '/usr/sbin', '/sbin'].filter((p) => p !== '');

function which(binary: string): string | null {
  for (const dir of SEARCH_PATH) {
    try {
      accessSync(join(dir, binary), constants.X_OK);
      return join(dir, binary);
    } catch {
      // next
    }
  }
  return null;
}

/**
 * Fails, naming what is missing, when this machine cannot run a Slurm cluster: the test must never pass
 * by skipping. `.ci/run` installs the packages.
 */
/** A Slurm daemon exited while the cluster started; `tail` is the end of its output. */
export class DaemonExitedError extends Error {
  constructor(
    readonly daemon: string,
    readonly tail: string,
  ) {
    super(`${daemon} exited while starting; its output ends: ${tail}`);
    this.name = 'DaemonExitedError';
  }
}

export function requireSlurm(): void {
  const missing = BINARIES.filter((b) => which(b) === null);
  if (missing.length > 0) {
    throw new Error(
      `Slurm is not installed (missing ${missing.join(', ')}): run \`apt-get install -y slurm-wlm munge\` (bash .ci/run does it); ` +
        'the Slurm test starts a real slurmctld, slurmd and munged',
    );
  }
  if (process.getuid?.() !== 0)
    throw new Error('the Slurm test must run as root: slurmd runs jobs as their users and the fake GPUs are mknod devices');
}

export interface SlurmClusterOptions {
  /** slurm.conf Prolog= and Epilog=: paths of executables. */
  prolog: string;
  epilog: string;
  /** Fake GPUs in gres (character devices, major 195). */
  gpus: number;
  /** A job_submit.lua to install beside slurm.conf (JobSubmitPlugins=lua). */
  jobSubmitLua?: string;
  /** More environment for slurmctld (job_submit.lua runs in it). */
  ctldEnv?: Record<string, string>;
}

/** What `scontrol show job` says of a job, times in epoch ms. */
export interface ScontrolJob {
  jobId: string;
  state: string;
  exitCode: string;
  startAt: number | null;
  endAt: number | null;
  arrayJobId: string | null;
  arrayTaskId: string | null;
}

const FINAL = ['COMPLETED', 'FAILED', 'CANCELLED', 'TIMEOUT', 'NODE_FAIL', 'OUT_OF_MEMORY', 'PREEMPTED', 'BOOT_FAIL', 'DEADLINE'];

/**
 * A real single-node Slurm (munged, slurmctld, slurmd from Debian's packages) in a private temporary
 * directory, on free ports, with its own munge key and socket, as ../shared/docs/slurm-local.md found to
 * work: the three daemons run in the foreground as children of this process (no systemd, no daemonizing)
 * and are stopped, and the directory removed, by `stop()`. Needs root.
 */
export class SlurmCluster {
  private readonly daemons: ManagedProcess[] = [];

  private constructor(
    readonly dir: string,
    readonly host: string,
    readonly conf: string,
  ) {}

  /** The environment every Slurm client needs: SLURM_CONF. */
  get env(): NodeJS.ProcessEnv {
    return { ...process.env, SLURM_CONF: this.conf, PATH: SEARCH_PATH.join(delimiter) };
  }

  /** World-writable directory for job scripts, their output and what they write. */
  get jobsDir(): string {
    return join(this.dir, 'jobs');
  }

  static async start(options: SlurmClusterOptions): Promise<SlurmCluster> {
    requireSlurm();
    const host = (await run('hostname', ['-s'])).stdout.trim();
    const nodeLine = (await run(which('slurmd')!, ['-C'])).stdout.split('\n')[0].trim();
    if (!nodeLine.startsWith(`NodeName=${host} `))
      throw new Error(`slurmd -C printed ${JSON.stringify(nodeLine)}, expected NodeName=${host} …`);
    // A daemon that exits while starting (a port freePort offered taken meanwhile by another suite on
    // a loaded machine) gets one more start, in a fresh folder with fresh ports; its output is kept.
    for (let attempt = 1; ; attempt++) {
      const dir = mkdtempSync(join(tmpdir(), 'wattprint-slurm-'));
      chmodSync(dir, 0o755);
      const cluster = new SlurmCluster(dir, host, join(dir, 'etc', 'slurm.conf'));
      try {
        await cluster.writeFiles(nodeLine, options);
        await cluster.startDaemons(options.ctldEnv ?? {});
        return cluster;
      } catch (error) {
        await cluster.stop();
        if (attempt >= 2 || !(error instanceof DaemonExitedError)) throw error;
        process.stderr.write(`Slurm start ${attempt} failed, starting again: ${(error as Error).message}\n`);
      }
    }
  }

  private async writeFiles(nodeLine: string, options: SlurmClusterOptions): Promise<void> {
    const d = this.dir;
    for (const sub of ['etc', 'munge', 'state', 'spool', 'log', 'dev', 'jobs']) mkdirSync(join(d, sub));
    chmodSync(join(d, 'munge'), 0o755); // munged wants its socket directory o+x
    chmodSync(join(d, 'jobs'), 0o1777);
    writeFileSync(join(d, 'munge', 'munge.key'), randomBytes(1024), { mode: 0o400 });
    // Fake GPUs must be character devices, or slurmd sets no CUDA_VISIBLE_DEVICES; major 195 (nvidia) never aliases /dev/null.
    for (let i = 0; i < options.gpus; i++) await run('mknod', ['-m', '666', join(d, 'dev', `nvidia${i}`), 'c', '195', String(i)]);
    const [ctldPort, slurmdPort] = [await freePort(), await freePort()];
    writeFileSync(
      this.conf,
      `ClusterName=wattprint-it
SlurmctldHost=${this.host}(127.0.0.1)
SlurmUser=root
SlurmdUser=root
SlurmctldPort=${ctldPort}
SlurmdPort=${slurmdPort}
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=${d}/munge/munge.sock
StateSaveLocation=${d}/state
SlurmdSpoolDir=${d}/spool
SlurmctldPidFile=${d}/state/slurmctld.pid
SlurmdPidFile=${d}/spool/slurmd.pid
SlurmctldLogFile=${d}/log/slurmctld.log
SlurmdLogFile=${d}/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SchedulerType=sched/backfill
SchedulerParameters=batch_sched_delay=0
MpiDefault=none
MailProg=/bin/true
ReturnToService=2
KillWait=2
MinJobAge=600
GresTypes=gpu
${options.jobSubmitLua !== undefined ? 'JobSubmitPlugins=lua\n' : ''}Prolog=${options.prolog}
Epilog=${options.epilog}
${nodeLine} NodeAddr=127.0.0.1 Gres=gpu:${options.gpus} State=UNKNOWN
PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP
`,
    );
    if (options.jobSubmitLua !== undefined) copyFileSync(options.jobSubmitLua, join(d, 'etc', 'job_submit.lua'));
    writeFileSync(
      join(d, 'etc', 'gres.conf'),
      `AutoDetect=off\nNodeName=${this.host} Name=gpu File=${d}/dev/nvidia[0-${options.gpus - 1}]\n`,
    );
  }

  private async startDaemons(ctldEnv: Record<string, string>): Promise<void> {
    const d = this.dir;
    const munged = new ManagedProcess({
      name: 'munged',
      command: which('munged')!,
      args: [
        '-F',
        `--socket=${d}/munge/munge.sock`,
        `--key-file=${d}/munge/munge.key`,
        `--pid-file=${d}/munge/munged.pid`,
        `--seed-file=${d}/munge/munged.seed`,
      ],
      env: {},
    });
    this.daemons.push(munged);
    munged.start();
    await waitFor(
      'munged to open its socket',
      async () => {
        if (!munged.running) throw new Error(`munged exited: ${munged.output().slice(-1000)}`);
        try {
          accessSync(join(d, 'munge', 'munge.sock'));
          return true;
        } catch {
          return false;
        }
      },
      { timeoutMs: 10_000, everyMs: 50 },
    );
    for (const name of ['slurmctld', 'slurmd']) {
      const env = name === 'slurmctld' ? { SLURM_CONF: this.conf, ...ctldEnv } : { SLURM_CONF: this.conf };
      const p = new ManagedProcess({ name, command: which(name)!, args: ['-D', '-f', this.conf], env });
      this.daemons.push(p);
      p.start();
    }
    let exited: DaemonExitedError | undefined;
    await waitFor(
      'the Slurm node to become idle',
      async () => {
        // the end of its output says why (the start of it is the same banner every time)
        for (const p of this.daemons) if (!p.running) throw (exited = new DaemonExitedError(p.name, p.output().slice(-400)));
        const { stdout } = await this.client('sinfo', ['-h', '-N', '-o', '%T']).catch(() => ({ stdout: '' }));
        return stdout.trim() === 'idle';
      },
      { timeoutMs: 30_000, everyMs: 200 },
    ).catch((error: unknown) => {
      throw exited ?? error;
    });
  }

  /** Runs a Slurm client against this cluster. */
  client(command: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ stdout: string; stderr: string }> {
    return run(which(command) ?? command, args, { env: { ...this.env, ...env }, timeout: 30_000 });
  }

  /** Submits a batch script (as `user` when given, through runuser) and returns the job id. */
  async sbatch(args: string[], user?: string): Promise<string> {
    const sbatchArgs = ['--parsable', `--chdir=${this.jobsDir}`, `--output=${this.jobsDir}/slurm-%j.out`, ...args];
    const { stdout } = user
      ? await run('runuser', ['-u', user, '--', 'env', `SLURM_CONF=${this.conf}`, which('sbatch')!, ...sbatchArgs], { env: this.env })
      : await this.client('sbatch', sbatchArgs);
    const id = stdout.trim().split(';')[0];
    if (!/^\d+$/.test(id)) throw new Error(`sbatch printed ${JSON.stringify(stdout)}`);
    return id;
  }

  async scancel(jobId: string): Promise<void> {
    await this.client('scancel', [jobId]);
  }

  /**
   * Each record of `scontrol show job` for an id (an array's first id lists every task). Parsed here, apart
   * from the code under test, with times as epoch seconds.
   */
  async jobs(jobId: string): Promise<ScontrolJob[]> {
    const { stdout } = await this.client('scontrol', ['show', 'job', '-o', jobId], { SLURM_TIME_FORMAT: '%s' });
    return stdout
      .split('\n')
      .filter((l) => l.startsWith('JobId='))
      .map((l) => {
        const field = (name: string) => new RegExp(`(?:^| )${name}=(\\S*)`).exec(l)?.[1] ?? null;
        const time = (name: string) => {
          const v = field(name);
          return v !== null && /^\d+$/.test(v) && v !== '0' ? Number(v) * 1000 : null;
        };
        return {
          jobId: field('JobId')!,
          state: field('JobState')!,
          exitCode: field('ExitCode')!,
          startAt: time('StartTime'),
          endAt: time('EndTime'),
          arrayJobId: field('ArrayJobId'),
          arrayTaskId: field('ArrayTaskId'),
        };
      });
  }

  async job(jobId: string): Promise<ScontrolJob> {
    const job = (await this.jobs(jobId)).find((j) => j.jobId === jobId);
    if (!job) throw new Error(`scontrol shows no job ${jobId}`);
    return job;
  }

  /** Waits for a job to reach a final state (sbatch --wait polls every 10 s). */
  async waitFinal(jobId: string, timeoutMs = 60_000): Promise<ScontrolJob> {
    return waitFor(
      `Slurm job ${jobId} to end`,
      async () => {
        const job = await this.job(jobId);
        return FINAL.includes(job.state) ? job : undefined;
      },
      { timeoutMs, everyMs: 200 },
    );
  }

  async waitState(jobId: string, state: string, timeoutMs = 60_000): Promise<ScontrolJob> {
    return waitFor(
      `Slurm job ${jobId} to be ${state}`,
      async () => {
        const job = await this.job(jobId);
        return job.state === state ? job : undefined;
      },
      { timeoutMs, everyMs: 100 },
    );
  }

  logs(): string {
    return this.daemons.map((p) => `--- ${p.name}\n${p.output().slice(-3000)}`).join('\n');
  }

  /** Cancels what is left, stops slurmd and slurmctld, then munged, and removes the directory. */
  async stop(): Promise<void> {
    const [munged, ...slurm] = this.daemons;
    if (slurm.some((p) => p.running)) {
      await this.client('scancel', ['--user=root', '--full']).catch(() => undefined);
      await this.client('scancel', ['--user=nobody', '--full']).catch(() => undefined);
    }
    await Promise.all(slurm.reverse().map((p) => (p.running ? p.kill('SIGTERM', 15_000).catch(() => p.forceStop()) : undefined)));
    if (munged?.running) await munged.kill('SIGTERM', 10_000).catch(() => munged.forceStop());
    rmSync(this.dir, { recursive: true, force: true });
  }
}
