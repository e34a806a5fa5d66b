// FlowMage's own LSP messages, defined once: every `flowmage/...` request and notification with its
// params and result, the initialization options and the client-side command results may name. The
// server registers handlers with these types, the VS Code client (client/src) and the tests send
// them. Type-only imports from the core: the client bundles nothing of the server but this file.
import { NotificationType, RequestType, RequestType0, type Range, type WorkspaceEdit } from 'vscode-languageserver-protocol';
import type { ChainGraph, ChainGraphNode } from './core/chains/chainGraph';
import type { ElementFeatures } from './core/analysis/features';
import type { ExtractManyResult } from './core/llm/llmAnalyzer';
import type { MergedFeatures } from './core/llm/merge';
import { serverV8Args } from './core/v8Flags';

// Each message is `{ method, type }`: `type` for typed sendRequest/onRequest, `method` for logs and tests.
const request =
  <P, R>() =>
  <M extends string>(method: M) => ({ method, type: new RequestType<P, R, void>(method) });
const request0 =
  <R>() =>
  <M extends string>(method: M) => ({ method, type: new RequestType0<R, void>(method) });
const notification =
  <P>() =>
  <M extends string>(method: M) => ({ method, type: new NotificationType<P>(method) });

// ---- starting the server ----

/**
 * Node flags clients start the server with. `--expose-gc`: after a cold index the server drops
 * hundreds of megabytes of models and analysis garbage at once, and collects them right then
 * (lsp/elementIndexService.ts) rather than keeping them until V8 next needs the space. A client
 * without it (`node dist/server.js --stdio`) works the same, holding more memory. On two cores,
 * one V8 background thread (core/v8Flags.ts).
 */
export const SERVER_NODE_ARGS: readonly string[] = ['--expose-gc', ...serverV8Args()];

/** Environment variables clients add to the server's (core/mallocTuning.ts). */
export { SERVER_MALLOC_ENV as SERVER_ENV } from './core/mallocTuning';

/** Clients set it to their storage folder in the server's environment, so a cold start begins before initialize (lsp/earlyIndexProcess.ts). */
export { STORAGE_HINT_ENV } from './lsp/storageHint';

// ---- initialize ----

export interface InitializationOptions {
  /** VS Code's workspace trust; other clients may omit it, and then the server assumes trust. */
  trusted?: boolean;
  /**
   * Sent by a client that asks the user before LLM requests go to an endpoint from workspace
   * settings (VS Code): the origins allowed so far. Then only those, the default endpoint and local
   * ones are used; `flowmage/llmEndpointConsent` updates the list. Never carries the API key.
   */
  allowedLlmOrigins?: string[];
  /** The extension's workspace storage folder: the feature store may be kept there. */
  storagePath?: string;
  /** Client-side commands the client implements (VS Code: `flowmage.showFeaturesAt`), which results may then name. */
  clientCommands?: string[];
}

/** The client command that reveals an element's features at a position (`[uri, position]`); VS Code's client implements it. */
export const SHOW_FEATURES_AT_COMMAND = 'flowmage.showFeaturesAt';
/** The client command that opens the chain view: `(uri: string, input?: string)`. */
export const SHOW_CHAIN_COMMAND = 'flowmage.showChain';

// ---- requests ----

export interface OptimizeParams {
  uri: string;
}

export interface OptimizeResult {
  edit: WorkspaceEdit | null;
  /** How many text edits and files the plan needs (0: the configuration is already optimal). */
  changes: number;
  summary: string[];
  /** Set when there is nothing to optimize and why. */
  message?: string;
}

/** The edit that applies the plan to a .click document, and what changes and why. */
export const OptimizeRequest = request<OptimizeParams, OptimizeResult>()('flowmage/optimize');

export interface ElementsParams {
  /** Only these Click names (all when absent). */
  names?: string[];
  /** Wait for the index under way (default true). */
  wait?: boolean;
}

export interface ElementSummary {
  name: string;
  className: string;
  headerFile: string;
  summary: string;
  sliceHash: string;
  sliceChars: number;
  /** What the solver uses (static and LLM merged). */
  features: MergedFeatures | undefined;
  /** The static analysis with its evidence. */
  static: ElementFeatures;
}

