import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parseAllDocuments, parse } from 'yaml';
import { WATTPRINT_DATASOURCE } from '../src/grafana/datasource';
import { PROMETHEUS_DATASOURCE } from '../src/grafana/prometheus-panels';
import { appEnvNames } from './support/app-env-names';
import { REPO_ROOT } from './support/dashboard-queries';

const DEPLOY = join(REPO_ROOT, 'deploy');
const read = (path: string) => readFileSync(join(DEPLOY, path), 'utf8');

function files(dir: string, ext: RegExp): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? files(join(dir, e.name), ext) : ext.test(e.name) ? [join(dir, e.name)] : [],
  );
}

/** Every document of a YAML file, failing with the file and the parser's message. */
function documents(path: string): any[] {
  const docs = parseAllDocuments(read(path), { merge: true });
  const list = Array.isArray(docs) ? docs : [docs];
  for (const d of list) {
    if (d.errors.length > 0) throw new Error(`deploy/${path}: ${d.errors.map((e) => e.message).join('; ')}`);
  }
  return list.map((d) => d.toJS({ maxAliasCount: 100 })).filter((d) => d !== null);
}

const KNOWN = {
  agent: appEnvNames(join(REPO_ROOT, 'apps', 'agent', 'src')),
  collector: appEnvNames(join(REPO_ROOT, 'apps', 'collector', 'src')),
};

/** Names the given app does not read, so a manifest would set them for nothing. */
function unknown(app: keyof typeof KNOWN, names: Iterable<string>, where: string): string[] {
  return [...names].filter((n) => !KNOWN[app].has(n)).map((n) => `${where}: ${n} is not read by apps/${app}`);
}

const compose = documents('compose.yaml')[0];
const k8s = files(join(DEPLOY, 'k8s'), /\.ya?ml$/).flatMap((f) => documents(relative(DEPLOY, f)));
const secrets = new Map<string, Record<string, string>>(
  k8s.filter((d) => d.kind === 'Secret').map((d) => [d.metadata.name, d.stringData ?? {}]),
);

function appOfImage(image: string): keyof typeof KNOWN | null {
  const m = /^wattprint\/(agent|collector):/.exec(image);
  return m ? (m[1] as keyof typeof KNOWN) : null;
}

describe('deploy/ YAML', () => {
  it('parses, every file', () => {
    const yamlFiles = files(DEPLOY, /\.ya?ml$/).map((f) => relative(DEPLOY, f));
    expect(yamlFiles.length).toBeGreaterThanOrEqual(6);
    for (const f of yamlFiles) expect(documents(f).length).toBeGreaterThan(0);
  });

  it('knows the variables the apps read, from their sources', () => {
    for (const n of ['REDIS_URL', 'WATTPRINT_AGENT_KEY', 'WATTPRINT_RAPL_ROOT', 'WATTPRINT_PROC_ROOT', 'WATTPRINT_CONFIG'])
      expect(KNOWN.agent.has(n)).toBe(true);
    for (const n of ['DATABASE_URL', 'REDIS_URL', 'PORT', 'WATTPRINT_ROLE', 'WATTPRINT_BOOTSTRAP_TOKEN'])
      expect(KNOWN.collector.has(n)).toBe(true);
    expect(unknown('collector', ['WATTPRINT_ROLE', 'WATTPRINT_ROLES'], 'here')).toEqual([
      'here: WATTPRINT_ROLES is not read by apps/collector',
    ]);
  });
});

describe('compose.yaml', () => {
  const services = compose.services as Record<string, any>;

  it('runs Redis without eviction, PostgreSQL, a collector API, two workers and Grafana', () => {
    expect(services.redis.command.join(' ')).toMatch(/--maxmemory-policy noeviction/);
    expect(services.postgres.image).toMatch(/^postgres:/);
    expect(services['collector-api'].environment.WATTPRINT_ROLE).toBe('api');
    expect(services['collector-worker'].environment.WATTPRINT_ROLE).toBe('worker');
    expect(services['collector-worker'].deploy.replicas).toBe(2);
    expect(services.grafana.image).toMatch(/^grafana\/grafana/);
  });

  it('sets only variables the collector reads on the wattprint services', () => {
    const problems = Object.entries(services).flatMap(([name, s]) => {
      const app = appOfImage(s.image ?? '');
      return app ? unknown(app, Object.keys(s.environment ?? {}), `compose service ${name}`) : [];
    });
    expect(problems).toEqual([]);
  });

  it('mounts files that exist, and gives Grafana every variable its provisioning uses', () => {
    for (const s of Object.values(services)) {
      for (const v of (s.volumes ?? []) as string[]) {
        const source = v.split(':')[0];
        if (source.startsWith('.')) expect({ volume: v, exists: existsSync(join(DEPLOY, source)) }).toEqual({ volume: v, exists: true });
      }
    }
    const provisioning = files(join(DEPLOY, 'grafana', 'provisioning'), /\.ya?ml$/)
      .map((f) => readFileSync(f, 'utf8'))
      .join('\n');
    const used = [...provisioning.matchAll(/\$\{?([A-Z_][A-Z0-9_]*)\}?/g)].map((m) => m[1]);
    expect(used.length).toBeGreaterThan(0);
    for (const v of used) expect({ variable: v, set: v in services.grafana.environment }).toEqual({ variable: v, set: true });
  });
});

