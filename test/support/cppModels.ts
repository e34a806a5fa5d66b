// Helpers for tests that compare C++ file models: the source files under a folder, and every
// function of a model (free functions, then each class's methods).
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { CppFileModel, CppFunction } from '../../server/src/core/cpp/model';

export function cppFiles(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) cppFiles(full, out);
    else if (/\.(cc|hh|h|cpp|hpp)$/.test(name)) out.push(full);
  }
  return out;
}

export const functionsOf = (m: CppFileModel): CppFunction[] => [...m.functions, ...m.classes.flatMap((c) => c.methods)];
