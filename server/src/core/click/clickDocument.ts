// One .click text, its tree-sitter tree and its ConfigModel, kept up to date incrementally.
//
// Every update goes through setText (the language server calls it with the editor's new text; the
// benchmark measures it): the differing middle of the old and new text becomes one tree edit, and
// the text is re-parsed with the old tree. Only the top-level statements around the edit are read
// again; when what the rest of the file sees of them is unchanged (same declared names, element
// counts, classes and defines), only they are linked again and the statements after them are copied
// with their offsets moved. Otherwise the whole file is linked again from the statements' syntax,
// which is still cheaper than reading the tree.
//
// Models are immutable: an update returns a new model and never changes one already returned, so
// whoever holds an older model can keep using it with its own `text`. Objects of statements before
// the edit are shared between versions; those after it are new copies.
import type { Tree, Node, Edit, Point } from 'web-tree-sitter';
import { LineIndex, type Position } from '../text';
import { rememberLineIndex } from './modelLines';
import { createParser, type RecoveringParser } from '../treeSitter';
import type { ConfigModel } from './model';
import type { TopLevelFragment } from './syntax';
import { readTopLevel } from './readSyntax';
import { fastReadTopLevel, FastReadError } from './fastReader';
import { linkAll, modelFromSegments, relinkSegment, shiftedSegment, type LinkContext, type Segment } from './assemble';

/** An edit as LSP sends it: replace `range` (positions in the text before this edit) by `text`. */
export interface ClickTextChange {
  range: { start: Position; end: Position };
  text: string;
}

/** How the last update was done, for tests and benchmarks. */
export type UpdateKind = 'full' | 'relinked-all' | 'relinked-statement' | 'unchanged';

interface SingleEdit {
  start: number;
  oldEnd: number;
  newEnd: number;
}

export class ClickDocument {
  private tree: Tree;
  private lines: LineIndex;
  private fragments: TopLevelFragment[];
  private segments: Segment[];
  private context: LinkContext;
  private currentModel: ConfigModel;
  private version = 0;
  /** How the last update was done. */
  lastUpdate: UpdateKind = 'full';

  private constructor(
    private readonly parser: RecoveringParser,
    private currentText: string,
  ) {
    this.lines = new LineIndex(currentText);
    this.tree = this.parse(currentText, undefined);
    this.fragments = readAllFragments(this.tree, currentText, new Map());
    const linked = linkAll(currentText, this.fragments, this.lines);
    this.segments = linked.segments;
    this.context = linked.context;
    this.currentModel = rememberLineIndex(linked.model, this.lines);
  }

  static async create(text: string): Promise<ClickDocument> {
    return new ClickDocument(await createParser('click'), text);
  }

  get text(): string {
    return this.currentText;
  }

  get model(): ConfigModel {
    return this.currentModel;
  }

  /** Increases with every update that changed the text. */
  get modelVersion(): number {
    return this.version;
  }

  /** The syntax tree, for tests and tools; it is replaced (and the old one deleted) on every update. */
  get syntaxTree(): Tree {
    return this.tree;
  }

  /**
   * Applies LSP-style changes in order (each range is in the text left by the previous one): a
   * convenience over setText, which does the update.
   */
  applyChanges(changes: readonly ClickTextChange[]): ConfigModel {
    let text = this.currentText;
    let lines = this.lines;
    for (const change of changes) {
      const start = lines.offset(change.range.start);
      const oldEnd = Math.max(start, lines.offset(change.range.end));
      text = text.slice(0, start) + change.text + text.slice(oldEnd);
      if (changes.length > 1) lines = new LineIndex(text);
    }
    return this.setText(text);
  }

  /**
   * Brings the document to `text` and returns its model: the one update path, taken by the
   * language server on every change. The old tree still helps when most of the text is the same.
   */
  setText(text: string): ConfigModel {
    if (text === this.currentText) {
      this.lastUpdate = 'unchanged';
      return this.currentModel;
    }
    // Describe the replacement as one edit of the differing middle, so the old tree stays useful.
    const old = this.currentText;
    const prefix = commonPrefix(old, text);
    const suffix = commonSuffix(old, text, Math.min(old.length, text.length) - prefix);
    const oldEnd = old.length - suffix;
    const newEnd = text.length - suffix;
    const newLines = this.lines.edited(text, prefix, oldEnd, newEnd);
    this.tree.edit(makeEdit(this.lines, newLines, prefix, oldEnd, newEnd));
    return this.reparse(text, newLines, { start: prefix, oldEnd, newEnd });
  }