describe('Grafana provisioning', () => {
  it('provides the data source the dashboards name, and loads the dashboards folder compose mounts', () => {
    const ds = documents('grafana/provisioning/datasources/wattprint.yaml')[0].datasources;
    expect(ds).toEqual([
      expect.objectContaining({ uid: WATTPRINT_DATASOURCE.uid, type: WATTPRINT_DATASOURCE.type }),
      expect.objectContaining({ uid: PROMETHEUS_DATASOURCE.uid, type: PROMETHEUS_DATASOURCE.type }),
    ]);
    const provider = documents('grafana/provisioning/dashboards/wattprint.yaml')[0].providers[0];
    const mounts = (compose.services.grafana.volumes as string[]).map((v) => v.split(':'));
    expect(mounts).toContainEqual(['./grafana/dashboards', provider.options.path, 'ro']);
    expect(readdirSync(join(DEPLOY, 'grafana', 'dashboards')).filter((f) => f.endsWith('.json')).length).toBeGreaterThanOrEqual(3);
  });
});

describe('Prometheus', () => {
  it('scrapes the collector services compose runs, on their port, and is what Grafana reads', () => {
    const config = documents('prometheus/prometheus.yml')[0];
    const collectorJob = config.scrape_configs.find((j: any) => j.job_name === 'wattprint-collector');
    const names: string[] = collectorJob.dns_sd_configs.flatMap((d: any) => d.names);
    const services = compose.services as Record<string, any>;
    for (const name of names) {
      expect({ name, service: name in services }).toEqual({ name, service: true });
      expect(services[name].environment.PORT).toBe(String(collectorJob.dns_sd_configs[0].port));
    }
    expect(names).toEqual(expect.arrayContaining(['collector-api', 'collector-worker']));
    expect(services.prometheus.volumes).toContain('./prometheus/prometheus.yml:/etc/prometheus/prometheus.yml:ro');
    expect(services.grafana.environment.GRAFANA_PROMETHEUS_URL).toContain('http://prometheus:9090');
  });
});

