import { existsSync } from 'node:fs';
import path from 'node:path';

let root: string | undefined;

/**
 * The folder holding package.json, configs/ and migrations/. Found by walking up from this file,
 * because the code runs both from src/ (under tsx) and from dist/src/ (compiled).
 */
export function projectRoot(): string {
  if (root) return root;
  let dir = import.meta.dirname;
  while (!existsSync(path.join(dir, 'package.json'))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error('package.json not found above ' + import.meta.dirname);
    dir = parent;
  }
  return (root = dir);
}
