// The configuration model of a .click file: the contract between the Click parser and every later
// stage (chains, solver, rewrite, LSP features, CLI). Plain data, no tree-sitter types leak out.
//
// Semantics worth knowing (see clickDocument.ts, assemble.ts):
// - Names follow Click. An anonymous element is `Class@N` where N counts every element created so
//   far in its scope (file, or one elementclass overload, or an inline `{...}`), declared ones
//   included, 1-based; a group takes three numbers (itself and its input/output tunnels) and is
//   named `@N`; an inline compound element is `@N` with className ''. Inside a set (`a, b, c`),
//   groups are numbered before the other elements of that set, as Click creates them. A bare
//   upper-case name that is not declared in scope is an anonymous element of that class.
// - Each hookup is one ClickConnection: `a, b -> c` gives two, `t[0,1] => x, y` two, with the
//   port actually used in `from.port` / `to.port` (the written list stays in `ports`).
// - Endpoints: `kind` says what `element` names. Inside a group, `input`/`output` (written or
//   implied by a leading/trailing arrow) are the group's, with `group` set to its `@N`; the group
//   itself appears as an endpoint of kind 'group' in the enclosing chain. In an elementclass body
//   they are the compound's own ports (`group` undefined). Flattening through groups and
//   compounds is left to later stages.
// - Arguments keep their text as written (`$port`); `variables` lists the uses and `expandedValue`
//   the text with the file's (and enclosing scopes') `define`s substituted, formals left alone.
// - Ranges are offsets into `text` (UTF-16 code units); lines and characters are derived only where
//   they are shown (lineIndexOf(model) in modelLines.ts). A model is never changed once returned: an
//   edit yields a new model, and an older one stays valid for its own `text`. Objects of statements
//   before an edit are shared between the two versions; everything after it is a moved copy.
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
  /** `$x`, `${x}` and `${x-default}` written in the value, in order. */
  variables: ClickVariableUse[];
  /**
   * The value with variables replaced by the file's `define`s (top-level elements only; inside an
   * elementclass the formals are unknown until instantiation). Undefined when nothing was replaced.
   */
  expandedValue?: string;
}

/** A variable written in a configuration string. */
export interface ClickVariableUse {
  /** Without `$` and braces. */
  name: string;
  /** The default of `${name-default}`, if written. */
  defaultValue?: string;
  /** The whole `$name` / `${...}` text. */
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
  /**
   * null at top level, else the name of the enclosing `elementclass` (innermost), or `{name}` for an
   * inline `{ ... }` defining element `name` (a path such as `{@1/@1}` when nested, see inlineScopeName).
   */
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
  /** The scope this element belongs to (an index into `ConfigModel.scopes`; 0 is the file). */
  scopeId: number;
  /** How the element was written. `compound`: an inline `{ ... }` class (className is ''). */
  form: 'declaration' | 'shared-declaration' | 'anonymous' | 'compound';
  /** For `a, b :: C`: every name but the last shares the class and configuration of the last. */
  sharedWith?: string;
}

/** One place where names are resolved: the file, one overload of an elementclass, or an inline `{ ... }`. */
export interface ClickScope {
  id: number;
  kind: 'file' | 'elementclass' | 'compound';
  /** The elementclass name; for an inline compound `{foo}` where foo is the element it defines; null for the file. */
  name: string | null;
  overload: number;
  /** The enclosing scope, null for the file. */
  parentId: number | null;
  range: SourceRange;
}

/**
 * An element group `( ... )`. Click gives it an anonymous name (`@N`); its statements live in the
 * enclosing scope, and `input`/`output` inside it are the group's own ports.
 */
export interface ClickGroup {
  name: string;
  scopeId: number;
  range: SourceRange;
  /** The enclosing group, if nested. */
  parent?: string;
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
  /** The port this connection uses on this side, after Click's expansion of lists and `=>`. */
  port: number;
  /**
   * What `element` names: a declared or anonymous element, a group (`@N`), the `input`/`output` of
   * the enclosing group or compound, or a name that is declared nowhere in scope.
   */
  kind: 'element' | 'group' | 'input' | 'output' | 'undeclared';
  /** For `input`/`output` inside a group: the group's name. Undefined in a compound body (its own ports). */
  group?: string;
  /** True for the `input`/`output` implied by a chain that starts or ends with an arrow. */
  implicit: boolean;
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
  /** From the start of `from` to the end of `to` as written (the arrow alone when both are implicit). */
  range: SourceRange;
  scopeId: number;
  /** Range of the arrow. */
  operatorRange: SourceRange;
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
  /** The scope of this overload's body. */
  scopeId: number;
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
  /** The scope the class is defined in. */
  scopeId: number;
}

export interface ClickDefine {
  /** Without the `$`. */
  name: string;
  value: string;
  range: SourceRange;
  nameRange: SourceRange;
  valueRange: SourceRange;
  scopeId: number;
}

export interface ClickRequire {
  text: string;
  args: ClickArg[];
  range: SourceRange;
  /** `provide(...)` is recorded here too. */
  kind: 'require' | 'provide';
}

/** A use of an element name (in a connection, or the declaration itself). */
export interface ClickReference {
  name: string;
  scope: string | null;
  range: SourceRange;
  isDeclaration: boolean;
  /** An element name, or the name of an `elementclass` used as a class. */
  kind: 'element' | 'class';
  scopeId: number;
  /** For an element: the index of its declaration in `elements`; for a class: in `elementClasses`. Undefined when unresolved. */
  target?: number;
}

export type ProblemSeverity = 'error' | 'warning' | 'information' | 'hint';

/** Every `ClickProblem.code` the Click parser and model produce (other stages add their own codes). */
export const CLICK_PROBLEM_CODES = [
  'syntax',
  'unterminated-comment',
  'unterminated-string',
  'too-deep',
  'undeclared-element',
  'used-before-declaration',
  'duplicate-declaration',
  'bad-name',
  'bad-port',
  'ignored-port',
  'connection-mismatch',
  'config-on-reference',
  'bad-define',
  'unknown-elementclass',
  'recursive-elementclass',
] as const;

/**
 * The scope name of the body of inline compound `element` defined in scope `parent`: `{@1}` at
 * top level, `{@1/@1}` for one nested in it, `{A/x}` inside elementclass A. Like Click's instance
 * names (`@1/@1`), the path keeps nested anonymous compounds apart.
 */
export function inlineScopeName(parent: string | null, element: string): string {
  if (parent === null) return `{${element}}`;
  const outer = parent.startsWith('{') && parent.endsWith('}') ? parent.slice(1, -1) : parent;
  return `{${outer}/${element}}`;
}

export interface ClickProblem {
  severity: ProblemSeverity;
  /** Plain words: "missing `)` to close the configuration of `psd`". */
  message: string;
  range: SourceRange;
  /** Stable identifier, e.g. 'syntax', 'undeclared-element', 'duplicate-declaration', 'bad-port'. */
  code: string;
  /** Other places that explain the problem ("previously declared here"). */
  related?: Array<{ message: string; range: SourceRange }>;
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
  scopes: ClickScope[];
  groups: ClickGroup[];
  /** Ranges worth folding: compounds, groups, multi-line configurations and block comments. */
  foldingRanges: ClickFoldingRange[];
}

export interface ClickFoldingRange {
  range: SourceRange;
  kind: 'compound' | 'group' | 'config' | 'comment';
}
