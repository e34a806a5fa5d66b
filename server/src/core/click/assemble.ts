// Builds the ConfigModel from the syntax of every top-level statement: scopes, Click's names for
// anonymous elements, name resolution, connections with their ports, defines, and the problems a
// Click user should hear about. Plain data in, plain data out; no tree-sitter here.
//
// The output is kept per top-level statement (a Segment) so that an edit inside one statement only
// relinks that statement when what the rest of the file sees of it (its signature: the names it
// declares, how many elements and scopes it creates, the classes and defines it adds) is unchanged;
// the statements after it are then copied with their offsets moved (see shiftedSegment). Nothing a
// model holds is ever changed after it is returned: an older model stays valid for its own text.
import { LineIndex, type SourceRange } from '../text';
import { inlineScopeName } from './model';
import type {
  ClickArg,
  ClickConfig,
  ClickConnection,
  ClickDefine,
  ClickElement,
  ClickElementClass,
  ClickEndpoint,
  ClickFoldingRange,
  ClickGroup,
  ClickProblem,
  ClickReference,
  ClickRequire,
  ClickScope,
  ConfigModel,
  ConnectionOperator,
  ProblemSeverity,
} from './model';
import type {
  SynChain,
  SynCompound,
  SynCompoundBody,
  SynConfig,
  SynElement,
  SynElementClass,
  SynPort,
  SynSet,
  SynStatement,
  Span,
  Token,
  TopLevelFragment,
  SynDirective,
} from './syntax';
import { mapShifted, modelShifter } from './shiftModel';
import { connectSets, NO_PORTS, readPortSpec, type PortNumberProblem, type PortSpec } from './ports';
import { expandVariables, findVariables, splitDefine } from './configText';

/** The model's contribution of one top-level statement. */
export interface Segment {
  fragment: TopLevelFragment;
  elements: ClickElement[];
  connections: ClickConnection[];
  elementClasses: ClickElementClass[];
  defines: ClickDefine[];
  requires: ClickRequire[];
  references: ClickReference[];
  problems: ClickProblem[];
  scopes: ClickScope[];
  groups: ClickGroup[];
  folds: ClickFoldingRange[];
  /** What other statements see of this one. */
  signature: string;
  /** File-scope numbering at the start of this statement. */
  slotsBefore: number;
  elementsBefore: number;
  scopesBefore: number;
  classesBefore: number;
  /** Linking used another statement's objects or numbering in a way a lone relink cannot repeat. */
  crossLinked: boolean;
}

/**
 * What the file scope knows once every statement is linked. Places are order keys (statement index
 * and offset in the statement, see orderKey) rather than offsets, so they survive edits elsewhere.
 */
export interface LinkContext {
  /** File-scope names by the place of their first declaration. */
  declaredNames: Map<string, number>;
  /** File-scope names by the index of their first declaration in `elements`. */
  declarations: Map<string, number>;
  /** File-scope element classes in the order they are defined. */
  classes: Array<{ name: string; index: number; key: number }>;
  defines: Map<string, string>;
}

/** Orders places in a file by statement, then by offset in the statement. */
const STATEMENT_STRIDE = 2 ** 31;
function orderKey(statement: number, relative: number): number {
  return statement * STATEMENT_STRIDE + relative;
}

export interface Linked {
  segments: Segment[];
  context: LinkContext;
  model: ConfigModel;
}

/** Links every statement of a file. */
export function linkAll(text: string, fragments: readonly TopLevelFragment[], lines = new LineIndex(text)): Linked {
  const linker = new Linker(text, lines);
  const segments = linker.linkFile(fragments);
  return { segments, context: linker.context(), model: modelFromSegments(text, lines, segments) };
}

/** The model of a whole text in one go (no incremental state kept). */
export function assembleModel(text: string, fragments: readonly TopLevelFragment[], lines = new LineIndex(text)): ConfigModel {
  return linkAll(text, fragments, lines).model;
}

/**
 * Links one edited statement alone, in the context of the rest of the file. Returns undefined when
 * its signature changed (the caller must then link the whole file).
 */
export function relinkSegment(text: string, lines: LineIndex, fragment: TopLevelFragment, index: number, old: Segment, context: LinkContext): Segment | undefined {
  const linker = new Linker(text, lines);
  const segment = linker.relink(fragment, index, old, context);
  return segment && segment.signature === old.signature && !segment.crossLinked ? segment : undefined;
}

/** Puts the segments together into a model. */
export function modelFromSegments(text: string, lines: LineIndex, segments: readonly Segment[]): ConfigModel {
  const model: ConfigModel = {
    text,
    elements: [],
    connections: [],
    elementClasses: [],
    defines: [],
    requires: [],
    references: [],
    problems: [],
    scopes: [{ id: 0, kind: 'file', name: null, overload: 0, parentId: null, range: lines.range(0, text.length) }],
    groups: [],
    foldingRanges: [],
  };
  for (const s of segments) {
    append(model.elements, s.elements);
    append(model.connections, s.connections);
    append(model.elementClasses, s.elementClasses);
    append(model.defines, s.defines);
    append(model.requires, s.requires);
    append(model.references, s.references);
    append(model.problems, s.problems);
    append(model.scopes, s.scopes);
    append(model.groups, s.groups);
    append(model.foldingRanges, s.folds);
  }
  return model;
}

