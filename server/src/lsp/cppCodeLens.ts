// A CodeLens above every element class declared in a C++ file, with a one-line summary of its
// features ("stateful · key src_ip · per-packet · pointer chasing").
import { fileURLToPath } from 'node:url';
import type { CodeLens, CodeLensParams } from 'vscode-languageserver/node';
import { summarizeFeatures } from '../core/analysis/summary';
import { LineIndex } from '../core/text';
import type { ServerContext } from './context';
import { getElementIndexService } from './elementIndexService';
import type { Feature } from './features';
import { SHOW_FEATURES_AT_COMMAND, type InitializationOptions } from '../protocol';
import { isCppDocument, registerCodeLensProvider } from './providers';

/** The client command that shows the hover at a position; only the VS Code client implements it. */

export function cppCodeLensFeature(ctx: ServerContext): Feature {
  // Other clients would fail to run (or show an error for) a command they do not know: they get a
  // label, unless they list the command in initializationOptions.clientCommands.
  let canShowFeatures = false;
  registerCodeLensProvider(ctx, isCppDocument, (params) => cppCodeLenses(ctx, params, canShowFeatures));
  return {
    capabilities: (params) => {
      const commands = (params.initializationOptions as InitializationOptions | null | undefined)?.clientCommands;
      canShowFeatures = Array.isArray(commands) && commands.includes(SHOW_FEATURES_AT_COMMAND);
      return { codeLensProvider: { resolveProvider: false } };
    },
  };
}

function cppCodeLenses(ctx: ServerContext, params: CodeLensParams, canShowFeatures: boolean): CodeLens[] {
  const service = getElementIndexService(ctx);
  const path = fileURLToPath(params.textDocument.uri);
  const elements = service.elementsInFile(path);
  if (!elements.length) return [];
  const text = ctx.documents.get(params.textDocument.uri)?.getText() ?? service.tracker?.index.text(path) ?? '';
  const lines = new LineIndex(text);
  const lenses: CodeLens[] = [];
  for (const t of elements) {
    // Find the declaration in the live text, so unsaved edits above it do not misplace the lens.
    const m = new RegExp(`\\b(?:class|struct)\\s+${t.info.className}\\b[^;{]*\\{`).exec(text);
    const offset = m ? m.index : t.info.cls.start;
    const line = lines.position(offset).line;
    const name = lines.position(m ? text.indexOf(t.info.className, m.index + m[0].indexOf(t.info.className)) : t.info.cls.nameStart);
    const merged = service.features(t.info.clickName);
    lenses.push({
      range: { start: { line, character: 0 }, end: { line, character: 0 } },
      // Clicking the lens shows the hover with the evidence, in a client that implements it; an
      // empty command is a plain label (a lens without a command would count as unresolved).
      command: {
        title: `FlowMage: ${summarizeFeatures({ ...(merged ?? t.features), unknown: t.features.unknown })}`,
        ...(canShowFeatures ? { command: SHOW_FEATURES_AT_COMMAND, arguments: [params.textDocument.uri, name] } : { command: '' }),
      },
    });
  }
  return lenses;
}
