// Run by `npm run build`: records the commit and build time that /version reports.
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';

let commit = process.env.GIT_COMMIT || null;
if (!commit) {
  try {
    commit = execFileSync('git', ['rev-parse', 'HEAD'], { stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim();
  } catch {
    commit = null; // building outside a git checkout (e.g. a Docker context without .git)
  }
}
mkdirSync('dist', { recursive: true });
writeFileSync('dist/build-info.json', JSON.stringify({ commit, build_time: process.env.BUILD_TIME || new Date().toISOString() }) + '\n');