function append<T>(into: T[], from: readonly T[]): void {
  for (let i = 0; i < from.length; i++) into.push(from[i]);
}

/**
 * A copy of a segment that lies entirely after an edit, with every offset moved by `delta`. The
 * original is left as it is: it still belongs to the models of earlier versions.
 */
export function shiftedSegment(segment: Segment, fragment: TopLevelFragment, delta: number): Segment {
  if (delta === 0) return { ...segment, fragment };
  const m = modelShifter(delta);
  return {
    ...segment,
    fragment,
    elements: mapShifted(segment.elements, m.element),
    connections: mapShifted(segment.connections, m.connection),
    elementClasses: mapShifted(segment.elementClasses, m.elementClass),
    defines: mapShifted(segment.defines, m.define),
    requires: mapShifted(segment.requires, m.require),
    references: mapShifted(segment.references, m.reference),
    problems: mapShifted(segment.problems, m.problem),
    scopes: mapShifted(segment.scopes, m.scope),
    groups: mapShifted(segment.groups, m.group),
    folds: mapShifted(segment.folds, m.fold),
  };
}

// ---- linking ----------------------------------------------------------------------------------

interface ScopeState {
  id: number;
  name: string | null;
  overload: number;
  /** Names declared anywhere in this scope, by the place (orderKey) of their first declaration. */
  declaredNames: Map<string, number>;
  /** First declarations linked so far (for the file scope, also those of other statements). */
  declarations: Map<string, number>;
  /** Elements created so far, for Click's anonymous numbering (`Class@N`). */
  slots: number;
  /** Element classes visible so far in this scope, by name. */
  classes: Map<string, number>;
  formals: Set<string>;
  defines: Map<string, string>;
  parent?: ScopeState;
  /** Compound bodies own `input`/`output`; the file does not. */
  hasPorts: boolean;
  takenNames: Set<string>;
}

interface EndpointBase {
  element: string;
  kind: ClickEndpoint['kind'];
  range: SourceRange;
  implicit: boolean;
  group: string | undefined;
}

interface EndpointDraft {
  endpoint: EndpointBase;
  inSpec: PortSpec;
  outSpec: PortSpec;
  inPorts: { range?: SourceRange; ports: number[] };
  outPorts: { range?: SourceRange; ports: number[] };
}

interface Side {
  endpoints: EndpointDraft[];
}

type RareList = 'elementClasses' | 'defines' | 'requires' | 'problems' | 'scopes' | 'groups' | 'folds';
/** The shared empty list of a segment that has none of something (replaced, never pushed to). */
const NONE: never[] = [];

const UPPER = /^[A-Z]/;
/** Shared by every argument without variables (never mutated). */
const NO_VARIABLES: ClickArg['variables'] = Object.freeze([]) as unknown as ClickArg['variables'];
const ALL_DIGITS_COMPONENT = /(^|\/)\d+(\/|$)/;

class Linker {
  private file!: ScopeState;
  private seg!: Segment;
  private elementCount = 0;
  private scopeCount = 1;
  private classCount = 0;
  /** Absolute offset of the statement being linked (syntax offsets are relative to it). */
  private base = 0;
  /** Index of the statement being linked, for order keys. */
  private statementIndex = 0;
  /** The groups being read, innermost first. */
  private groupStack: string[] = [];
  /** Arguments with variables, expanded once every `define` is known. */
  private pendingArgs: Array<{ arg: ClickArg; scope: ScopeState }> = [];
  /** References to file-scope names declared later, until their declaration is linked. */
  private readonly forward = new Map<string, ClickReference[]>();
  private readonly fileClasses: LinkContext['classes'] = [];
  private signatureParts: string[] = [];

  constructor(
    private readonly text: string,
    /** Only for messages that cite a line and column. */
    private readonly lines: LineIndex,
  ) {}

  linkFile(fragments: readonly TopLevelFragment[]): Segment[] {
    this.file = newScopeState(0, null, 0, undefined, false);
    // Click wants declarations before uses; we still resolve a use before its declaration (and say
    // so), so every file-scope name is collected first.
    fragments.forEach((f, i) => collectDeclarations(f.statements, this.file.declaredNames, orderKey(i, 0)));
    const segments = fragments.map((f, i) => this.linkFragment(f, i));
    this.expandPendingArgs();
    return segments;
  }

