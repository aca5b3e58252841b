// Bunyan logger writing the operations guide's JSON line format:
// {"level":"info","time":"2026-01-11T10:30:00.000Z","caller":"api/server.ts:45","message":"…", …context}
// to stdout, or to LOG_FILE, reopened on SIGHUP so logrotate can move the file away.
import bunyan from 'bunyan';
import { closeSync, openSync, writeSync } from 'node:fs';
import { findSourceMap } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { LogLevel } from './config.js';
import { projectRoot } from './projectRoot.js';

export type Logger = bunyan;

/** Where formatted lines go. */
interface LineSink {
  write(line: string): void;
}

/** Appends to a file; `reopen()` starts a fresh file at the same path after a rotation. */
export class ReopenableFile implements LineSink {
  private fd: number;

  constructor(readonly filePath: string) {
    this.fd = openSync(filePath, 'a');
  }

  write(line: string): void {
    writeSync(this.fd, line);
  }

  reopen(): void {
    const previous = this.fd;
    this.fd = openSync(this.filePath, 'a');
    closeSync(previous);
  }

  close(): void {
    closeSync(this.fd);
  }
}

const stdoutSink: LineSink = { write: (line) => void process.stdout.write(line) };

const callerCache = new Map<string, string>();
const thisFile = new Set([import.meta.url, fileURLToPath(import.meta.url)]);

/** The first stack frame outside bunyan and this file: the code that called log.info() etc. */
function captureCallSite(): NodeJS.CallSite | undefined {
  const savedLimit = Error.stackTraceLimit;
  const savedPrepare = Error.prepareStackTrace;
  Error.stackTraceLimit = 12;
  Error.prepareStackTrace = (_error, frames) => frames;
  const holder: { stack?: NodeJS.CallSite[] } = {};
  Error.captureStackTrace(holder);
  const frames = holder.stack ?? [];
  Error.stackTraceLimit = savedLimit;
  Error.prepareStackTrace = savedPrepare;
  return frames.find((frame) => {
    const file = frame.getFileName() ?? '';
    return !thisFile.has(file) && !file.includes('/node_modules/bunyan/') && !file.startsWith('node:');
  });
}

/** "api/server.ts:45": the caller's TypeScript file (via source maps when running compiled JS). */
function callerOf(frame: NodeJS.CallSite | undefined): string | undefined {
  const fileName = frame?.getFileName();
  const lineNumber = frame?.getLineNumber();
  if (!frame || !fileName || !lineNumber) return undefined;
  const column = frame.getColumnNumber() ?? 1;
  const key = `${fileName}:${lineNumber}:${column}`;
  const cached = callerCache.get(key);
  if (cached) return cached;
  let file = fileName.startsWith('file://') ? fileURLToPath(fileName) : fileName;
  let line = lineNumber;
  const entry = findSourceMap(fileName)?.findEntry(lineNumber - 1, column - 1);
  if (entry && 'originalSource' in entry && entry.originalSource) {
    file = entry.originalSource.startsWith('file://') ? fileURLToPath(entry.originalSource) : path.resolve(path.dirname(file), entry.originalSource);
    line = entry.originalLine + 1;
  }
  const caller = `${path.relative(projectRoot(), file).replace(/^src\//, '')}:${line}`;
  callerCache.set(key, caller);
  return caller;
}

const HIDDEN = new Set(['password', 'db_password', 'token', 'admin_token', 'secret', 'authorization', 'api_key']);

/** Formats one bunyan record as the guide's JSON line. Exported for tests. */
export function formatRecord(record: Record<string, unknown>, caller?: string): string {
  const { v: _v, level, time, msg, name, hostname, pid, ...context } = record;
  for (const key of Object.keys(context)) if (HIDDEN.has(key.toLowerCase())) context[key] = '(hidden)';
  const line = {
    level: bunyan.nameFromLevel[level as number] ?? level,
    time: time instanceof Date ? time.toISOString() : time,
    caller,
    message: msg,
    name,
    hostname,
    pid,
    ...context,
  };
  return JSON.stringify(line) + '\n';
}

export interface LoggerOptions {
  name?: string;
  level: LogLevel;
  /** Write to this file instead of stdout. */
  file?: string;
}

let activeFile: ReopenableFile | undefined;

export function createLogger(options: LoggerOptions): Logger {
  activeFile?.close();
  activeFile = options.file ? new ReopenableFile(options.file) : undefined;
  const sink: LineSink = activeFile ?? stdoutSink;
  return bunyan.createLogger({
    name: options.name ?? 'paiban',
    level: options.level,
    serializers: { err: bunyan.stdSerializers.err },
    streams: [{ type: 'raw', level: options.level, stream: { write: (record: object) => sink.write(formatRecord(record as Record<string, unknown>, callerOf(captureCallSite()))) } }],
  });
}

/** Reopens LOG_FILE (after logrotate moved it). Returns false when logging to stdout. */
export function reopenLogFile(): boolean {
  if (!activeFile) return false;
  activeFile.reopen();
  return true;
}

/** A logger that drops everything, for tests and tools that do not log. */
export function silentLogger(): Logger {
  return bunyan.createLogger({ name: 'paiban', level: bunyan.FATAL + 1, streams: [] });
}