/** Every indexed element with its merged features. */
export const ElementsRequest = request<ElementsParams | undefined, ElementSummary[]>()('flowmage/elements');

export interface IndexStatus {
  state: 'idle' | 'indexing' | 'failed';
  roots: string[];
  files: number;
  elements: number;
  /** Duration of the last full index and analysis. */
  ms: number;
  store?: string;
  problems: string[];
  /** The persistent index: where it is, and what the last full index took from it. */
  cache?: { file?: string; files: number; cachedFiles: number; modelHits: number; modelMisses: number; warnings: string[] };
  /** True while the first index is under way and only some elements (the open documents' classes first) are analyzed. */
  partial: boolean;
  /** The last cold index a child process built (core/index/indexProcess.ts): its duration, files parsed, CPU time. */
  childIndex?: { ms: number; parsed: number; cpuMs?: number };
  /** C++ files this server parsed itself since it started (a cold start whose index a child built parses none: its early answers bring the models). */
  parsedHere: number;
  /** The server's memory now, in MB, and the CPU time it used since it started, in ms (the start-up bench reports them). */
  memory: { rss: number; heapUsed: number; cpuMs: number };
}

/** What the element index is doing. */
export const IndexStatusRequest = request0<IndexStatus>()('flowmage/indexStatus');

/** What `flowmage/status` reports about the LLM. */
export interface LlmStatus {
  enabled: boolean;
  model: string;
  /** `host:port` requests go to (undefined when the setting is not a URL). */
  endpoint: string | undefined;
  /** Why nothing is sent now, or undefined when requests may be made. */
  blocked: string | undefined;
}

export interface ServerStatus {
  version: string;
  trusted: boolean;
  openDocuments: number;
  workspaceFolders: string[];
  /** The server's process id (the editor tests use it to crash the server on purpose). */
  pid: number;
  /** The LLM: its model, the host requests go to, and why nothing is sent if so. */
  llm: LlmStatus | undefined;
}

/** What the server knows: version, trust, documents, LLM. */
export const StatusRequest = request0<ServerStatus>()('flowmage/status');

export interface AnalyzeElementsParams {
  names?: string[];
}

export interface AnalyzeElementsResult extends Partial<ExtractManyResult> {
  message: string;
}

/** Asks the LLM about the elements that have no current answer (with progress and cancellation). */
export const AnalyzeElementsRequest = request<AnalyzeElementsParams, AnalyzeElementsResult>()('flowmage/analyzeElements');

// ---- notifications (client → server) ----

export interface TrustChangedParams {
  trusted: boolean;
}

/** VS Code's workspace trust changed. */
export const TrustChangedNotification = notification<TrustChangedParams>()('flowmage/trustChanged');

export interface LlmEndpointConsentParams {
  allowedOrigins: string[];
}

/** The LLM endpoints the user allowed so far (see InitializationOptions.allowedLlmOrigins). */
export const LlmEndpointConsentNotification = notification<LlmEndpointConsentParams>()('flowmage/llmEndpointConsent');

export interface ChainGraphParams {
  uri: string;
  /** A pcap/pcapng capture (absolute, or relative to the first workspace folder); else the trace setting. */
  trace?: string;
}

export type LspChainGraph = Omit<ChainGraph, 'nodes'> & { nodes: Array<Omit<ChainGraphNode, 'range'> & { range: Range }> };

export interface ChainGraphResult {
  chains: LspChainGraph[];
  /** False while the element index is still on its first pass (classes may look unknown): ask again. */
  indexReady: boolean;
  /** Why there is no graph (not a .click document, syntax errors). */
  message?: string;
  /** The trace used, or why it could not be. */
  trace?: { file: string; error?: string };
}

/** The chain graph of a .click document for the chain view: nodes coloured by the plan, edges, conflicts, loads. */
export const ChainGraphRequest = request<ChainGraphParams, ChainGraphResult>()('flowmage/chainGraph');

/** Every custom method, for tests that check each is handled. */
export const CUSTOM_METHODS = [
  OptimizeRequest.method,
  ElementsRequest.method,
  IndexStatusRequest.method,
  StatusRequest.method,
  AnalyzeElementsRequest.method,
  TrustChangedNotification.method,
  LlmEndpointConsentNotification.method,
  ChainGraphRequest.method,
] as const;
