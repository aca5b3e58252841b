// Kubernetes manifests checked against the official API schemas, twice:
// - `schemaProblems`: kubernetes-models' validators (generated from the Kubernetes OpenAPI
//   document) catch wrong types, bad quantities and missing required fields;
// - `unknownFieldProblems`: the OpenAPI schemas allow unknown fields (the API server silently
//   drops them), so a typo such as `livenesProbe` would pass. kubernetes-models also ships
//   TypeScript interfaces of the same schemas; assigning each manifest as an object literal to
//   its interface lets TypeScript's excess-property check reject every field the API lacks
//   (what `kubeconform -strict` does).
import path from 'node:path';
import ts from 'typescript';
import { ROOT } from './opsSupport.js';

/** One manifest and where it came from, for messages. */
export interface Manifest {
  source: string;
  apiVersion: string;
  kind: string;
  name: string;
  body: Record<string, unknown>;
}

export function describeManifest(manifest: Manifest): string {
  return `${manifest.source} (${manifest.kind} ${manifest.name})`;
}

interface Validatable {
  validate(): void;
}
type ModelClass = new (data: Record<string, unknown>) => Validatable;

/** Schema violations of one manifest, one line each; empty when valid. */
export async function schemaProblems(manifest: Manifest): Promise<string[]> {
  let module: Record<string, unknown>;
  try {
    // One file per kind ("apps/v1/Deployment"): importing a whole API group loads every validator.
    module = (await import(`kubernetes-models/${manifest.apiVersion}/${manifest.kind}`)) as Record<string, unknown>;
  } catch {
    return [`unknown kind ${manifest.kind} in ${manifest.apiVersion}`];
  }
  const model = module[manifest.kind];
  if (typeof model !== 'function') return [`unknown kind ${manifest.kind} in ${manifest.apiVersion}`];
  try {
    new (model as ModelClass)(manifest.body).validate();
    return [];
  } catch (error) {
    return [(error as Error).message];
  }
}

const VIRTUAL_FILE = path.join(ROOT, '__ops_manifest_field_check__.ts');
// The global types the compiler needs, instead of TypeScript's full lib files: parsing those
// would take most of the check's time, and manifests use nothing beyond JSON values.
const VIRTUAL_LIB = path.join(ROOT, '__ops_manifest_field_check_lib__.d.ts');
const MINIMAL_LIB = [
  'interface Array<T> { length: number; [n: number]: T; }',
  'interface ReadonlyArray<T> { readonly length: number; readonly [n: number]: T; }',
  'interface Boolean {}',
  'interface CallableFunction {}',
  'interface Function {}',
  'interface IArguments {}',
  'interface NewableFunction {}',
  'interface Number {}',
  'interface Object {}',
  'interface RegExp {}',
  'interface String {}',
  'interface Promise<T> { then(resolve: (value: T) => void): void; }',
  'type Record<K extends keyof any, T> = { [P in K]: T };',
  'type Partial<T> = { [P in keyof T]?: T[P] };',
  'type Omit<T, K extends keyof any> = { [P in Exclude<keyof T, K>]: T[P] };',
  'type Exclude<T, U> = T extends U ? never : T;',
  'type Pick<T, K extends keyof T> = { [P in K]: T[P] };',
].join('\n');

/**
 * Fields that the Kubernetes API does not define, per manifest (keyed by its description).
 * One TypeScript program for all manifests: building it is the slow part (about a second).
 */
export function unknownFieldProblems(manifests: readonly Manifest[]): Map<string, string[]> {
  // The apiVersion is the kubernetes-models folder ("apps/v1", "v1"); each kind has its file.
  const lines = manifests.map(
    (manifest, index) => `import type { I${manifest.kind} as T${index} } from 'kubernetes-models/${manifest.apiVersion}/${manifest.kind}';`,
  );
  const declarations: { manifest: Manifest; start: number; end: number }[] = [];
  manifests.forEach((manifest, index) => {
    const declaration = `export const m${index}: T${index} = ${JSON.stringify(manifest.body, null, 2)};`.split('\n');
    declarations.push({ manifest, start: lines.length, end: lines.length + declaration.length });
    lines.push(...declaration);
  });
  const text = lines.join('\n');

  const options: ts.CompilerOptions = {
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    types: [],
    noLib: true,
  };
  const virtualFiles = new Map([
    [VIRTUAL_FILE, text],
    [VIRTUAL_LIB, MINIMAL_LIB],
  ]);
  const host = ts.createCompilerHost(options);
  const getSourceFile = host.getSourceFile.bind(host);
  host.getSourceFile = (fileName, languageVersion, ...rest) => {
    const virtual = virtualFiles.get(path.resolve(fileName));
    return virtual !== undefined ? ts.createSourceFile(fileName, virtual, languageVersion) : getSourceFile(fileName, languageVersion, ...rest);
  };
  const fileExists = host.fileExists.bind(host);
  host.fileExists = (fileName) => virtualFiles.has(path.resolve(fileName)) || fileExists(fileName);
  const program = ts.createProgram([VIRTUAL_LIB, VIRTUAL_FILE], options, host);

  const problems = new Map<string, string[]>(manifests.map((manifest) => [describeManifest(manifest), []]));
  const virtual = program.getSourceFile(VIRTUAL_FILE);
  for (const diagnostic of ts.getPreEmitDiagnostics(program)) {
    const message = ts.flattenDiagnosticMessageText(diagnostic.messageText, ' ');
    if (diagnostic.file !== virtual || diagnostic.start === undefined || !virtual) {
      throw new Error(`the field check itself failed to compile: ${message}`);
    }
    const line = virtual.getLineAndCharacterOfPosition(diagnostic.start).line;
    const owner = declarations.find((declaration) => line >= declaration.start && line < declaration.end);
    if (!owner) throw new Error(`the field check itself failed to compile: ${message}`);
    problems.get(describeManifest(owner.manifest))?.push(`line "${lines[line].trim()}": ${message}`);
  }
  return problems;
}