  /** Links statement `index` again; the context is updated for it (and is stale if the signature changed). */
  relink(fragment: TopLevelFragment, index: number, old: Segment, context: LinkContext): Segment | undefined {
    this.file = newScopeState(0, null, 0, undefined, false);
    // Names declared in this statement may have moved within it; everything else is as before.
    const own = new Map<string, number>();
    collectDeclarations(fragment.statements, own, orderKey(index, 0));
    const oldOwn = new Map<string, number>();
    collectDeclarations(old.fragment.statements, oldOwn, orderKey(index, 0));
    for (const [name, key] of oldOwn) {
      if (context.declaredNames.get(name) !== key) continue;
      const now = own.get(name);
      if (now === undefined) return undefined;
      context.declaredNames.set(name, now);
    }
    for (const name of own.keys()) if (!context.declaredNames.has(name)) return undefined;
    this.file.declaredNames = context.declaredNames;
    this.file.declarations = context.declarations;
    this.file.defines = context.defines;
    for (const c of context.classes) if (c.key < orderKey(index, 0)) this.file.classes.set(c.name, c.index);
    this.file.slots = old.slotsBefore;
    this.elementCount = old.elementsBefore;
    this.scopeCount = old.scopesBefore;
    this.classCount = old.classesBefore;
    const segment = this.linkFragment(fragment, index);
    this.expandPendingArgs();
    return segment;
  }

  context(): LinkContext {
    return { declaredNames: this.file.declaredNames, declarations: this.file.declarations, classes: this.fileClasses, defines: this.file.defines };
  }

  private key(relative: number): number {
    return orderKey(this.statementIndex, relative);
  }

  private linkFragment(f: TopLevelFragment, index: number): Segment {
    this.base = f.start;
    this.statementIndex = index;
    this.seg = {
      fragment: f,
      elements: [],
      connections: [],
      references: [],
      // Most statements have none of these: they share one empty array until something is added.
      elementClasses: NONE,
      defines: NONE,
      requires: NONE,
      problems: NONE,
      scopes: NONE,
      groups: NONE,
      folds: NONE,
      signature: '',
      slotsBefore: this.file.slots,
      elementsBefore: this.elementCount,
      scopesBefore: this.scopeCount,
      classesBefore: this.classCount,
      crossLinked: false,
    };
    this.signatureParts = [];
    for (const p of f.problems) this.report('error', p.start, p.end, p.message, p.code);
    for (const fold of f.folds) this.fold(fold.start, fold.end, fold.kind);
    this.statements(f.statements, this.file);
    this.seg.problems.sort((a, b) => a.range.startOffset - b.range.startOffset || a.range.endOffset - b.range.endOffset);
    this.seg.signature = `${this.signatureParts.join(' ')}|slots ${this.file.slots - this.seg.slotsBefore}|elements ${this.seg.elements.length}|scopes ${this.seg.scopes.length}|classes ${this.seg.elementClasses.length}`;
    return this.seg;
  }

  // ---- helpers --------------------------------------------------------------------------------

  private add<K extends RareList>(key: K, item: Segment[K][number]): void {
    const list = this.seg[key] as Array<Segment[K][number]>;
    if (list === NONE) (this.seg[key] as Array<Segment[K][number]>) = [item];
    else list.push(item);
  }

  private range(span: Span): SourceRange {
    return this.absoluteRange(this.base + span.start, this.base + span.end);
  }

  /** A range from offsets relative to the statement. */
  private rangeAt(start: number, end: number): SourceRange {
    return this.absoluteRange(this.base + start, this.base + end);
  }

  private absoluteRange(start: number, end: number): SourceRange {
    return { startOffset: start, endOffset: end };
  }

  private report(severity: ProblemSeverity, start: number, end: number, message: string, code: string, related?: ClickProblem['related']): void {
    this.add('problems', { severity, message, code, range: this.rangeAt(start, end), related });
  }

  private fold(start: number, end: number, kind: ClickFoldingRange['kind']): void {
    const a = this.base + start;
    const b = this.base + end;
    const nl = this.text.indexOf('\n', a);
    if (nl >= 0 && nl < b) this.add('folds', { range: this.absoluteRange(a, b), kind });
  }

  private newScope(kind: ClickScope['kind'], name: string | null, overload: number, parent: ScopeState, span: Span): ScopeState {
    const id = this.scopeCount++;
    this.add('scopes', { id, kind, name, overload, parentId: parent.id, range: this.range(span) });
    return newScopeState(id, name, overload, parent, true);
  }

  private findClass(scope: ScopeState | undefined, name: string): number | undefined {
    for (let s = scope; s; s = s.parent) {
      const found = s.classes.get(name);
      if (found !== undefined) return found;
    }
    return undefined;
  }

  private classReference(token: Token, scope: ScopeState): void {
    const target = this.findClass(scope, token.text);
    if (target === undefined) return;
    this.seg.references.push(reference(token.text, scope, this.range(token), false, 'class', target));
    // Click defines a class only once its body is read, so a use inside its own body (or inside a
    // class nested in it) cannot be that class: it is recursion, which Click rejects.
    const open = this.classesBeingLinked.indexOf(target);
    if (open >= 0) {
      const names = this.classesBeingLinked
        .slice(open)
        .map((i) => this.classNames.get(i))
        .concat(token.text);
      this.report(
        'error',
        token.start,
        token.end,
        `elementclass \`${token.text}\` uses itself${names.length > 2 ? ` (${names.join(' → ')})` : ''}: Click does not allow a recursive elementclass, and FlowMage does not expand this use`,
        'recursive-elementclass',
      );
    }
  }

