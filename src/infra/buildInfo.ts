// What /version reports: name, version, git commit and build time when known, Node version.
// `npm run build` writes dist/build-info.json; GIT_COMMIT / BUILD_TIME (e.g. Docker build args)
// take precedence; a source checkout asks git.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { projectRoot } from './projectRoot.js';

export interface BuildInfo {
  name: string;
  version: string;
  commit: string | null;
  build_time: string | null;
  node: string;
}

let cached: BuildInfo | undefined;

function gitCommit(root: string): string | null {
  try {
    return execFileSync('git', ['rev-parse', 'HEAD'], { cwd: root, stdio: ['ignore', 'pipe', 'ignore'], timeout: 2000 }).toString().trim() || null;
  } catch {
    return null;
  }
}

export function buildInfo(): BuildInfo {
  if (cached) return cached;
  const root = projectRoot();
  const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { name: string; version: string };
  const file = path.join(root, 'dist', 'build-info.json');
  const built = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as { commit?: string; build_time?: string }) : {};
  cached = {
    name: pkg.name,
    version: pkg.version,
    commit: process.env.GIT_COMMIT || built.commit || gitCommit(root),
    build_time: process.env.BUILD_TIME || built.build_time || null,
    node: process.version,
  };
  return cached;
}
