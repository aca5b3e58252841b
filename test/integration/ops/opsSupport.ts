// Shared helpers of the ops validation tests: where the shipped files are, YAML loading that
// fails loudly, and external tools (promtool, logrotate, nginx) that are skipped with a printed
// reason when missing — except under CI=true, where a missing tool is a failure.
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import YAML from 'yaml';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const OPS = path.join(ROOT, 'ops');

export const opsPath = (...parts: string[]): string => path.join(OPS, ...parts);

/** The Debian package that provides each external tool (what .ci/run installs). */
export const TOOL_PACKAGES = { promtool: 'prometheus', logrotate: 'logrotate', pkill: 'procps', nginx: 'nginx-light', openssl: 'openssl' } as const;
export type Tool = keyof typeof TOOL_PACKAGES;

export interface RunResult {
  status: number | null;
  stdout: string;
  stderr: string;
  /** stdout and stderr together, for assertion messages. */
  output: string;
}

export function run(command: string, args: readonly string[], options: { cwd?: string; timeoutMs?: number } = {}): RunResult {
  const result = spawnSync(command, args, { cwd: options.cwd ?? ROOT, encoding: 'utf8', timeout: options.timeoutMs ?? 20_000 });
  if (result.error) throw result.error;
  return { status: result.status, stdout: result.stdout, stderr: result.stderr, output: `${result.stdout}${result.stderr}` };
}

/** `run` without blocking, so independent tool runs can overlap. */
export function runAsync(command: string, args: readonly string[], options: { cwd?: string } = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: options.cwd ?? ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr, output: `${stdout}${stderr}` }));
  });
}

/** Why `tool` cannot run here, or undefined when it can. */
export function toolMissing(tool: Tool): string | undefined {
  const found = spawnSync('sh', ['-c', `command -v ${tool}`], { encoding: 'utf8' });
  if (found.status !== 0) return `${tool} is not installed (Debian package ${TOOL_PACKAGES[tool]})`;
  return undefined;
}

/**
 * Call at the top of a `describe` that runs external tools: skips the suite (printing why) when
 * one is missing, or fails it under CI=true.
 */
export function requireTools(...tools: Tool[]): void {
  before(function () {
    const problems = tools.map(toolMissing).filter((problem): problem is string => problem !== undefined);
    if (problems.length === 0) return;
    const install = `apt-get install -y ${tools.map((tool) => TOOL_PACKAGES[tool]).join(' ')}`;
    if (process.env.CI === 'true') throw new Error(`${problems.join('; ')} — required under CI=true (${install})`);
    console.log(`      skipped: ${problems.join('; ')}; install with: ${install}`);
    this.skip();
  });
}

/** Every document of a YAML file as plain data; YAML errors and warnings throw with the file name. */
export function loadYamlDocuments(file: string): unknown[] {
  const text = readFileSync(file, 'utf8');
  return YAML.parseAllDocuments(text, { merge: true, prettyErrors: true }).map((document, index) => {
    const problems = [...document.errors, ...document.warnings];
    if (problems.length) throw new Error(`${path.relative(ROOT, file)} document ${index}: ${problems.map((p) => p.message).join('; ')}`);
    return document.toJS() as unknown;
  });
}

/** The one document of a YAML file. */
export function loadYaml(file: string): unknown {
  const documents = loadYamlDocuments(file);
  if (documents.length !== 1) throw new Error(`${path.relative(ROOT, file)}: expected one YAML document, found ${documents.length}`);
  return documents[0];
}

/** A plain object (YAML mapping), or an error naming what was expected where. */
export function asRecord(value: unknown, where: string): Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new Error(`${where}: expected a mapping, got ${JSON.stringify(value)}`);
  return value as Record<string, unknown>;
}

export function asArray(value: unknown, where: string): unknown[] {
  if (!Array.isArray(value)) throw new Error(`${where}: expected a list, got ${JSON.stringify(value)}`);
  return value;
}

/** The application metrics the code registers (ARCHITECTURE.md), besides prom-client's defaults. */
export const APPLICATION_METRICS = [
  'http_requests_total',
  'http_request_duration_seconds',
  'schedule_generations_total',
  'schedule_generation_duration_seconds',
  'constraint_evaluations_total',
  'projection_lag_events',
] as const;