  /** Indexes of the element classes whose bodies are being linked, outermost first. */
  private readonly classesBeingLinked: number[] = [];
  private readonly classNames = new Map<number, string>();

  /** Click's name for the next anonymous element of `className` in this scope. */
  private anonymousName(scope: ScopeState, className: string): string {
    let n = scope.slots + 1;
    let name = `${className}@${n}`;
    while (scope.declaredNames.has(name) || scope.takenNames.has(name)) {
      name = `${className}@${++n}`;
      // Renumbering depends on names elsewhere in the file: edits then relink everything.
      this.seg.crossLinked = true;
    }
    scope.takenNames.add(name);
    return name;
  }

  // ---- statements -----------------------------------------------------------------------------

  private statements(statements: readonly SynStatement[], scope: ScopeState): void {
    for (const s of statements) {
      switch (s.kind) {
        case 'chain':
          this.chain(s, scope);
          break;
        case 'elementclass':
          this.elementClass(s, scope);
          break;
        case 'require':
        case 'provide':
        case 'define':
          this.directive(s, scope);
          break;
        case 'semicolon':
          break;
      }
    }
  }

  private directive(s: SynDirective, scope: ScopeState): void {
    const config = s.config ? this.config(s.config, scope) : undefined;
    if (s.kind !== 'define') {
      this.add('requires', { text: config?.text ?? '', args: config?.args ?? [], range: this.range(s), kind: s.kind });
      return;
    }
    for (const arg of config?.args ?? []) {
      const whole = this.text.slice(arg.range.startOffset, arg.range.endOffset);
      const parts = splitDefine(whole);
      const at = arg.range.startOffset - this.base;
      if (!parts.name) {
        this.report(
          'error',
          at + parts.nameStart,
          at + parts.nameEnd,
          `\`define\` expects \`$name value\`, and \`${whole.slice(0, parts.nameEnd)}\` is not a \`$variable\``,
          'bad-define',
        );
        continue;
      }
      scope.defines.set(parts.name, parts.value);
      if (scope === this.file) this.signatureParts.push(`define ${parts.name}=${parts.value}`);
      this.add('defines', {
        name: parts.name,
        value: parts.value,
        range: arg.range,
        nameRange: this.rangeAt(at + parts.nameStart, at + parts.nameEnd),
        valueRange: this.rangeAt(at + parts.valueStart, at + parts.valueEnd),
        scopeId: scope.id,
      });
    }
  }

  private elementClass(s: SynElementClass, scope: ScopeState): void {
    if (!s.name) return;
    const name = s.name.text;
    const previous = this.findClass(scope, name);
    const index = this.classCount++;
    const cls: ClickElementClass = {
      name,
      nameRange: this.range(s.name),
      range: this.range(s),
      scope: scope.name,
      overloads: [],
      extendsPrevious: !!s.compound?.extension,
      synonymOf: s.synonym?.text,
      scopeId: scope.id,
    };
    this.add('elementClasses', cls);
    this.seg.references.push(reference(name, scope, cls.nameRange, true, 'class', index));
    if (s.synonym) this.classReference(s.synonym, scope);
    if (s.compound?.extension && previous === undefined) {
      this.report('error', s.name.start, s.name.end, `\`|| ...\` extends an earlier \`elementclass ${name}\`, and there is none`, 'unknown-elementclass');
    }
    // Click defines a class once its body is read: inside the body the name still means an earlier
    // class of that name. With none, it means this class, so that a use there is reported as recursion.
    if (previous === undefined) scope.classes.set(name, index);
    if (scope === this.file) {
      this.fileClasses.push({ name, index, key: this.key(s.start) });
      this.signatureParts.push(`class ${name}`);
    }
    this.classNames.set(index, name);
    this.classesBeingLinked.push(index);
    s.compound?.bodies.forEach((body, overload) => {
      const inner = this.compoundBody(body, name, overload, scope, 'elementclass');
      cls.overloads.push({
        formals: body.formals.map((f) => ({ name: f.variable.text.slice(1), keyword: f.keyword?.text, rest: f.keyword?.text === '__REST__', range: this.range(f) })),
        range: this.range(body),
        scopeId: inner,
      });
    });
    this.classesBeingLinked.pop();
    scope.classes.set(name, index);
  }

  /** Links one overload of a compound in a new scope; returns the scope id. */
  private compoundBody(body: SynCompoundBody, name: string, overload: number, parent: ScopeState, kind: ClickScope['kind']): number {
    const scope = this.newScope(kind, name, overload, parent, body);
    for (const f of body.formals) scope.formals.add(f.variable.text.slice(1));
    collectDeclarations(body.statements, scope.declaredNames, this.key(0));
    const savedGroups = this.groupStack;
    this.groupStack = [];
    this.statements(body.statements, scope);
    this.groupStack = savedGroups;
    return scope.id;
  }

