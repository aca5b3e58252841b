// The Kubernetes manifests in ops/k8s: valid against the Kubernetes API schemas (types, required
// fields, and no unknown fields), and consistent with each other, with the image and with the
// service — selectors that select, references that resolve, probes on real endpoints, the guide's
// resources and autoscaling, commands the CLI knows, and a configuration the service accepts.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { IDeployment } from 'kubernetes-models/apps/v1/Deployment';
import type { IHorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler';
import type { ICronJob } from 'kubernetes-models/batch/v1/CronJob';
import type { IJob } from 'kubernetes-models/batch/v1/Job';
import type { IPodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import type { IConfigMap } from 'kubernetes-models/v1/ConfigMap';
import type { IContainer } from 'kubernetes-models/v1/Container';
import type { IPodSpec } from 'kubernetes-models/v1/PodSpec';
import type { ISecret } from 'kubernetes-models/v1/Secret';
import type { IService } from 'kubernetes-models/v1/Service';
import { loadConfig } from '../../../src/infra/config.js';
import { parseDockerfile, stagesOf } from './dockerfileModel.js';
import { describeManifest, schemaProblems, unknownFieldProblems, type Manifest } from './kubernetesSchema.js';
import { asRecord, loadYamlDocuments, opsPath, ROOT } from './opsSupport.js';

const K8S = opsPath('k8s');
/** What `kubectl apply -f deployments/k8s/` reads: *.yaml, *.yml and *.json, not recursively. */
const APPLIED = readdirSync(K8S).filter((file) => /\.(ya?ml|json)$/.test(file)).sort();
const SECRET_TEMPLATE = 'secret.yaml.template';

function manifestsOf(file: string): Manifest[] {
  return loadYamlDocuments(path.join(K8S, file))
    .filter((document) => document !== null)
    .map((document, index) => {
      const body = asRecord(document, `${file} document ${index}`);
      const metadata = asRecord(body.metadata ?? {}, `${file} document ${index} metadata`);
      return { source: `${file}#${index}`, apiVersion: String(body.apiVersion), kind: String(body.kind), name: String(metadata.name), body };
    });
}

const applied = APPLIED.flatMap(manifestsOf);
const all = [...applied, ...manifestsOf(SECRET_TEMPLATE)];

function only<T>(kind: string, name?: string): T {
  const found = all.filter((m) => m.kind === kind && (name === undefined || m.name === name));
  assert.equal(found.length, 1, `expected exactly one ${kind}${name ? ` named ${name}` : ''}, found ${found.length}`);
  return found[0].body as T;
}
const ofKind = <T>(kind: string): T[] => all.filter((m) => m.kind === kind).map((m) => m.body as T);

/** Every pod template: Deployments, Jobs and CronJobs. */
interface PodTemplate {
  owner: string;
  labels: Record<string, string>;
  spec: IPodSpec;
}
function podTemplates(): PodTemplate[] {
  const templates: PodTemplate[] = [];
  for (const deployment of ofKind<IDeployment>('Deployment')) {
    templates.push({ owner: `Deployment ${deployment.metadata?.name}`, labels: deployment.spec?.template.metadata?.labels ?? {}, spec: deployment.spec!.template.spec! });
  }
  for (const job of ofKind<IJob>('Job')) {
    templates.push({ owner: `Job ${job.metadata?.name}`, labels: job.spec?.template.metadata?.labels ?? {}, spec: job.spec!.template.spec! });
  }
  for (const cronJob of ofKind<ICronJob>('CronJob')) {
    const template = cronJob.spec!.jobTemplate.spec!.template;
    templates.push({ owner: `CronJob ${cronJob.metadata?.name}`, labels: template.metadata?.labels ?? {}, spec: template.spec! });
  }
  return templates;
}
const containers = (): { owner: string; container: IContainer; pod: IPodSpec }[] =>
  podTemplates().flatMap((template) => template.spec.containers.map((container) => ({ owner: `${template.owner} / ${container.name}`, container, pod: template.spec })));

const selects = (selector: Record<string, string> | undefined, labels: Record<string, string>) =>
  selector !== undefined && Object.keys(selector).length > 0 && Object.entries(selector).every(([key, value]) => labels[key] === value);

describe('ops/k8s manifests', function () {
  // The strict field check builds one TypeScript program over the kubernetes-models types.
  this.timeout(60_000);

  it('parse, and include every object the issue asks for', () => {
    const kinds = new Set(all.map((m) => m.kind));
    for (const kind of ['Deployment', 'Service', 'HorizontalPodAutoscaler', 'ConfigMap', 'Secret', 'CronJob', 'PodDisruptionBudget', 'Job']) {
      assert.ok(kinds.has(kind), `a ${kind} is shipped`);
    }
    assert.equal(ofKind('Deployment').length, 2, 'one Deployment for the API and one for the workers');
  });

  it('validate against the Kubernetes API schemas', async () => {
    const problems: string[] = [];
    for (const manifest of all) for (const problem of await schemaProblems(manifest)) problems.push(`${describeManifest(manifest)}: ${problem}`);
    assert.deepEqual(problems, []);
  });

  /** A copy of the API Deployment changed by `mutate`, for checking that the validators bite. */
  const broken = (mutate: (body: Record<string, unknown>) => void): Manifest => {
    const api = all.find((m) => m.kind === 'Deployment' && m.name === 'paiban')!;
    const body = structuredClone(api.body);
    mutate(body);
    return { ...api, source: 'mutated', body };
  };
  const typo = broken((body) => {
    const container = (body.spec as IDeployment['spec'])!.template.spec!.containers[0] as unknown as Record<string, unknown>;
    container.livenesProbe = container.livenessProbe;
  });
  // One TypeScript program for the shipped manifests and the typo control: building it is slow.
  let fieldProblems: Map<string, string[]>;
  before(() => (fieldProblems = unknownFieldProblems([...all, typo])));

  it('use no field the Kubernetes API lacks (a typo would be dropped silently by the server)', () => {
    const problems = all.flatMap((manifest) => (fieldProblems.get(describeManifest(manifest)) ?? []).map((problem) => `${describeManifest(manifest)}: ${problem}`));
    assert.deepEqual(problems, []);
  });

  it('are checked by validators that do catch mistakes (wrong type, typo, missing field)', async () => {
    const wrongType = broken((body) => ((body.spec as Record<string, unknown>).replicas = 'three'));
    assert.notDeepEqual(await schemaProblems(wrongType), [], 'replicas: "three" is rejected');
    const missing = broken((body) => delete (body.spec as Record<string, unknown>).selector);
    assert.notDeepEqual(await schemaProblems(missing), [], 'a Deployment without a selector is rejected');
    assert.deepEqual(await schemaProblems(typo), [], 'the OpenAPI schema alone lets the typo through…');
    const found = fieldProblems.get(describeManifest(typo)) ?? [];
    assert.ok(found.some((problem) => problem.includes('livenesProbe')), `…the field check does not: ${found.join('; ')}`);
  });

  it('keep the secret template out of `kubectl apply -f deployments/k8s/`, so it never overwrites real credentials', () => {
    assert.ok(!APPLIED.includes(SECRET_TEMPLATE));
    assert.deepEqual(applied.filter((m) => m.kind === 'Secret').map(describeManifest), [], 'no Secret among the applied files');
    const secret = only<ISecret>('Secret');
    assert.ok(Object.keys(secret.stringData ?? {}).includes('DB_PASSWORD') && Object.keys(secret.stringData ?? {}).includes('ADMIN_TOKEN'));
  });

  it('answer the operations guide commands (kubectl get pods -l app=paiban, logs/set image deployment/paiban)', () => {
    for (const template of podTemplates()) assert.equal(template.labels.app, 'paiban', `${template.owner} pods carry app=paiban`);
    const api = only<IDeployment>('Deployment', 'paiban');
    assert.ok(api.spec?.template.spec?.containers.some((c) => c.name === 'paiban'), 'deployment/paiban has a container named paiban');
  });

  it('select their own pods: Deployments, the Service and the PodDisruptionBudgets', () => {
    const deployments = ofKind<IDeployment>('Deployment');
    for (const deployment of deployments) {
      assert.ok(selects(deployment.spec?.selector.matchLabels, deployment.spec?.template.metadata?.labels ?? {}), `${deployment.metadata?.name} selects its template`);
    }
    const selected = (selector: Record<string, string> | undefined) =>
      deployments.filter((d) => selects(selector, d.spec?.template.metadata?.labels ?? {})).map((d) => d.metadata?.name);
    const service = only<IService>('Service');
    assert.deepEqual(selected(service.spec?.selector), ['paiban'], 'the Service routes to the API pods only');
    for (const pdb of ofKind<IPodDisruptionBudget>('PodDisruptionBudget')) {
      assert.equal(selected(pdb.spec?.selector?.matchLabels).length, 1, `PodDisruptionBudget ${pdb.metadata?.name} covers exactly one Deployment`);
    }
  });

  it('route the Service to the containers port 7012', () => {
    const service = only<IService>('Service');
    const port = service.spec?.ports?.[0];
    assert.equal(port?.port, 7012);
    const containerPorts = only<IDeployment>('Deployment', 'paiban').spec!.template.spec!.containers.flatMap((c) => c.ports ?? []);
    const target = containerPorts.find((p) => p.name === port?.targetPort || p.containerPort === port?.targetPort);
    assert.equal(target?.containerPort, 7012, `targetPort ${String(port?.targetPort)} names the container's port 7012`);
  });

  it('autoscale the API as in the guide (min 2, max 10, CPU 70%), on CPU requests it can measure', () => {
    const hpa = only<IHorizontalPodAutoscaler>('HorizontalPodAutoscaler');
    assert.deepEqual(hpa.spec?.scaleTargetRef, { apiVersion: 'apps/v1', kind: 'Deployment', name: 'paiban' });
    assert.equal(hpa.spec?.minReplicas, 2);
    assert.equal(hpa.spec?.maxReplicas, 10);
    const cpu = hpa.spec?.metrics?.find((m) => m.type === 'Resource' && m.resource?.name === 'cpu');
    assert.deepEqual(cpu?.resource?.target, { type: 'Utilization', averageUtilization: 70 });
    const api = only<IDeployment>('Deployment', 'paiban');
    assert.equal(api.spec?.replicas, undefined, 'no replicas in the Deployment: each apply would reset the HPA');
    for (const container of api.spec!.template.spec!.containers) assert.ok(container.resources?.requests?.cpu !== undefined, 'utilisation needs a CPU request');
  });

  it('never let a drain take the last API pod or the last worker', () => {
    const minimum: Record<string, number> = {
      paiban: only<IHorizontalPodAutoscaler>('HorizontalPodAutoscaler').spec!.minReplicas!,
      'paiban-worker': only<IDeployment>('Deployment', 'paiban-worker').spec!.replicas!,
    };
    for (const deployment of ofKind<IDeployment>('Deployment')) {
      const labels = deployment.spec?.template.metadata?.labels ?? {};
      const pdb = ofKind<IPodDisruptionBudget>('PodDisruptionBudget').find((p) => selects(p.spec?.selector?.matchLabels, labels));
      const minAvailable = Number(pdb?.spec?.minAvailable);
      const name = deployment.metadata!.name!;
      assert.ok(minAvailable >= 1, `${name} keeps at least one pod during drains`);
      assert.ok(minAvailable < minimum[name], `${name}: minAvailable ${minAvailable} below its ${minimum[name]} replicas, or drains block forever`);
    }
  });

  it('size the API and workers by the guide table (production, small: 2 CPU, 2 GB) and bound every container', () => {
    for (const name of ['paiban', 'paiban-worker']) {
      for (const container of only<IDeployment>('Deployment', name).spec!.template.spec!.containers) {
        assert.deepEqual(container.resources, { requests: { cpu: '2', memory: '2Gi' }, limits: { cpu: '2', memory: '2Gi' } }, name);
      }
    }
    for (const { owner, container } of containers()) {
      for (const kind of ['requests', 'limits'] as const) {
        assert.ok(container.resources?.[kind]?.cpu !== undefined && container.resources?.[kind]?.memory !== undefined, `${owner}: ${kind} for cpu and memory`);
      }
    }
  });

  it('probe readiness on /health and liveness/startup on an endpoint the same port serves', () => {
    for (const name of ['paiban', 'paiban-worker']) {
      const container = only<IDeployment>('Deployment', name).spec!.template.spec!.containers[0];
      const portNames = new Map((container.ports ?? []).map((p) => [p.name, p.containerPort]));
      const probes = { readiness: container.readinessProbe, liveness: container.livenessProbe, startup: container.startupProbe };
      for (const [kind, probe] of Object.entries(probes)) {
        assert.ok(probe?.httpGet, `${name}: ${kind} probe over HTTP`);
        const port = typeof probe.httpGet.port === 'number' ? probe.httpGet.port : portNames.get(probe.httpGet.port);
        assert.equal(port, 7012, `${name}: ${kind} probe on port 7012`);
        assert.ok(['/health', '/version'].includes(probe.httpGet.path ?? ''), `${name}: ${kind} probe path ${probe.httpGet.path}`);
      }
      assert.equal(probes.readiness?.httpGet?.path, '/health', `${name}: readiness follows /health (503 when the database is down)`);
    }
  });

  it('run as the image user, unprivileged, on a read-only root filesystem with a writable /tmp', () => {
    const user = stagesOf(parseDockerfile(readFileSync(opsPath('Dockerfile'), 'utf8'))).at(-1)!.instructions.filter((i) => i.keyword === 'USER').at(-1)!.args;
    const uid = Number(user.split(':')[0]);
    for (const template of podTemplates()) {
      assert.equal(template.spec.securityContext?.runAsNonRoot, true, `${template.owner}: runAsNonRoot`);
      assert.equal(template.spec.securityContext?.runAsUser, uid, `${template.owner}: runAsUser matches the Dockerfile's USER ${user}`);
    }
    for (const { owner, container } of containers()) {
      const security = container.securityContext;
      assert.equal(security?.allowPrivilegeEscalation, false, `${owner}: no privilege escalation`);
      assert.deepEqual(security?.capabilities?.drop, ['ALL'], `${owner}: drops all capabilities`);
      assert.equal(security?.readOnlyRootFilesystem, true, `${owner}: read-only root filesystem`);
      assert.ok(container.volumeMounts?.some((mount) => mount.mountPath === '/tmp'), `${owner}: /tmp is a writable volume`);
    }
  });

  it('reference only the shipped ConfigMap and Secret keys, and give every container the production secrets', () => {
    const configMaps = new Set(ofKind<IConfigMap>('ConfigMap').map((c) => c.metadata?.name));
    const secret = only<ISecret>('Secret');
    const secretKeys = new Set(Object.keys({ ...secret.data, ...secret.stringData }));
    for (const { owner, container } of containers()) {
      for (const source of container.envFrom ?? []) {
        if (source.configMapRef) assert.ok(configMaps.has(source.configMapRef.name), `${owner}: ConfigMap ${source.configMapRef.name} is shipped`);
        if (source.secretRef) assert.equal(source.secretRef.name, secret.metadata?.name, `${owner}: Secret ${source.secretRef.name}`);
      }
      const fromSecret = (container.env ?? []).filter((variable) => variable.valueFrom?.secretKeyRef);
      for (const variable of fromSecret) {
        const ref = variable.valueFrom!.secretKeyRef!;
        assert.equal(ref.name, secret.metadata?.name, `${owner}: ${variable.name} comes from the shipped Secret`);
        assert.ok(secretKeys.has(ref.key), `${owner}: key ${ref.key} is in the Secret template`);
      }
      const names = fromSecret.map((variable) => variable.name);
      assert.ok(names.includes('DB_PASSWORD') && names.includes('ADMIN_TOKEN'), `${owner}: gets DB_PASSWORD and ADMIN_TOKEN (required when APP_ENV=production)`);
    }
  });

  const imageEnv = { CONFIG_FILE: path.join(ROOT, 'configs', 'app.yaml'), DATA_DIR: '/app/data' };

  it('configure the service with values its own config loader accepts, once the secrets are filled in', () => {
    const configMap = only<IConfigMap>('ConfigMap');
    const filledIn = { DB_PASSWORD: 'a-real-password', ADMIN_TOKEN: 'f'.repeat(64), EVENTSTORE_URL: '' };
    assert.deepEqual(Object.keys(filledIn).sort(), Object.keys(only<ISecret>('Secret').stringData ?? {}).sort(), 'every key of the template');
    const config = loadConfig({ env: { ...configMap.data, ...filledIn, ...imageEnv } });
    assert.equal(config.app.port, 7012);
    assert.equal(config.app.env, 'production');
    assert.equal(config.database.host, configMap.data?.DB_HOST);
    assert.equal(config.redis.host, configMap.data?.REDIS_HOST);
    assert.equal(config.logging.file, undefined, 'in Kubernetes logs go to stdout for `kubectl logs`');
    assert.equal(config.eventstore.url, undefined, 'an empty EVENTSTORE_URL keeps events in PostgreSQL');
  });

  it('cannot run with the unedited secret template: the service refuses its placeholder admin token', () => {
    const env = { ...only<IConfigMap>('ConfigMap').data, ...only<ISecret>('Secret').stringData, ...imageEnv };
    assert.throws(() => loadConfig({ env }), /ADMIN_TOKEN/);
  });

  it('run the migration Job and the retention CronJob once at a time, and let the Job be re-applied', () => {
    const job = only<IJob>('Job');
    assert.equal(job.spec?.template.spec?.restartPolicy, 'Never');
    assert.ok((job.spec?.ttlSecondsAfterFinished ?? -1) >= 0, 'a finished Job is removed, so applying a new image creates a new Job instead of failing on an immutable template');
    const cronJob = only<ICronJob>('CronJob');
    assert.match(cronJob.spec!.schedule, /^(\S+\s+){4}\S+$/, 'a five-field cron schedule');
    assert.equal(cronJob.spec?.concurrencyPolicy, 'Forbid');
  });

  it('start every container with an image and a `paiban` command the built CLI knows', async function () {
    const commands = new Map<string, string[]>();
    for (const { owner, container } of containers()) {
      assert.equal(container.image, 'paiban:latest', `${owner}: image`);
      const command = [...(container.command ?? []), ...(container.args ?? [])];
      assert.deepEqual(command.slice(0, 2), ['node', 'bin/paiban.js'], `${owner}: runs the paiban CLI`);
      commands.set(command.slice(2).join(' '), command.slice(2));
    }
    // The image runs the compiled CLI; `npm test` builds it first.
    if (!existsSync(path.join(ROOT, 'dist', 'src', 'cli.js'))) {
      if (process.env.CI === 'true') throw new Error('dist/src/cli.js is missing under CI=true: `npm test` builds first');
      console.log('      skipped the CLI half: dist/src/cli.js is missing; run `npm run build`');
      this.skip();
    }
    // `paiban <command> --help` prints that command's usage only when the CLI defines it (for an
    // unknown one, commander prints the top-level usage), so compare the usage line.
    const unknown = await Promise.all(
      [...commands.values()].map(
        (words) =>
          new Promise<string | undefined>((resolve) => {
            const child = spawn(process.execPath, [path.join(ROOT, 'bin', 'paiban.js'), ...words, '--help'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
            let output = '';
            child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
            child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
            child.on('exit', (code) => {
              const usage = output.split('\n')[0];
              resolve(code === 0 && usage.startsWith(`Usage: paiban ${words.join(' ')} `) ? undefined : `paiban ${words.join(' ')}: exit ${code}, ${usage}`);
            });
          }),
      ),
    );
    assert.deepEqual(unknown.filter(Boolean), []);
  });
});