  dispose(): void {
    this.tree.delete();
    this.parser.delete();
  }

  private reparse(text: string, lines: LineIndex, edit: SingleEdit | undefined): ConfigModel {
    const oldTree = this.tree;
    const newTree = this.parse(text, oldTree);
    const local = edit ? this.localUpdate(oldTree, newTree, text, lines, edit) : false;
    oldTree.delete();
    this.tree = newTree;
    this.currentText = text;
    this.lines = lines;
    this.version++;
    if (!local) {
      const reusable: Reusable = new Map();
      for (const f of this.fragments) {
        if (f.hasError) continue;
        const key = f.type + '\u0000' + f.text;
        const list = reusable.get(key);
        if (list) list.push(f);
        else reusable.set(key, [f]);
      }
      this.fragments = readAllFragments(newTree, text, reusable);
      this.linkEverything();
      this.lastUpdate = 'full';
    }
    return this.currentModel;
  }

  private linkEverything(): void {
    const linked = linkAll(this.currentText, this.fragments, this.lines);
    this.segments = linked.segments;
    this.context = linked.context;
    this.currentModel = rememberLineIndex(linked.model, this.lines);
  }

  /**
   * Updates only the statements around one edit. Returns false when the edit cannot be localised
   * (the caller then reads every statement again).
   */
  private localUpdate(oldTree: Tree, newTree: Tree, text: string, lines: LineIndex, edit: SingleEdit): boolean {
    const root = newTree.rootNode;
    if (root.type === 'ERROR' || oldTree.rootNode.type === 'ERROR') return false;
    const delta = edit.newEnd - edit.oldEnd;
    let regionStart = edit.start;
    let regionEnd = edit.newEnd;
    for (const r of oldTree.getChangedRanges(newTree)) {
      regionStart = Math.min(regionStart, r.startIndex);
      regionEnd = Math.max(regionEnd, r.endIndex);
    }

    // The new top-level nodes that touch the region.
    const middle: Node[] = [];
    let child = regionStart > 0 ? root.firstChildForIndex(regionStart - 1) : root.firstChild;
    const before = child ? child.previousSibling : root.lastChild;
    while (child && child.startIndex <= regionEnd) {
      middle.push(child);
      child = child.nextSibling;
    }
    const after = child;

    // The old statements they replace: everything between the unchanged neighbours.
    const old = this.fragments;
    let first = 0;
    if (before) {
      first = indexOfStart(old, before.startIndex);
      if (first < 0 || old[first].length !== before.endIndex - before.startIndex) return false;
      first++;
    }
    let last = old.length;
    if (after) {
      last = indexOfStart(old, after.startIndex - delta);
      if (last < 0 || old[last].length !== after.endIndex - after.startIndex) return false;
    }
    if (last < first) return false;

    const fresh = middle.map((n) => readFragment(n, text));
    const suffix = delta === 0 ? old.slice(last) : old.slice(last).map((f) => ({ ...f, start: f.start + delta }));
    this.fragments = [...old.slice(0, first), ...fresh, ...suffix];

    // Link only the new statements if what the others see of them did not change.
    const oldSegments = this.segments;
    let relinked: Segment[] | undefined;
    if (fresh.length === last - first && !oldSegments.some((s) => s.crossLinked)) {
      relinked = [];
      for (let i = 0; i < fresh.length && relinked; i++) {
        const segment = relinkSegment(text, lines, fresh[i], first + i, oldSegments[first + i], this.context);
        if (segment) relinked.push(segment);
        else relinked = undefined;
      }
    }
    this.currentText = text;
    this.lines = lines;
    if (!relinked) {
      this.linkEverything();
      this.lastUpdate = 'relinked-all';
      return true;
    }
    const moved: Segment[] = [];
    for (let i = last; i < oldSegments.length; i++) {
      const fragment = this.fragments[first + fresh.length + (i - last)];
      moved.push(shiftedSegment(oldSegments[i], fragment, delta));
    }
    this.segments = [...oldSegments.slice(0, first), ...relinked, ...moved];
    this.currentModel = rememberLineIndex(modelFromSegments(text, lines, this.segments), lines);
    this.lastUpdate = 'relinked-statement';
    return true;
  }

