// A small reading of a Dockerfile and a .dockerignore, enough for the ops tests to check what the
// image contains: instructions (continuations joined), grouped into build stages, and the
// context paths .dockerignore leaves out.

export interface Instruction {
  keyword: string;
  /** Everything after the keyword, continuation lines joined by spaces. */
  args: string;
  /** 1-based line of the keyword. */
  line: number;
}

export interface Stage {
  name: string | undefined;
  base: string;
  instructions: Instruction[];
}

export function parseDockerfile(text: string): Instruction[] {
  const instructions: Instruction[] = [];
  let pending: { text: string; line: number } | undefined;
  text.split('\n').forEach((raw, index) => {
    const line = raw.trim();
    if (!pending && (line === '' || line.startsWith('#'))) return;
    if (pending && line.startsWith('#')) return; // comment lines inside a continuation are dropped
    const continues = line.endsWith('\\');
    const part = continues ? line.slice(0, -1).trim() : line;
    pending = pending ? { text: `${pending.text} ${part}`, line: pending.line } : { text: part, line: index + 1 };
    if (continues) return;
    const [keyword, ...rest] = pending.text.split(/\s+/);
    instructions.push({ keyword: keyword.toUpperCase(), args: rest.join(' '), line: pending.line });
    pending = undefined;
  });
  return instructions;
}

/** Instructions grouped by FROM; instructions before the first FROM (global ARGs) are dropped. */
export function stagesOf(instructions: Instruction[]): Stage[] {
  const stages: Stage[] = [];
  for (const instruction of instructions) {
    if (instruction.keyword === 'FROM') {
      const words = instruction.args.split(/\s+/).filter((word) => !word.startsWith('--'));
      const asIndex = words.findIndex((word) => word.toUpperCase() === 'AS');
      stages.push({ base: words[0], name: asIndex >= 0 ? words[asIndex + 1] : undefined, instructions: [] });
    } else {
      stages.at(-1)?.instructions.push(instruction);
    }
  }
  return stages;
}

export interface CopyInstruction {
  from: string | undefined;
  sources: string[];
  destination: string;
}

/** A COPY's --from stage, sources and destination (JSON or plain form). */
export function parseCopy(instruction: Instruction): CopyInstruction {
  const flags = instruction.args.match(/^(--\S+\s+)*/)?.[0] ?? '';
  const from = /--from=(\S+)/.exec(flags)?.[1];
  const rest = instruction.args.slice(flags.length).trim();
  const words = rest.startsWith('[') ? (JSON.parse(rest) as string[]) : rest.split(/\s+/);
  return { from, sources: words.slice(0, -1), destination: words[words.length - 1] };
}

/** Exec-form (JSON array) arguments of CMD / ENTRYPOINT / HEALTHCHECK CMD, or undefined for shell form. */
export function execForm(args: string): string[] | undefined {
  if (!args.trim().startsWith('[')) return undefined;
  const parsed: unknown = JSON.parse(args);
  return Array.isArray(parsed) && parsed.every((word) => typeof word === 'string') ? parsed : undefined;
}

function patternToRegExp(pattern: string): RegExp {
  let source = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (pattern.startsWith('**/', i)) {
      source += '(?:.*/)?';
      i += 2;
    } else if (pattern.startsWith('**', i)) {
      source += '.*';
      i += 1;
    } else if (c === '*') source += '[^/]*';
    else if (c === '?') source += '[^/]';
    else source += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${source}$`);
}

/**
 * Whether .dockerignore leaves `contextPath` (relative, forward slashes) out of the build
 * context. A pattern excluding a directory excludes everything under it; later `!` patterns
 * re-include; the last matching pattern wins, as in Docker.
 */
export function dockerIgnores(dockerignore: string, contextPath: string): boolean {
  const rules = dockerignore
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => {
      const negated = line.startsWith('!');
      const pattern = (negated ? line.slice(1) : line).replace(/^\/+/, '').replace(/\/+$/, '');
      return { negated, regExp: patternToRegExp(pattern) };
    });
  const segments = contextPath.replace(/^\.\//, '').split('/');
  const prefixes = segments.map((_, index) => segments.slice(0, index + 1).join('/'));
  let ignored = false;
  for (const rule of rules) {
    if (prefixes.some((prefix) => rule.regExp.test(prefix))) ignored = !rule.negated;
  }
  return ignored;
}