  // ---- chains and elements --------------------------------------------------------------------

  private chain(s: SynChain, scope: ScopeState): void {
    const sides: Array<Side | undefined> = [];
    const connectors: Array<{ text: string; span: Span }> = [];
    let pendingPort: SynPort | undefined;
    let expectSide = true;
    const spread = isSharedDeclaration(s);

    for (const item of s.items) {
      if (item.kind === 'connector') {
        if (expectSide) sides.push(this.implicitSide(scope, 'input', pendingPort, item));
        pendingPort = undefined;
        connectors.push({ text: item.text, span: item });
        expectSide = true;
      } else if (item.kind === 'port') {
        pendingPort = item.port;
      } else {
        sides.push({ endpoints: this.set(item, scope, spread) });
        expectSide = false;
      }
    }
    if (expectSide && connectors.length) {
      const last = connectors[connectors.length - 1];
      sides.push(this.implicitSide(scope, 'output', pendingPort, { start: last.span.end, end: last.span.end }));
    }

    // Ports that connect to nothing, as Click warns.
    const first = sides[0];
    const last = sides[sides.length - 1];
    for (const e of first?.endpoints ?? []) {
      const r = e.inPorts.range;
      if (r && !e.endpoint.implicit)
        this.report('warning', r.startOffset - this.base, r.endOffset - this.base, 'this input port is ignored: nothing connects into the start of the chain', 'ignored-port');
    }
    for (const e of last?.endpoints ?? []) {
      const r = e.outPorts.range;
      if (r && !e.endpoint.implicit) this.report('warning', r.startOffset - this.base, r.endOffset - this.base, 'this output port is ignored: the chain ends here', 'ignored-port');
    }

    for (let i = 0; i < connectors.length; i++) {
      const left = sides[i];
      const right = sides[i + 1];
      if (!left || !right || !left.endpoints.length || !right.endpoints.length) continue;
      this.connect(left, right, connectors[i], scope);
    }
  }

  private implicitSide(scope: ScopeState, which: 'input' | 'output', port: SynPort | undefined, at: Span): Side | undefined {
    if (!scope.hasPorts && this.groupStack.length === 0) return undefined; // the grammar already reported it
    const spec = port ? this.portSpec(port) : NO_PORTS;
    const portRange = port ? this.range(port) : undefined;
    return {
      endpoints: [
        {
          endpoint: endpointBase(which, which, this.range(at), true, this.groupStack[0]),
          inSpec: which === 'output' ? spec : NO_PORTS,
          outSpec: which === 'input' ? spec : NO_PORTS,
          inPorts: which === 'output' ? { range: portRange, ports: spec.ports } : { ports: [] },
          outPorts: which === 'input' ? { range: portRange, ports: spec.ports } : { ports: [] },
        },
      ],
    };
  }

  private portSpec(port: SynPort): PortSpec {
    const problems: PortNumberProblem[] = [];
    const spec = readPortSpec(port, problems);
    for (const p of problems) this.report('error', p.token.start, p.token.end, p.message, 'bad-port');
    return spec;
  }

  /** Creates or resolves the elements of one set, in Click's order: groups first, then the rest. */
  private set(set: SynSet, scope: ScopeState, spread: boolean): EndpointDraft[] {
    let groupNames: Map<SynElement, string> | undefined;
    for (const e of set.elements) {
      if (e.body.kind !== 'group') continue;
      groupNames ??= new Map();
      const name = `@${scope.slots + 1}`;
      scope.slots += 3; // the group and its input and output tunnels
      groupNames.set(e, name);
      this.add('groups', { name, scopeId: scope.id, range: this.range(e.body.span), parent: this.groupStack[0] });
      this.groupStack = [name, ...this.groupStack];
      this.statements(e.body.statements, scope);
      this.groupStack = this.groupStack.slice(1);
    }
    const sharedWith = spread ? set.elements[set.elements.length - 1] : undefined;
    const out: EndpointDraft[] = [];
    for (const e of set.elements) {
      const endpoint = this.element(e, scope, groupNames?.get(e), sharedWith && e !== sharedWith ? sharedWith : undefined);
      if (!endpoint) continue;
      const inSpec = e.inputPort ? this.portSpec(e.inputPort) : NO_PORTS;
      const outSpec = e.outputPort ? this.portSpec(e.outputPort) : NO_PORTS;
      out.push({
        endpoint,
        inSpec,
        outSpec,
        inPorts: { range: e.inputPort ? this.range(e.inputPort) : undefined, ports: inSpec.ports },
        outPorts: { range: e.outputPort ? this.range(e.outputPort) : undefined, ports: outSpec.ports },
      });
    }
    return out;
  }

