// The `paiban` command: serve | worker | migrate up|down|status (more sub-commands join as the
// product grows). Configuration errors stop it with one line on stderr and exit code 1.
import { Command } from 'commander';
import { ConfigError, loadConfig, type AppConfig } from './infra/config.js';
import { createLogger, type Logger } from './infra/logger.js';
import { migrateDown, migrateUp, migrationStatus } from './infra/migrations.js';
import { runDemo } from './demo/demo.js';
import { openServices } from './infra/services.js';
import { allProjections } from './projections/all.js';
import { runReplay } from './projections/replay.js';
import { handleSignals, startInstance, type InstanceRole } from './instance.js';
import { runRetentionCommand } from './workers/retention.js';

function configOrExit(): AppConfig {
  try {
    return loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(error.message + '\n');
      process.exit(1);
    }
    throw error;
  }
}

function loggerFor(config: AppConfig): Logger {
  return createLogger({ level: config.logging.level, file: config.logging.file, name: config.app.name });
}

async function run(role: InstanceRole): Promise<void> {
  const config = configOrExit();
  const logger = loggerFor(config);
  try {
    const instance = await startInstance(role, config, logger);
    handleSignals(instance, logger);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE') logger.fatal(`port ${config.app.port} is already in use`);
    else logger.fatal({ err: error }, 'start-up failed');
    process.exit(1);
  }
}

/** Runs a one-shot command against the configured database, printing plain text for humans. */
async function withDatabase(work: (services: Awaited<ReturnType<typeof openServices>>) => Promise<void>): Promise<void> {
  const config = configOrExit();
  const logger = createLogger({ level: 'warn', file: config.logging.file });
  const services = await openServices(config, logger);
  try {
    await work(services);
  } catch (error) {
    process.stderr.write(`error: ${(error as Error).message}\n`);
    process.exitCode = 1;
  } finally {
    await services.close();
  }
}

const program = new Command('paiban')
  .description('Paiban (排班): workforce scheduling and dispatch engine')
  .showHelpAfterError();

program
  .command('serve')
  .description('run the HTTP API, projections and a solve worker (port APP_PORT, default 7012)')
  .action(() => run('serve'));

program
  .command('worker')
  .description('run background workers only (scale-out); serves /health, /version and /metrics')
  .action(() => run('worker'));

const migrate = program.command('migrate').description('database schema migrations');
migrate
  .command('up')
  .description('apply every pending migration')
  .action(() =>
    withDatabase(async ({ database }) => {
      const applied = await migrateUp(database);
      console.log(applied.length ? `applied: ${applied.join(', ')}` : 'nothing to apply: schema is up to date');
    }),
  );
migrate
  .command('down')
  .description('undo the most recent migration')
  .action(() =>
    withDatabase(async ({ database }) => {
      const undone = await migrateDown(database);
      console.log(undone === undefined ? 'nothing to undo: no migration is applied' : `undone: ${undone}`);
    }),
  );
migrate
  .command('status')
  .description('list migrations and whether each is applied')
  .action(() =>
    withDatabase(async ({ database }) => {
      const status = await migrationStatus(database);
      console.log(`current version: ${status.current} (latest: ${status.latest})`);
      for (const m of status.migrations) console.log(`${m.applied ? '[x]' : '[ ]'} ${String(m.version).padStart(3, '0')} ${m.name}`);
    }),
  );

program
  .command('replay')
  .description('rebuild read models from the events into fresh tables and swap them in (the API keeps serving)')
  .argument('<projection...>', `a projection name (${allProjections().map((p) => p.name).join(', ')}) or all`)
  .action((names: string[]) =>
    withDatabase(async ({ database, eventStore, logger }) => {
      const results = await runReplay({ database, eventStore, projections: allProjections(), names, logger });
      for (const r of results) console.log(`${r.projection}: ${r.events} events replayed in ${(r.durationMs / 1000).toFixed(1)} s`);
    }),
  );

program
  .command('demo')
  .description('submit the reference case (care home week: 50 employees, 100 shifts) to a running service and print the roster')
  .option('--url <url>', 'base URL of the running service', `http://127.0.0.1:${process.env.APP_PORT || 7012}`)
  .option('--api-key <key>', 'API key with the schedule scope (default: PAIBAN_API_KEY)', process.env.PAIBAN_API_KEY)
  .option('--admin-token <token>', 'admin token, to issue a key when none is given (default: ADMIN_TOKEN)', process.env.ADMIN_TOKEN)
  .action(async (opts: { url: string; apiKey?: string; adminToken?: string }) => {
    const result = await runDemo({ url: opts.url, apiKey: opts.apiKey, adminToken: opts.adminToken, out: process.stdout });
    if (!result.ok) {
      process.stderr.write(`error: ${result.error}\n`);
      process.exitCode = 1;
    }
  });

const retention = program.command('retention').description('prune old read models (events are kept; `paiban replay` rebuilds them)');
retention
  .command('run')
  .description('prune assignments and service orders older than the configured ages, in small batches')
  .option('--dry-run', 'count the rows that would be pruned; delete nothing')
  .action(async (options: { dryRun?: boolean }) => {
    const config = configOrExit();
    process.exitCode = await runRetentionCommand(config, loggerFor(config), { dryRun: options.dryRun === true });
  });

await program.parseAsync(process.argv);