describe('Kubernetes manifests', () => {
  const byKindName = (kind: string, name: string) => {
    const found = k8s.find((d) => d.kind === kind && d.metadata?.name === name);
    if (!found) throw new Error(`no ${kind} ${name} in deploy/k8s`);
    return found;
  };
  const podSpec = (d: any) => d.spec.template.spec;

  it('sets only variables the apps read, including those a Secret brings in', () => {
    const problems: string[] = [];
    for (const d of k8s.filter((x) => x.spec?.template?.spec?.containers)) {
      for (const c of podSpec(d).containers) {
        const app = appOfImage(c.image);
        if (!app) continue;
        const where = `${d.kind} ${d.metadata.name}`;
        const names: string[] = (c.env ?? []).map((e: any) => e.name);
        for (const from of c.envFrom ?? []) {
          const secret = secrets.get(from.secretRef?.name);
          if (!secret) problems.push(`${where}: envFrom names Secret ${from.secretRef?.name}, which secrets.example.yaml lacks`);
          names.push(...Object.keys(secret ?? {}));
        }
        for (const e of c.env ?? []) {
          const ref = e.valueFrom?.secretKeyRef;
          if (ref && !(ref.key in (secrets.get(ref.name) ?? {})))
            problems.push(`${where}: ${e.name} reads ${ref.name}/${ref.key}, which secrets.example.yaml lacks`);
          // $(NAME) expands only variables defined earlier in the same container.
          for (const m of String(e.value ?? '').matchAll(/\$\(([A-Z0-9_]+)\)/g)) {
            if (!names.slice(0, names.indexOf(e.name)).includes(m[1]))
              problems.push(`${where}: ${e.name} uses $(${m[1]}) before it is defined`);
          }
        }
        problems.push(...unknown(app, names, where));
      }
    }
    // Agent key files are config files of the agent: their keys are its variables too.
    for (const [file, text] of Object.entries(secrets.get('wattprint-agent-keys') ?? {}))
      problems.push(...unknown('agent', Object.keys(parse(text)), `wattprint-agent-keys/${file}`));
    expect(problems).toEqual([]);
  });

  it('runs the agent on every GPU node with host PIDs, read-only /proc and powercap, and the NVIDIA runtime', () => {
    const ds = byKindName('DaemonSet', 'wattprint-agent');
    const spec = podSpec(ds);
    expect(spec.hostPID).toBe(true);
    expect(spec.runtimeClassName).toBe('nvidia');
    const [agent] = spec.containers;
    const env = Object.fromEntries(agent.env.filter((e: any) => 'value' in e).map((e: any) => [e.name, e.value]));
    const mount = (path: string) => {
      const m = agent.volumeMounts.find((v: any) => v.mountPath === path);
      const volume = spec.volumes.find((v: any) => v.name === m?.name);
      return { readOnly: m?.readOnly, hostPath: volume?.hostPath?.path };
    };
    expect(mount(env.WATTPRINT_PROC_ROOT)).toEqual({ readOnly: true, hostPath: '/proc' });
    expect(mount(env.WATTPRINT_RAPL_ROOT)).toEqual({ readOnly: true, hostPath: '/sys/class/powercap' });
    expect(mount(env.WATTPRINT_SPOOL_DIR).hostPath).toBe('/var/lib/wattprint/spool');
    expect(env.WATTPRINT_CONFIG).toMatch(/^\/etc\/wattprint\/agent-keys\/\$\(WATTPRINT_AGENT_ID\)\.yaml$/);
    expect(spec.volumes.find((v: any) => v.name === 'agent-keys').secret.secretName).toBe('wattprint-agent-keys');
    expect(agent.resources?.requests?.['nvidia.com/gpu']).toBeUndefined();
  });

  it('splits the collector into an API behind a Service and workers', () => {
    const role = (name: string) =>
      podSpec(byKindName('Deployment', name)).containers[0].env.find((e: any) => e.name === 'WATTPRINT_ROLE').value;
    expect(role('wattprint-collector-api')).toBe('api');
    expect(role('wattprint-collector-worker')).toBe('worker');
    const service = byKindName('Service', 'wattprint-collector');
    const apiLabels = byKindName('Deployment', 'wattprint-collector-api').spec.template.metadata.labels;
    expect(apiLabels).toMatchObject(service.spec.selector);
    const workerLabels = byKindName('Deployment', 'wattprint-collector-worker').spec.template.metadata.labels;
    expect(Object.entries(service.spec.selector).every(([k, v]) => workerLabels[k] === v)).toBe(false);
  });
});

describe('systemd units', () => {
  /** NAME=value lines of an environment file or Environment= settings of a unit. */
  const envNames = (text: string) =>
    [...text.matchAll(/^(?:Environment=)?"?([A-Z][A-Z0-9_]*)=/gm)].map((m) => m[1]).filter((n) => n !== 'Environment');

  it('set only variables the apps read', () => {
    const problems = [
      ...unknown('agent', envNames(read('systemd/agent.env.example')), 'systemd/agent.env.example'),
      ...unknown(
        'agent',
        envNames(
          read('systemd/wattprint-agent.service')
            .split('\n')
            .filter((l) => l.startsWith('Environment='))
            .join('\n'),
        ),
        'wattprint-agent.service',
      ),
      ...unknown('collector', envNames(read('systemd/collector.env.example')), 'systemd/collector.env.example'),
      ...unknown(
        'collector',
        envNames(
          read('systemd/wattprint-collector.service')
            .split('\n')
            .filter((l) => l.startsWith('Environment='))
            .join('\n'),
        ),
        'wattprint-collector.service',
      ),
    ];
    expect(envNames(read('systemd/agent.env.example'))).toContain('WATTPRINT_AGENT_KEY');
    expect(problems).toEqual([]);
  });

  it('run the agent as root with the hardening that leaves RAPL and /proc readable', () => {
    const unit = read('systemd/wattprint-agent.service');
    expect(unit).toMatch(/^User=root$/m);
    expect(unit).toMatch(/^ProtectSystem=strict$/m);
    expect(unit).not.toMatch(/^ProtectProc=invisible$/m);
    expect(unit).not.toMatch(/^PrivateDevices=yes$/m);
    expect(unit).not.toMatch(/^MemoryDenyWriteExecute=yes$/m);
    expect(unit).toMatch(/^ExecStart=.*apps\/agent\/bin\/wattprint-agent\.js run$/m);
    const collector = read('systemd/wattprint-collector.service');
    expect(collector).toMatch(/^User=wattprint$/m);
    expect(collector).toMatch(/^ExecStart=.*apps\/collector\/dist\/main\.js$/m);
    // /opt/wattprint is the repository build: the agent's bin is checked in, the collector's main is built from src/main.ts.
    expect(existsSync(join(REPO_ROOT, 'apps', 'agent', 'bin', 'wattprint-agent.js'))).toBe(true);
    expect(existsSync(join(REPO_ROOT, 'apps', 'collector', 'src', 'main.ts'))).toBe(true);
  });
});