  /** One written element: declares, names or resolves it, and returns how connections see it. */
  private element(e: SynElement, scope: ScopeState, groupName: string | undefined, sharedWith: SynElement | undefined): EndpointBase | undefined {
    const body = e.body;
    const range = this.range(body.span);
    switch (body.kind) {
      case 'group':
        return endpointBase(groupName ?? '@?', 'group', range, false);
      case 'declaration': {
        const name = body.name.text;
        if (!name) return undefined;
        if (body.className) this.classReference(body.className, scope);
        const config = body.config ? this.config(body.config, scope) : undefined;
        const classRange = this.range(body.className ?? body.compound ?? body.name);
        const index = this.declare(scope, body.name, body.className?.text ?? '', 'declaration', range, classRange, config, undefined);
        if (body.compound) this.inlineCompound(body.compound, inlineScopeName(scope.name, name), scope);
        return endpointBase(name, index === undefined ? 'undeclared' : 'element', range, false);
      }
      case 'instance': {
        const className = body.className?.text ?? '';
        // `a(cfg)` where `a` is an element: Click ignores the configuration.
        if (body.className && scope.declaredNames.has(className)) {
          this.report('warning', body.config.start, body.config.end, `\`${className}\` is an element, not a class, so this configuration string is ignored`, 'config-on-reference');
          return this.reference(body.className, scope, range);
        }
        if (body.className) this.classReference(body.className, scope);
        const config = this.config(body.config, scope);
        const name = this.anonymousName(scope, className);
        const classRange = this.range(body.className ?? body.compound ?? body.span);
        this.create(scope, name, className, body.compound ? 'compound' : 'anonymous', range, classRange, config, undefined, undefined);
        if (body.compound) this.inlineCompound(body.compound, inlineScopeName(scope.name, name), scope);
        return endpointBase(name, 'element', range, false);
      }
      case 'compound': {
        const name = this.anonymousName(scope, '');
        this.create(scope, name, '', 'compound', range, range, undefined, undefined, undefined);
        this.inlineCompound(body.compound, inlineScopeName(scope.name, name), scope);
        return endpointBase(name, 'element', range, false);
      }
      case 'ref': {
        const name = body.name.text;
        if (!name) return undefined;
        if (sharedWith && sharedWith.body.kind === 'declaration') {
          const last = sharedWith.body;
          const config = last.config ? this.config(last.config, scope) : undefined;
          const classRange = this.range(last.className ?? last.compound ?? last.name);
          const index = this.declare(scope, body.name, last.className?.text ?? '', 'shared-declaration', range, classRange, config, last.name.text);
          return endpointBase(name, index === undefined ? 'undeclared' : 'element', range, false);
        }
        return this.reference(body.name, scope, range);
      }
    }
  }

  private inlineCompound(compound: SynCompound, name: string, scope: ScopeState): void {
    compound.bodies.forEach((body, overload) => this.compoundBody(body, name, overload, scope, 'compound'));
  }

