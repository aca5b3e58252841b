// The image recipe, checked without a Docker engine: the dockerfile-utils linter (every check at
// error severity), then what the image must be — multi-stage, non-root, port 7012, a /health
// HEALTHCHECK, exec-form start command — and a build context that holds what COPY asks for.
import assert from 'node:assert/strict';
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import path from 'node:path';
import { validate, ValidationSeverity, type ValidatorSettings } from 'dockerfile-utils';
import { dockerIgnores, execForm, parseCopy, parseDockerfile, stagesOf, type Stage } from './dockerfileModel.js';
import { opsPath, ROOT } from './opsSupport.js';

const DOCKERFILE = opsPath('Dockerfile');
const text = readFileSync(DOCKERFILE, 'utf8');
const dockerignore = readFileSync(path.join(ROOT, '.dockerignore'), 'utf8');
const stages = stagesOf(parseDockerfile(text));
const runtime = stages.at(-1) as Stage;

const STRICT: ValidatorSettings = {
  deprecatedMaintainer: ValidationSeverity.ERROR,
  directiveCasing: ValidationSeverity.ERROR,
  emptyContinuationLine: ValidationSeverity.ERROR,
  instructionCasing: ValidationSeverity.ERROR,
  instructionCmdMultiple: ValidationSeverity.ERROR,
  instructionEntrypointMultiple: ValidationSeverity.ERROR,
  instructionHealthcheckMultiple: ValidationSeverity.ERROR,
  instructionJSONInSingleQuotes: ValidationSeverity.ERROR,
  instructionWorkdirRelative: ValidationSeverity.ERROR,
};

function lint(content: string): string[] {
  return validate(content, STRICT).map((d) => `line ${d.range.start.line + 1}: ${d.message}`);
}

const last = (stage: Stage, keyword: string) => stage.instructions.filter((i) => i.keyword === keyword).at(-1);

describe('ops/Dockerfile', () => {
  it('passes the dockerfile-utils linter with every check at error severity', () => {
    assert.deepEqual(lint(text), []);
  });

  it('is checked by a linter that does report mistakes (a broken Dockerfile fails it)', () => {
    const problems = lint('FROM node:20 AS build\nEXPOSE abc\nHEALTHCHECK --interval=5 CMD\nCOPY\nWORKDIR app\n');
    assert.ok(problems.length >= 4, `expected the broken file to be reported, got ${JSON.stringify(problems)}`);
  });

  it('builds in one stage and runs from a fresh one that takes only the build output', () => {
    assert.ok(stages.length >= 2, `expected a multi-stage build, found ${stages.length} FROM`);
    const buildNames = new Set(stages.slice(0, -1).map((stage) => stage.name));
    const fromBuild = runtime.instructions.filter((i) => i.keyword === 'COPY').map(parseCopy).filter((copy) => copy.from);
    assert.ok(fromBuild.length > 0 && fromBuild.every((copy) => buildNames.has(copy.from)), 'the runtime stage copies from an earlier stage');
    assert.deepEqual(
      fromBuild.flatMap((copy) => copy.sources).sort(),
      ['/app/dist', '/app/node_modules'],
      'only the compiled code and the production dependencies come from the build stage',
    );
    const runtimeRuns = runtime.instructions.filter((i) => i.keyword === 'RUN').map((i) => i.args);
    assert.ok(!runtimeRuns.some((run) => /npm (ci|install)|tsc/.test(run)), `no compiling or installing in the runtime stage: ${runtimeRuns.join(' | ')}`);
  });

  it('puts everything the running service reads into the image', () => {
    // projectRoot() finds package.json; configs/app.yaml and migrations/*.sql are read at run time;
    // bin/paiban.js loads dist/src/cli.js.
    const destinations = runtime.instructions
      .filter((i) => i.keyword === 'COPY')
      .map(parseCopy)
      .map((copy) => path.posix.normalize(path.posix.join('/app', copy.destination)).replace(/(.)\/$/, '$1'));
    for (const needed of ['/app/package.json', '/app/bin', '/app/configs', '/app/migrations', '/app/dist', '/app/node_modules']) {
      assert.ok(
        destinations.some((destination) => destination === needed || (destination === '/app' && needed === '/app/package.json')),
        `${needed} is copied into the runtime stage (copied: ${destinations.join(', ')})`,
      );
    }
    assert.equal(last(runtime, 'WORKDIR')?.args, '/app');
  });

  it('runs as an unprivileged user', () => {
    const user = last(runtime, 'USER');
    assert.ok(user, 'the runtime stage sets USER');
    const [name] = user.args.split(':');
    assert.ok(!['root', '0'].includes(name), `USER ${user.args} is root`);
    assert.ok(/^\d+$/.test(name), 'a numeric uid, so Kubernetes runAsNonRoot can verify it without /etc/passwd');
  });

  it('exposes port 7012 and probes /health on APP_PORT', () => {
    assert.ok(runtime.instructions.some((i) => i.keyword === 'EXPOSE' && i.args.split(/\s+/).includes('7012')), 'EXPOSE 7012');
    const healthcheck = last(runtime, 'HEALTHCHECK');
    assert.ok(healthcheck, 'the runtime stage has a HEALTHCHECK');
    assert.match(healthcheck.args, /\/health\b/);
    assert.match(healthcheck.args, /APP_PORT/);
    assert.match(healthcheck.args, /--interval=\d+s/);
  });

  it('starts `node bin/paiban.js serve` in exec form, so node itself receives SIGTERM and SIGHUP', () => {
    const cmd = last(runtime, 'CMD');
    assert.ok(cmd, 'the runtime stage has a CMD');
    assert.deepEqual(execForm(cmd.args), ['node', 'bin/paiban.js', 'serve']);
    assert.equal(last(runtime, 'ENTRYPOINT'), undefined, 'no ENTRYPOINT wrapping the command in a shell');
  });

  it('copies only context paths that exist and that .dockerignore keeps', () => {
    const contextCopies = stages.flatMap((stage) => stage.instructions.filter((i) => i.keyword === 'COPY').map(parseCopy).filter((copy) => !copy.from));
    assert.ok(contextCopies.length > 0);
    for (const source of contextCopies.flatMap((copy) => copy.sources)) {
      assert.ok(existsSync(path.join(ROOT, source)), `COPY ${source}: no such path in the repository`);
      assert.equal(dockerIgnores(dockerignore, source), false, `COPY ${source}: excluded by .dockerignore, the build would fail`);
    }
  });

  it('keeps secrets, local state and host-built dependencies out of the build context', () => {
    for (const ignored of ['.git/config', 'node_modules/koa/package.json', 'dist/src/cli.js', 'data/pglite/PG_VERSION', '.env', 'configs/.env', 'logs/paiban.log']) {
      assert.equal(dockerIgnores(dockerignore, ignored), true, `${ignored} should not be sent to the Docker daemon`);
    }
    for (const kept of ['package.json', 'package-lock.json', 'src/cli.ts', 'configs/app.yaml', 'bin/paiban.js', 'scripts/write-build-info.js']) {
      assert.equal(dockerIgnores(dockerignore, kept), false, `${kept} is needed by the build`);
    }
  });

  it('is also reachable as deployments/Dockerfile, the path the operations guide uses', () => {
    assert.equal(realpathSync(path.join(ROOT, 'deployments', 'Dockerfile')), realpathSync(DOCKERFILE));
    assert.equal(realpathSync(path.join(ROOT, 'deployments', 'k8s')), realpathSync(opsPath('k8s')));
  });
});