  private parse(text: string, oldTree: Tree | undefined): Tree {
    const tree = this.parser.parse(text, oldTree ?? null);
    if (!tree) throw new Error('tree-sitter-click returned no tree');
    return tree;
  }
}

/** Parses a whole text once and returns its model. */
export async function parseClick(text: string): Promise<ConfigModel> {
  const doc = await ClickDocument.create(text);
  try {
    return doc.model;
  } finally {
    doc.dispose();
  }
}

/** Fragments of the previous version by type and exact text. */
type Reusable = Map<string, TopLevelFragment[]>;

function readAllFragments(tree: Tree, text: string, reusable: Reusable): TopLevelFragment[] {
  const root = tree.rootNode;
  // A file that failed as a whole comes back as one ERROR node: read what can be read inside it.
  if (root.type === 'ERROR') return [readTopLevel(root, text)];
  const out: TopLevelFragment[] = [];
  // One call answers for every child of a file without errors.
  const anyError = root.hasError;
  for (const child of root.children) {
    if (!child) continue;
    const start = child.startIndex;
    const old = reusable.size ? reusable.get(child.type + '\u0000' + text.slice(start, child.endIndex))?.pop() : undefined;
    if (old && !(anyError && child.hasError)) out.push(old.start === start ? old : { ...old, start });
    else out.push(readFragment(child, text, anyError));
  }
  return out;
}

/** Reads one top-level node: from its text when it has no error, from the tree otherwise. */
function readFragment(node: Node, text: string, mayHaveError = true): TopLevelFragment {
  const type = node.type;
  if (!(mayHaveError && node.hasError) && type !== 'ERROR' && type !== 'comment' && type !== 'line_directive') {
    try {
      return fastReadTopLevel(text, node.startIndex, node.endIndex, type);
    } catch (err) {
      if (!(err instanceof FastReadError)) throw err;
    }
  }
  return readTopLevel(node, text);
}

/** Texts are compared by slices (string equality is a native compare; a charCodeAt loop is several times slower) down to this length. */
const BLOCK = 64;

/** Length of the common start of two texts: a binary search on equal prefixes, then by character. */
function commonPrefix(a: string, b: string): number {
  let lo = 0;
  let hi = Math.min(a.length, b.length);
  while (hi - lo > BLOCK) {
    const mid = (lo + hi) >> 1;
    if (a.slice(lo, mid) === b.slice(lo, mid)) lo = mid;
    else hi = mid;
  }
  while (lo < hi && a.charCodeAt(lo) === b.charCodeAt(lo)) lo++;
  return lo;
}

/** Length of the common end of two texts, at most `max`. */
function commonSuffix(a: string, b: string, max: number): number {
  let lo = 0;
  let hi = max;
  while (hi - lo > BLOCK) {
    const mid = (lo + hi) >> 1;
    if (a.slice(a.length - mid, a.length - lo) === b.slice(b.length - mid, b.length - lo)) lo = mid;
    else hi = mid;
  }
  while (lo < hi && a.charCodeAt(a.length - 1 - lo) === b.charCodeAt(b.length - 1 - lo)) lo++;
  return lo;
}

/** Index of the fragment that starts at `offset`, or -1 (fragments are sorted by start). */
function indexOfStart(fragments: readonly TopLevelFragment[], offset: number): number {
  let lo = 0;
  let hi = fragments.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const s = fragments[mid].start;
    if (s === offset) return mid;
    if (s < offset) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}

function makeEdit(before: LineIndex, after: LineIndex, startIndex: number, oldEndIndex: number, newEndIndex: number): Edit {
  const point = (p: Position): Point => ({ row: p.line, column: p.character });
  return {
    startIndex,
    oldEndIndex,
    newEndIndex,
    startPosition: point(before.position(startIndex)),
    oldEndPosition: point(before.position(oldEndIndex)),
    newEndPosition: point(after.position(newEndIndex)),
  };
}