  /**
   * A bare name: `input`/`output`, a declared element, an anonymous element of a class, or undeclared.
   * `range` is the element as written, which for a bare name is the name itself.
   */
  private reference(token: Token, scope: ScopeState, range: SourceRange): EndpointBase {
    const tokenRange = range.startOffset === this.base + token.start && range.endOffset === this.base + token.end ? range : this.range(token);
    const name = token.text;
    if ((name === 'input' || name === 'output') && (scope.hasPorts || this.groupStack.length)) {
      return endpointBase(name, name, range, false, this.groupStack[0]);
    }
    const declaredAt = scope.declaredNames.get(name);
    if (declaredAt !== undefined) {
      if (declaredAt > this.key(token.start)) {
        this.report('error', token.start, token.end, `\`${name}\` is used before its declaration: Click needs the declaration first`, 'used-before-declaration');
      }
      const target = scope.declarations.get(name);
      const ref = reference(name, scope, tokenRange, false, 'element', target);
      if (target === undefined) {
        // Declared later in the scope: its declaration fills the target in.
        const key = `${scope.id}\u0000${name}`;
        const list = this.forward.get(key) ?? [];
        list.push(ref);
        this.forward.set(key, list);
      }
      this.seg.references.push(ref);
      return endpointBase(name, 'element', range, false);
    }
    if (UPPER.test(name) || this.findClass(scope, name) !== undefined) {
      this.classReference(token, scope);
      const anon = this.anonymousName(scope, name);
      this.create(scope, anon, name, 'anonymous', range, tokenRange, undefined, undefined, undefined);
      return endpointBase(anon, 'element', range, false);
    }
    scope.slots++; // Click still creates an element for it
    if (scope === this.file) this.signatureParts.push('?');
    this.report(
      'error',
      token.start,
      token.end,
      `\`${name}\` is not declared${scope.name ? ` in elementclass \`${scope.name}\`` : ''}: declare it with \`${name} :: Class\` before using it`,
      'undeclared-element',
    );
    this.seg.references.push(reference(name, scope, tokenRange, false, 'element', undefined));
    return endpointBase(name, 'undeclared', range, false);
  }

  private declare(
    scope: ScopeState,
    token: Token,
    className: string,
    form: ClickElement['form'],
    declarationRange: SourceRange,
    classRange: SourceRange,
    config: ClickConfig | undefined,
    sharedWith: string | undefined,
  ): number | undefined {
    const name = token.text;
    const nameRange = this.range(token);
    if ((name === 'input' || name === 'output') && (scope.hasPorts || this.groupStack.length)) {
      const owner = this.groupStack.length ? 'group' : 'elementclass';
      this.report('error', token.start, token.end, `\`${name}\` is the ${name} of this ${owner} and cannot be declared as an element`, 'duplicate-declaration');
      return undefined;
    }
    const first = scope.declaredNames.get(name);
    if (first !== undefined && first < this.key(token.start)) {
      const target = scope.declarations.get(name);
      const firstElement = target !== undefined ? this.elementAt(target) : undefined;
      const firstRange = firstElement ? (firstElement.nameRange ?? firstElement.declarationRange) : undefined;
      const related = firstRange ? [{ message: `first declaration of \`${name}\``, range: firstRange }] : undefined;
      // The related range belongs to another declaration: edits then relink everything.
      this.seg.crossLinked = true;
      this.report(
        'error',
        token.start,
        token.end,
        `\`${name}\` is already declared${firstRange ? ` at ${this.lineColumn(firstRange.startOffset)}` : ''}`,
        'duplicate-declaration',
        related,
      );
      this.seg.references.push(reference(name, scope, nameRange, true, 'element', target));
      return target;
    }
    if (ALL_DIGITS_COMPONENT.test(name)) {
      this.report('error', token.start, token.end, `element name \`${name}\` has a part made only of digits, which Click does not allow`, 'bad-name');
    }
    const index = this.create(scope, name, className, form, declarationRange, classRange, config, nameRange, sharedWith);
    if (scope === this.file) this.signatureParts.push(name);
    scope.declarations.set(name, index);
    this.seg.references.push(reference(name, scope, nameRange, true, 'element', index));
    const key = `${scope.id}\u0000${name}`;
    for (const ref of this.forward.get(key) ?? []) ref.target = index;
    this.forward.delete(key);
    return index;
  }

  /** `line:column`, 1-based, as a message shows a place. */
  private lineColumn(offset: number): string {
    const p = this.lines.position(offset);
    return `${p.line + 1}:${p.character + 1}`;
  }

  /** Elements of earlier statements are only reachable through the model being built. */
  private readonly elementsSoFar: ClickElement[] = [];
  private elementAt(index: number): ClickElement | undefined {
    return this.elementsSoFar[index];
  }

  /** Adds an element; every element object has the same shape (absent fields are undefined). */
  private create(
    scope: ScopeState,
    name: string,
    className: string,
    form: ClickElement['form'],
    declarationRange: SourceRange,
    classRange: SourceRange,
    config: ClickConfig | undefined,
    nameRange: SourceRange | undefined,
    sharedWith: string | undefined,
  ): number {
    scope.slots++;
    if (scope === this.file && nameRange === undefined) this.signatureParts.push('@');
    const element: ClickElement = {
      name,
      className,
      anonymous: nameRange === undefined,
      scope: scope.name,
      overload: scope.overload,
      declarationRange,
      nameRange,
      classRange,
      config,
      scopeId: scope.id,
      form,
      sharedWith,
    };
    this.seg.elements.push(element);
    this.elementsSoFar[this.elementCount] = element;
    return this.elementCount++;
  }

  private connect(left: Side, right: Side, connector: { text: string; span: Span }, scope: ScopeState): void {
    const op: ConnectionOperator = connector.text === '->' ? '->' : connector.text === '=>' ? '=>' : '~>';
    const contextName = op === '~>' && connector.text.length > 2 ? connector.text.slice(1, -1) : undefined;
    const result = connectSets(
      left.endpoints.map((e) => e.outSpec),
      right.endpoints.map((e) => e.inSpec),
      op === '=>',
    );
    for (const message of result.problems) this.report('error', connector.span.start, connector.span.end, message, 'connection-mismatch');
    const operatorRange = this.range(connector.span);
    for (const h of result.hookups) {
      const from = left.endpoints[h.from];
      const to = right.endpoints[h.to];
      const fromEndpoint = endpointWithPort(from.endpoint, from.outPorts, h.fromPort);
      const toEndpoint = endpointWithPort(to.endpoint, to.inPorts, h.toPort);
      const start = from.endpoint.implicit ? operatorRange.startOffset : Math.min(fromEndpoint.range.startOffset, operatorRange.startOffset);
      const end = to.endpoint.implicit ? operatorRange.endOffset : Math.max(toEndpoint.range.endOffset, toEndpoint.portRange?.endOffset ?? 0, operatorRange.endOffset);
      this.seg.connections.push({
        from: fromEndpoint,
        to: toEndpoint,
        operator: op,
        contextName,
        scope: scope.name,
        overload: scope.overload,
        range: this.absoluteRange(start, end),
        scopeId: scope.id,
        operatorRange,
      });
    }
  }

  // ---- configuration strings ------------------------------------------------------------------

  private config(c: SynConfig, scope: ScopeState): ClickConfig {
    const innerStart = c.open + 1;
    const innerEnd = c.close ?? c.end;
    const args: ClickArg[] = [];
    for (const a of c.args) {
      const value = a.value.text;
      const variables: ClickArg['variables'] =
        value.indexOf('$') < 0
          ? NO_VARIABLES
          : findVariables(value).map((v) => ({ name: v.name, defaultValue: v.defaultValue, range: this.rangeAt(a.value.start + v.start, a.value.start + v.end) }));
      const valueRange = this.range(a.value);
      const arg: ClickArg = {
        index: a.index,
        keyword: a.keyword?.text,
        keywordRange: a.keyword ? this.range(a.keyword) : undefined,
        value,
        valueRange,
        // Without a keyword the argument is its value: one range object serves both.
        range: a.keyword ? this.rangeAt(a.keyword.start, a.value.end) : valueRange,
        variables,
        expandedValue: undefined,
      };
      if (variables.length) this.pendingArgs.push({ arg, scope });
      args.push(arg);
    }
    const config: ClickConfig = {
      text: this.text.slice(this.base + innerStart, this.base + innerEnd),
      range: this.rangeAt(innerStart, innerEnd),
      openParenOffset: this.base + c.open,
      closeParenOffset: c.close === undefined ? undefined : this.base + c.close,
      args,
    };
    return config;
  }

  /** Variables are expanded once every `define` is known, as Click does when it builds the router. */
  private expandPendingArgs(): void {
    for (const { arg, scope } of this.pendingArgs) {
      const lookup = (name: string): string | undefined => {
        for (let s: ScopeState | undefined = scope; s; s = s.parent) {
          if (s.formals.has(name)) return undefined;
          const v = s.defines.get(name);
          if (v !== undefined) return v;
        }
        return undefined;
      };
      const expanded = expandVariables(arg.value, lookup);
      if (expanded !== arg.value) arg.expandedValue = expanded;
    }
    this.pendingArgs = [];
  }
}

