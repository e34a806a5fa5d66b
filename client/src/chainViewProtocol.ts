// Messages between the chain view's webview script (client/src/webview/chainView.ts) and the
// extension (client/src/chainView.ts). Types only: both sides import them.
import type { ChainGraphResult } from '../../server/src/protocol';

export type { ChainGraphResult };
export type ChainGraphData = ChainGraphResult['chains'][number];
export type ChainNodeData = ChainGraphData['nodes'][number];

export type ToWebview =
  /** A new graph (after opening, an edit or a settings change); `focus` is the chain to show. */
  | { type: 'graph'; document: string; result: ChainGraphResult; focus?: string }
  /** The server could not be asked (not running, request failed). */
  | { type: 'error'; message: string };

export type FromWebview =
  | { type: 'ready' }
  /** The user clicked a node: show its declaration in the editor. */
  | { type: 'reveal'; range: ChainNodeData['range'] }
  /** The user picked another chain of the document. */
  | { type: 'focus'; input: string }
  /** What was drawn, for tests and the command's result: the node ids in the SVG. */
  | { type: 'rendered'; input: string; nodes: string[]; conflicts: number; loadBars: number };
