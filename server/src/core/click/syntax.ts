// A small, plain-data syntax tree of one top-level statement, read once from tree-sitter. Offsets
// are relative to the statement's start so that an unchanged statement can be reused as is after an
// edit elsewhere in the file (see ClickDocument); the model is assembled from these.

export interface Span {
  start: number;
  end: number;
}

/** A word as written: a name, a class, a port number, a keyword. */
export interface Token extends Span {
  text: string;
}

export type SynStatement = SynChain | SynElementClass | SynDirective | SynSemicolon;

/** A connection chain, or a statement of elements without arrows (`a, b :: C`). */
export interface SynChain extends Span {
  kind: 'chain';
  items: SynChainItem[];
}

export type SynChainItem = SynSet | SynConnector | SynLonePort;

export interface SynSet extends Span {
  kind: 'set';
  elements: SynElement[];
}

export interface SynConnector extends Span {
  kind: 'connector';
  /** `->`, `=>`, `~>` or `~name>` as written. */
  text: string;
}

/** `[1] -> x` or `x -> [1]` inside a group or compound: a port of the implicit input/output. */
export interface SynLonePort extends Span {
  kind: 'port';
  port: SynPort;
}

export interface SynElement extends Span {
  inputPort?: SynPort;
  outputPort?: SynPort;
  body: SynElementBody;
}

export type SynElementBody =
  | { kind: 'declaration'; name: Token; className?: Token; compound?: SynCompound; config?: SynConfig; span: Span }
  | { kind: 'instance'; className?: Token; compound?: SynCompound; config: SynConfig; span: Span }
  | { kind: 'ref'; name: Token; span: Span }
  | { kind: 'group'; statements: SynStatement[]; span: Span; closed: boolean }
  | { kind: 'compound'; compound: SynCompound; span: Span };

export interface SynPort extends Span {
  items: Array<{ from: Token; to?: Token }>;
}

export interface SynCompound extends Span {
  bodies: SynCompoundBody[];
  /** `|| ...` */
  extension: boolean;
  closed: boolean;
}

export interface SynCompoundBody extends Span {
  formals: SynFormal[];
  statements: SynStatement[];
}

export interface SynFormal extends Span {
  keyword?: Token;
  /** `$a` as written. */
  variable: Token;
}

export interface SynConfig extends Span {
  /** Offset of `(`. */
  open: number;
  /** Offset of `)`, undefined when it is missing. */
  close?: number;
  args: SynArg[];
}

export interface SynArg extends Span {
  /** Position among the arguments, empty ones included. */
  index: number;
  keyword?: Token;
  value: Token;
}

export interface SynElementClass extends Span {
  kind: 'elementclass';
  name?: Token;
  compound?: SynCompound;
  synonym?: Token;
}

export interface SynDirective extends Span {
  kind: 'require' | 'define' | 'provide';
  config?: SynConfig;
}

export interface SynSemicolon extends Span {
  kind: 'semicolon';
}

/** A problem found while reading the tree (syntax errors), relative to the statement start. */
export interface SynProblem extends Span {
  message: string;
  code: string;
}

/** One top-level unit of the file: a statement, a comment or an error, with its absolute start. */
export interface TopLevelFragment {
  /** Absolute offset of the statement in the document. */
  start: number;
  /** Length in UTF-16 code units. */
  length: number;
  /** The node type (a statement type, `comment`, `line_directive` or `ERROR`). */
  type: string;
  /** The exact text, used to recognise the same statement after an edit. */
  text: string;
  statements: SynStatement[];
  problems: SynProblem[];
  /** Block comments and multi-line constructs worth folding, relative. */
  folds: Array<Span & { kind: 'compound' | 'group' | 'config' | 'comment' }>;
  /** True when the fragment contains a syntax error (then it is never reused). */
  hasError: boolean;
}
