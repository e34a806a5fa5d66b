// What the index knows about one C++ file: classes, functions, macros and element documentation,
// as plain data (offsets into the file's text). Produced by extract.ts, consumed by the element
// index, the slicer and the analyzer.
import type { Param, Span, Stmt } from './ast';
import type { ConfigReads } from './configReads';
import type { ElementDoc } from './docs';

export interface CppField extends Span {
  name: string;
  /** Declared type with the declarator's `*`, `&` or `[]` appended (`uint32_t *`). */
  type: string;
  pointer: boolean;
  isStatic: boolean;
}

export interface CppFunction extends Span {
  name: string;
  /** The class an out-of-class definition belongs to (`IPolicer` for `IPolicer::process`), template arguments removed. */
  owner?: string;
  params: Param[];
  returnType: string;
  /** Offsets of the `{ ... }` body; undefined for a declaration. */
  bodyStart?: number;
  bodyEnd?: number;
  /**
   * Converted body; undefined for declarations and for bodies the analysis never needs (handlers,
   * configure). A deferred one (deferredBodies.ts) is converted on first read: test for a body with
   * hasBody(), which does not convert it.
   */
  body?: Stmt;
  /** The body is converted on first read, from the file's text (deferredBodies.ts). */
  deferredBody?: true;
  /**
   * What the function does with an element configuration (only for functions that receive one). A
   * deferred one (deferredConfigReads.ts) is extracted on first read.
   */
  config?: ConfigReads;
  /** The configuration reads are extracted on first read, from the file's text (deferredConfigReads.ts). */
  deferredConfig?: true;
  /** Constructors: members given a literal in the initializer list or body (`_burst` → `32`), for defaults. */
  initializers?: Record<string, string>;
  file: string;
}

export interface CppBase extends Span {
  /** The base's name without template arguments or namespace (`FlowStateElement`). */
  name: string;
  /** Template arguments as written, whitespace-normalized (`['MyCounter', 'int']`). */
  args: string[];
  text: string;
}

export interface TemplateParam {
  name: string;
  default?: string;
}

/** A flow-context macro in a class body: `FLOW_ELEMENT_DEFINE_SESSION_CONTEXT("12/0/ffffffff ...", FLOW_TCP)`. */
export interface FlowMacro extends Span {
  macro: string;
  args: string[];
}

export interface CppClass extends Span {
  name: string;
  /** `Outer::Inner` for nested classes. */
  qualifiedName: string;
  kind: 'class' | 'struct';
  file: string;
  nameStart: number;
  nameEnd: number;
  bodyStart: number;
  bodyEnd: number;
  templateParams: TemplateParam[];
  bases: CppBase[];
  fields: CppField[];
  /** Inline method definitions. */
  methods: CppFunction[];
  /** Method declarations without a body (defined elsewhere, or pure virtual). */
  methodDecls: CppFunction[];
  /** The Click name returned by `class_name()`, if the class defines one with a string literal. */
  clickName?: string;
  flowMacros: FlowMacro[];
  /** Member typedefs and `using` aliases: name → type. */
  typedefs: Record<string, string>;
  /** Qualified names of classes nested in this one. */
  nested: string[];
}

export interface CppFileModel {
  path: string;
  text: string;
  classes: CppClass[];
  /** Out-of-class method definitions and free functions. */
  functions: CppFunction[];
  /** String-valued `#define NAME "..."` (flow session rules such as TCP_SESSION). */
  defines: Record<string, string>;
  /** File-scope typedefs and `using` aliases: name → type. */
  typedefs: Record<string, string>;
  /** Names in `EXPORT_ELEMENT(...)`. */
  exports: string[];
  docs: ElementDoc[];
  /** Number of tree-sitter ERROR nodes met (the file is still used). */
  syntaxErrors: number;
  mtimeMs: number;
  size: number;
}