function newScopeState(id: number, name: string | null, overload: number, parent: ScopeState | undefined, hasPorts: boolean): ScopeState {
  return {
    id,
    name,
    overload,
    parent,
    hasPorts,
    declaredNames: new Map(),
    declarations: new Map(),
    slots: 0,
    classes: new Map(),
    formals: new Set(),
    defines: new Map(),
    takenNames: new Set(),
  };
}

function reference(name: string, scope: ScopeState, range: SourceRange, isDeclaration: boolean, kind: ClickReference['kind'], target: number | undefined): ClickReference {
  return { name, scope: scope.name, range, isDeclaration, kind, scopeId: scope.id, target };
}

function endpointBase(element: string, kind: ClickEndpoint['kind'], range: SourceRange, implicit: boolean, group?: string): EndpointBase {
  return { element, kind, range, implicit, group };
}

function endpointWithPort(base: EndpointBase, side: { range?: SourceRange; ports: number[] }, port: number): ClickEndpoint {
  return {
    element: base.element,
    ports: side.ports,
    range: base.range,
    portRange: side.range,
    port,
    kind: base.kind,
    group: base.group,
    implicit: base.implicit,
  };
}

/** `a, b :: C` declares `a` with `b`'s class and configuration (only in a statement of its own). */
function isSharedDeclaration(s: SynChain): boolean {
  if (s.items.length !== 1 || s.items[0].kind !== 'set') return false;
  const elements = s.items[0].elements;
  if (elements.length < 2) return false;
  const last = elements[elements.length - 1];
  if (last.body.kind !== 'declaration' || last.inputPort || last.outputPort) return false;
  for (let i = 0; i < elements.length - 1; i++) {
    const e = elements[i];
    if (e.body.kind !== 'ref' || e.inputPort || e.outputPort) return false;
  }
  return true;
}

/**
 * Names declared in a list of statements of one scope (groups included, compound bodies not), with
 * the place of their first declaration (`keyBase` plus the offset in the statement).
 */
function collectDeclarations(statements: readonly SynStatement[], into: Map<string, number>, keyBase: number): void {
  for (const s of statements) {
    if (s.kind !== 'chain') continue;
    const spread = isSharedDeclaration(s);
    for (const item of s.items) {
      if (item.kind !== 'set') continue;
      for (const e of item.elements) {
        const body = e.body;
        if (body.kind === 'declaration' || (spread && body.kind === 'ref')) {
          const name = body.name.text;
          if (name && !into.has(name)) into.set(name, keyBase + body.name.start);
        } else if (body.kind === 'group') collectDeclarations(body.statements, into, keyBase);
      }
    }
  }
}
