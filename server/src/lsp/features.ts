// The list of LSP features. Each lives in its own module and returns the capabilities it adds.
import type { InitializeParams, ServerCapabilities } from 'vscode-languageserver/node';
import type { ServerContext } from './context';
import { statusFeature } from './status';
import { elementIndexFeature } from './elementIndexService';
import { elementRequestsFeature } from './elementRequests';
import { cppHoverFeature } from './cppHover';
import { cppCodeLensFeature } from './cppCodeLens';
import { diagnosticsFeature } from './diagnostics';
import { documentSymbolsFeature } from './documentSymbols';
import { definitionFeature } from './definition';
import { referencesFeature } from './references';
import { foldingFeature } from './folding';
import { semanticTokensFeature } from './semanticTokens';
import { flowDiagnosticsFeature } from './flowDiagnostics';
import { parameterDiagnosticsFeature } from './parameterDiagnostics';
import { clickHoverFeature } from './clickHover';
import { codeActionsFeature } from './codeActions';
import { optimizeRequestFeature } from './optimizeRequest';
import { completionFeature } from './completion';
import { llmFeature } from './llmService';
import { cppDiagnosticsFeature } from './cppDiagnostics';
import { chainGraphFeature } from './chainGraph';

export interface Feature {
  capabilities?(params: InitializeParams): Partial<ServerCapabilities>;
  initialized?(): void | Promise<void>;
  shutdown?(): void | Promise<void>;
}

export const FEATURES: Array<(ctx: ServerContext) => Feature> = [
  statusFeature,
  elementIndexFeature,
  elementRequestsFeature,
  cppHoverFeature,
  cppCodeLensFeature,
  diagnosticsFeature,
  documentSymbolsFeature,
  definitionFeature,
  referencesFeature,
  foldingFeature,
  semanticTokensFeature,
  flowDiagnosticsFeature,
  parameterDiagnosticsFeature,
  clickHoverFeature,
  codeActionsFeature,
  optimizeRequestFeature,
  completionFeature,
  llmFeature,
  cppDiagnosticsFeature,
  chainGraphFeature,
];
