// The shared cache of open .click documents: one incremental ClickDocument per URI, kept in step with
// the editor's text (ClickDocument.setText on every change: the update the Click bench measures), and
// an event whenever a document's ConfigModel changes. Every .click feature (diagnostics, symbols,
// hover, code actions, flow analysis) reads models from here; a model is immutable, so a feature may
// keep using the one it got while newer ones arrive, converting its offsets with lineIndexOf(model).
import { perServer, type ServerContext } from './context';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { ClickDocument } from '../core/click/clickDocument';
import type { ConfigModel } from '../core/click/model';
import { describeError } from '../core/log';

export type ModelListener = (uri: string, model: ConfigModel, version: number) => void;

export interface ClickDocuments {
  /** The latest model of an open .click document, possibly one edit behind; undefined before the first parse. */
  get(uri: string): ConfigModel | undefined;
  /** The model of the document's current text (parses first if needed); undefined for non-Click documents. */
  ensure(uri: string): Promise<ConfigModel | undefined>;
  /** Called after every model change of an open .click document (open, edit, reopen). */
  onDidChangeModel(listener: ModelListener): () => void;
  /** Called when a .click document is closed. */
  onDidClose(listener: (uri: string) => void): () => void;
  isClick(uri: string): boolean;
}

/** The cache for this server; created on first use, by whichever feature asks first. */
export const clickDocuments: (ctx: ServerContext) => ClickDocuments = perServer(createCache);

/** Click documents: by language id, or by extension (other clients may not send `click`). */
export function isClickDocument(uri: string, languageId: string | undefined): boolean {
  return languageId === 'click' || /\.click$/i.test(uri);
}

interface Entry {
  doc?: ClickDocument;
  /** The text version the model reflects. */
  version: number;
  pending?: Promise<ConfigModel | undefined>;
}

function createCache(ctx: ServerContext): ClickDocuments {
  const entries = new Map<string, Entry>();
  const listeners = new Set<ModelListener>();
  const closeListeners = new Set<(uri: string) => void>();

  const notify = (uri: string, model: ConfigModel, version: number) => {
    for (const l of listeners) {
      try {
        l(uri, model, version);
      } catch (err) {
        ctx.log.error(`click model listener failed: ${describeError(err)}`);
      }
    }
  };

  /** Brings the entry up to the editor's text; parsing is synchronous once the parser is loaded. */
  const sync = async (document: TextDocument): Promise<ConfigModel | undefined> => {
    const uri = document.uri;
    let entry = entries.get(uri);
    if (!entry) {
      entry = { version: -1 };
      entries.set(uri, entry);
    }
    if (entry.doc && entry.version === document.version) return entry.doc.model;
    if (entry.pending) {
      await entry.pending;
      return sync(document);
    }
    const started = Date.now();
    const run = async (): Promise<ConfigModel | undefined> => {
      // Text and version are read together: the document object changes in place on edits.
      const text = document.getText();
      const version = document.version;
      if (!entry.doc) {
        const doc = await ClickDocument.create(text);
        if (entries.get(uri) !== entry) {
          doc.dispose(); // closed meanwhile
          return undefined;
        }
        entry.doc = doc;
      } else entry.doc.setText(text);
      entry.version = version;
      const model = entry.doc.model;
      ctx.log.debug(
        `click: ${uri} v${document.version} ${entry.doc.lastUpdate} in ${Date.now() - started} ms (${model.elements.length} elements, ${model.problems.length} problems)`,
      );
      notify(uri, model, version);
      return model;
    };
    entry.pending = run();
    try {
      return await entry.pending;
    } catch (err) {
      ctx.log.error(`could not parse ${uri}: ${describeError(err)}`);
      // The document's tree may be half-edited (or its parser aborted): start afresh next time.
      const broken = entry.doc;
      entry.doc = undefined;
      entry.version = -1;
      try {
        broken?.dispose();
      } catch {
        // nothing more to free
      }
      return undefined;
    } finally {
      entry.pending = undefined;
    }
  };

  const isClick = (uri: string) => isClickDocument(uri, ctx.documents.get(uri)?.languageId);

  ctx.documents.onDidChangeContent((e) => {
    if (isClick(e.document.uri)) void sync(e.document);
  });
  ctx.documents.onDidClose((e) => {
    const entry = entries.get(e.document.uri);
    if (!entry) return;
    entries.delete(e.document.uri);
    const dispose = () => entry.doc?.dispose();
    if (entry.pending) void entry.pending.finally(dispose);
    else dispose();
    for (const l of closeListeners) l(e.document.uri);
  });

  return {
    get: (uri) => entries.get(uri)?.doc?.model,
    async ensure(uri) {
      const document = ctx.documents.get(uri);
      if (!document || !isClickDocument(uri, document.languageId)) return undefined;
      return sync(document);
    },
    onDidChangeModel(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    onDidClose(listener) {
      closeListeners.add(listener);
      return () => closeListeners.delete(listener);
    },
    isClick,
  };
}
