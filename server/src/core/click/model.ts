// The configuration model of a .click file: the contract between the Click parser and every later
// stage (chains, solver, rewrite, LSP features, CLI). Plain data, no tree-sitter types leak out.
import type { SourceRange } from '../text';

export interface ClickArg {
  /** Position among the configuration's arguments, 0-based. */
  index: number;
  /** The keyword for keyword arguments (`SIZE` in `SIZE 8000000`), undefined for positional ones. */
  keyword?: string;
  keywordRange?: SourceRange;
  /** The value text as written (for a keyword argument, after the keyword and its whitespace). */
  value: string;
  valueRange: SourceRange;
  /** The whole argument, keyword included, without surrounding whitespace or comments. */
  range: SourceRange;
}

export interface ClickConfig {
  /** Raw text between the parentheses. */
  text: string;
  /** Range of the text between the parentheses (empty range right after `(` for `()`). */
  range: SourceRange;
  openParenOffset: number;
  /** Undefined when the `)` is missing (parse error). */
  closeParenOffset?: number;
  args: ClickArg[];
}

export interface ClickElement {
  /** The declared name, or the name Click gives an anonymous element (`Class@N`). */
  name: string;
  className: string;
  anonymous: boolean;
  /** null at top level, else the name of the enclosing `elementclass` (innermost). */
  scope: string | null;
  /** For compound bodies with overloads, which overload (0-based); 0 otherwise. */
  overload: number;
  /** The declaration: `name :: Class(config)` or the anonymous `Class(config)`. */
  declarationRange: SourceRange;
  /** Range of the name in the declaration (undefined for anonymous elements). */
  nameRange?: SourceRange;
  classRange: SourceRange;
  /** Undefined when written without parentheses. */
  config?: ClickConfig;
}

export interface ClickEndpoint {
  /** Name of the element (resolved in scope; anonymous ones by their Click name), or `input`/`output`. */
  element: string;
  /** Port numbers written on this side (`[0]`, `[0,1]`, `[0-2]` expands to 0,1,2); [] when none written. */
  ports: number[];
  /** Range of the element reference as written. */
  range: SourceRange;
  /** Range of the `[..]` port list, if any. */
  portRange?: SourceRange;
}

export type ConnectionOperator = '->' | '=>' | '~>';

export interface ClickConnection {
  from: ClickEndpoint;
  to: ClickEndpoint;
  /** `~name>` is reported as '~>' with `contextName` set. */
  operator: ConnectionOperator;
  contextName?: string;
  scope: string | null;
  overload: number;
  range: SourceRange;
}

export interface ClickFormal {
  /** `$a` → 'a' (without the `$`); `__REST__ $r` → 'r' with rest true. */
  name: string;
  keyword?: string;
  rest: boolean;
  range: SourceRange;
}

export interface ClickElementClassOverload {
  formals: ClickFormal[];
  range: SourceRange;
}

export interface ClickElementClass {
  name: string;
  nameRange: SourceRange;
  range: SourceRange;
  /** The enclosing elementclass, or null at top level. */
  scope: string | null;
  /** One entry per `||` alternative. */
  overloads: ClickElementClassOverload[];
  /** `|| ...`: extends an earlier definition of the same class. */
  extendsPrevious: boolean;
  /** `elementclass A B`: a synonym for class B. */
  synonymOf?: string;
}

export interface ClickDefine {
  /** Without the `$`. */
  name: string;
  value: string;
  range: SourceRange;
  nameRange: SourceRange;
}

export interface ClickRequire {
  text: string;
  args: ClickArg[];
  range: SourceRange;
}

/** A use of an element name (in a connection, or the declaration itself). */
export interface ClickReference {
  name: string;
  scope: string | null;
  range: SourceRange;
  isDeclaration: boolean;
}

export type ProblemSeverity = 'error' | 'warning' | 'information' | 'hint';

export interface ClickProblem {
  severity: ProblemSeverity;
  /** Plain words: "missing `)` to close the configuration of `psd`". */
  message: string;
  range: SourceRange;
  /** Stable identifier, e.g. 'syntax', 'undeclared-element', 'duplicate-declaration', 'bad-port'. */
  code: string;
}

export interface ConfigModel {
  text: string;
  elements: ClickElement[];
  connections: ClickConnection[];
  elementClasses: ClickElementClass[];
  defines: ClickDefine[];
  requires: ClickRequire[];
  references: ClickReference[];
  problems: ClickProblem[];
}
