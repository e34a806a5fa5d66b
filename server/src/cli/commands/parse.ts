// `flowmage parse FILE.click [--json]`: parse a configuration and print its model (elements,
// connections, element classes, defines) and its problems. Exit 0 without errors, 1 with errors,
// 2 when the file cannot be read.
import { resolve } from 'node:path';
import { parseClick } from '../../core/click/clickDocument';
import type { ConfigModel } from '../../core/click/model';
import type { LineIndex, SourceRange } from '../../core/text';
import { lineIndexOf } from '../../core/click/modelLines';
import { readRegularTextFile } from '../readTextFile';
import { CliError, EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE, type CliIO, type Command, type ParsedArgs } from '../command';

/** 1-based, as editors and compilers print them. */
export interface JsonRange {
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
}

export interface ParseJson {
  file: string;
  errors: Array<JsonRange & { message: string }>;
  elements: Array<{
    name: string;
    class: string;
    anonymous: boolean;
    scope: string | null;
    range: JsonRange;
    args: Array<{ keyword: string | null; value: string; range: JsonRange }>;
  }>;
  connections: Array<{ from: { element: string; port: number }; to: { element: string; port: number }; operator: string }>;
  /** One entry per overload of each element class. */
  elementclasses: Array<{ name: string; formals: string[]; range: JsonRange }>;
  defines: Array<{ name: string; value: string }>;
}

export const parseCommand: Command = {
  name: 'parse',
  summary: 'parse a .click configuration and print its elements, connections and problems',
  usage: 'FILE.click [--json]',
  options: [],
  positionals: { min: 1, max: 1, names: 'one FILE.click' },
  run: runParse,
};

function rangeJson(lines: LineIndex, r: SourceRange): JsonRange {
  const start = lines.position(r.startOffset);
  const end = lines.position(r.endOffset);
  return { line: start.line + 1, column: start.character + 1, endLine: end.line + 1, endColumn: end.character + 1 };
}

/** The JSON the command prints for a model (exported for tests and other commands). */
export function parseJson(file: string, model: ConfigModel): ParseJson {
  const lines = lineIndexOf(model);
  const jsonRange = (r: SourceRange) => rangeJson(lines, r);
  return {
    file,
    errors: model.problems.filter((p) => p.severity === 'error').map((p) => ({ ...jsonRange(p.range), message: p.message })),
    elements: model.elements.map((e) => ({
      name: e.name,
      class: e.className,
      anonymous: e.anonymous,
      scope: e.scope,
      range: jsonRange(e.declarationRange),
      args: (e.config?.args ?? []).map((a) => ({ keyword: a.keyword ?? null, value: a.value, range: jsonRange(a.range) })),
    })),
    connections: model.connections.map((c) => ({
      from: { element: c.from.element, port: c.from.port },
      to: { element: c.to.element, port: c.to.port },
      operator: c.contextName ? `~${c.contextName}>` : c.operator,
    })),
    elementclasses: model.elementClasses.flatMap((c) => {
      const overloads = c.overloads.length ? c.overloads : [{ formals: [] }];
      return overloads.map((o) => ({
        name: c.name,
        formals: o.formals.map((f) => (f.keyword ? `${f.keyword} $${f.name}` : `$${f.name}`)),
        range: jsonRange(c.range),
      }));
    }),
    defines: model.defines.map((d) => ({ name: d.name, value: d.value })),
  };
}

async function runParse(args: ParsedArgs, io: CliIO): Promise<number> {
  const path = resolve(io.cwd, args.positionals[0]);
  let text: string;
  try {
    text = await readRegularTextFile(path);
  } catch (err) {
    throw new CliError(`parse: cannot read ${args.positionals[0]}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, EXIT_USAGE);
  }
  const model = await parseClick(text);
  // The file as the user wrote it, so messages can be pasted back into a shell or an editor.
  const shown = args.positionals[0];
  const hasErrors = model.problems.some((p) => p.severity === 'error');
  if (args.values.json) {
    io.out(JSON.stringify(parseJson(shown, model), null, 2) + '\n');
    return hasErrors ? EXIT_PROBLEMS : EXIT_OK;
  }
  const lines = lineIndexOf(model);
  const at = (offset: number) => {
    const p = lines.position(offset);
    return `${p.line + 1}:${p.character + 1}`;
  };
  for (const p of model.problems) {
    io.out(`${shown}:${at(p.range.startOffset)}: ${p.severity}: ${p.message}\n`);
    for (const r of p.related ?? []) io.out(`${shown}:${at(r.range.startOffset)}: note: ${r.message}\n`);
  }
  const count = (n: number, what: string) => `${n} ${what}${n === 1 ? '' : what.endsWith('s') ? 'es' : 's'}`;
  const named = model.elements.filter((e) => !e.anonymous).length;
  io.out(
    `${shown}: ${count(model.elements.length, 'element')} (${named} named), ${count(model.connections.length, 'connection')}, ` +
      `${count(model.elementClasses.length, 'element class')}, ${count(model.defines.length, 'define')}` +
      `${hasErrors ? `, ${count(model.problems.filter((p) => p.severity === 'error').length, 'error')}` : ''}\n`,
  );
  return hasErrors ? EXIT_PROBLEMS : EXIT_OK;
}
