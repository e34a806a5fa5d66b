// Deterministic feature extraction for one element (docs/ARCHITECTURE.md §2): runs the interpreter over the
// element's scope and turns the facts into the four features, the state objects, evidence for
// every conclusion, a confidence and what the code does not decide. When unsure the key is made
// narrower, never wider: a superset key can break the NF (paper §5).
import type { ElementIndex, ElementInfo } from '../cpp/elementIndex';
import { collectScope, FRAMEWORK_CLASSES, isBuiltinType, PER_FLOW_METHODS, PER_PACKET_METHODS, stripType, type ElementScope, type StateTypeRef } from '../cpp/scope';
import { hasBody } from '../cpp/deferredBodies';
import { stringLiteralValue } from '../cpp/macros';
import { FLOW_STORAGE, FlowStateInterpreter, type Facts, type ObjectFacts, type Origin } from './dataflow';
import { EvidenceContext } from './evidence';
import {
  FEATURE_NAMES,
  FLOW_FIELDS,
  formatKey,
  isOtherKeyField,
  normalizeKey,
  normalizeOtherKey,
  type Confidence,
  type ElementFeatures,
  type Evidence,
  type FlowField,
  type Intensity,
  type OtherKeyField,
  type StateObject,
} from './features';
import { BUILTIN_SESSION_RULES, parseSessionRule, PROTOCOL_CONTEXTS } from './headerFields';
import { pointerVerdict, recordPointers, type PointerVerdict } from './pointers';

/** Bump when the analysis changes what it concludes: stored static results are then recomputed. */
export const ANALYZER_VERSION = 3;

type UnknownFeature = ElementFeatures['unknown'][number];

export interface ElementAnalysis {
  features: ElementFeatures;
  scope: ElementScope;
  facts: Facts;
}

export function analyzeElement(index: ElementIndex, element: ElementInfo): ElementAnalysis {
  const scope = collectScope(index, element);
  return analyzeScope(scope);
}

interface ObjectVerdict {
  facts: ObjectFacts;
  name: string;
  type: string;
  file: string;
  start: number;
  end: number;
  perFlow: boolean;
  key: FlowField[];
  otherKey: OtherKeyField[];
  keyEvidence: Evidence[];
  keyUnknown: Evidence[];
  writes: Intensity | 'none';
  pointers: PointerVerdict;
  configTable: boolean;
  /** The key came from structure walks (`node->addr == ip_src`), not from a container lookup. */
  fromSearches?: boolean;
}

export function analyzeScope(scope: ElementScope): ElementAnalysis {
  const ctx = new EvidenceContext(scope.index);
  const flowBases = scope.stateTypes.filter((s) => s.keyedBy === 'flow-manager' || (s.keyedBy === 'calculate_hash' && !scope.chain.some((c) => c.cls.name === s.base)));
  const stateTypes = new Set(scope.stateTypes.map((s) => s.name));
  const facts = new FlowStateInterpreter(scope, { flowStorage: flowBases.length > 0, stateTypes }).run();
  if (flowBases.length && !facts.objects.has(FLOW_STORAGE)) facts.objects.set(FLOW_STORAGE, { id: FLOW_STORAGE, lookups: [], writes: [], recordTypes: new Set(), searches: [] });

  const unknown = new Set<UnknownFeature>();
  const evidence: Evidence[] = [];
  let medium = false;
  const verdicts: ObjectVerdict[] = [];
  for (const obj of facts.objects.values()) {
    const v = obj.id === FLOW_STORAGE ? flowStorageVerdict(scope, obj, flowBases, facts, ctx) : memberVerdict(scope, obj, ctx);
    if (v) verdicts.push(v);
  }
  verdicts.sort((a, b) => Number(b.perFlow) - Number(a.perFlow) || a.start - b.start);
  const perFlow = mergeAliases(verdicts.filter((v) => v.perFlow));
  const stateful = perFlow.length > 0;

  // flow key: what every per-flow object's key shares
  let flowKey: FlowField[] = [];
  let otherKeyFields: OtherKeyField[] = [];
  if (stateful) {
    let key = new Set<FlowField>(perFlow[0].key);
    for (const v of perFlow.slice(1)) key = new Set([...key].filter((f) => v.key.includes(f)));
    flowKey = normalizeKey(key);
    for (const v of perFlow) {
      evidence.push(...v.keyEvidence);
      for (const e of v.keyUnknown) {
        evidence.push(e);
        unknown.add('flowKey');
      }
      const dropped = v.key.filter((f) => !flowKey.includes(f));
      if (dropped.length) {
        evidence.push(
          ctx.at('flowKey', v, `\`${v.name}\` is also keyed by ${dropped.join(' ')}, which other state does not share: the element's key keeps only the common fields`),
        );
      }
    }
    otherKeyFields = normalizeOtherKey(perFlow.flatMap((v) => v.otherKey));
    // A key made only of fields outside the 5-tuple is decided, not unknown: no RSS set can hold it.
    if (flowKey.length === 0 && !unknown.has('flowKey') && !otherKeyFields.length) unknown.add('flowKey');
  }

  // intensity
  let intensity: Intensity | null = null;
  if (stateful) {
    const packetWriter = perFlow.find((v) => v.writes === 'per-packet');
    if (packetWriter) {
      intensity = 'per-packet';
      const w = packetWriter.facts.writes.find((x) => x.phase === 'packet' && x.kind !== 'insert' && x.kind !== 'remove')!;
      evidence.push(ctx.site('intensity', w.site, `\`${ctx.snippet(w.site)}\` writes \`${packetWriter.name}\` in \`${w.site.fn}\` on every packet`));
    } else {
      intensity = 'per-flow';
      const writer = perFlow.find((v) => v.facts.writes.length);
      if (writer) {
        const w = writer.facts.writes.find((x) => x.phase === 'flow' && x.kind !== 'insert' && x.kind !== 'remove') ?? writer.facts.writes[0];
        const where =
          w.phase === 'flow'
            ? `in \`${w.site.fn}\`, once per flow (a flow callback, or a branch taken only while the entry is empty or the connection opens or closes)`
            : `when a flow's entry is ${w.kind === 'insert' ? 'created' : 'removed'} in \`${w.site.fn}\``;
        evidence.push(ctx.site('intensity', w.site, `\`${writer.name}\` is written only ${where}; packets only read it`));
      } else {
        unknown.add('intensity');
        evidence.push(ctx.at('intensity', perFlow[0], `no write to \`${perFlow[0].name}\` was found: taken as per-flow (read while processing packets)`));
      }
    }
  }

  // pointer chasing
  let pointerChasing = false;
  if (stateful) {
    for (const v of perFlow) {
      if (v.pointers.found) {
        pointerChasing = true;
        if (v.pointers.evidence) evidence.push(v.pointers.evidence);
        if (v.pointers.heuristic) medium = true;
      }
    }
    if (!pointerChasing && perFlow.some((v) => v.pointers.unknown)) {
      unknown.add('pointerChasing');
      const v = perFlow.find((x) => x.pointers.unknown)!;
      evidence.push(ctx.at('pointerChasing', v, `the state type of \`${v.name}\` (\`${v.type}\`) is not in the source roots: pointer members cannot be checked`));
    }
  }

  // statefulness
  for (const v of perFlow) {
    const reason =
      v.facts.id === FLOW_STORAGE
        ? `\`${v.type}\` is per-flow state handed out by the flow-manager base \`${flowBases.map((b) => b.base).join('`, `')}\``
        : `\`${v.name}\` (\`${v.type}\`) keeps ${describeKey(v)}`;
    evidence.push(ctx.at('stateful', v, reason));
  }
  const globals = verdicts.filter((v) => !v.perFlow && !v.configTable && v.facts.writes.length);
  for (const v of globals) {
    const w = v.writes === 'per-packet' ? 'is written on every packet but is' : 'is';
    evidence.push(ctx.at('stateful', v, `\`${v.name}\` ${w} global to the element, not per flow (global counters and statistics are stateless in the paper's labelling)`));
    // State written through a pointer to another element is that element's: its key is not seen here.
    const other = v.writes === 'per-packet' ? otherElementPointer(scope, v.name) : undefined;
    if (other && !stateful) {
      medium = true;
      evidence.push(ctx.at('stateful', v, `\`${v.name}\` points to another element (\`${other}\`) whose state is written on every packet: that state's key is not traced here`));
    }
  }
  // A table looked up by packet fields but filled outside the packet path, by a method other
  // elements may call at run time, can hold per-flow state the packet path never creates.
  if (!stateful) {
    for (const v of verdicts.filter((x) => x.configTable)) {
      const filler = runtimeFiller(scope, v.name);
      if (!filler) continue;
      medium = true;
      evidence.push(ctx.at('stateful', v, `\`${v.name}\` is also filled by \`${filler}\`, which other elements can call at run time: it may hold per-flow state`));
    }
  }
  for (const v of verdicts.filter((x) => x.configTable)) {
    evidence.push(ctx.at('stateful', v, `\`${v.name}\` is looked up by ${formatKey(v.key)} but never written while processing packets: configuration, not per-flow state`));
  }
  if (!stateful && !globals.length && !verdicts.some((v) => v.configTable)) {
    const cls = scope.element.cls;
    evidence.push(ctx.span('stateful', cls.file, cls.nameStart, cls.nameEnd, 'no member state is written or looked up by a packet field while processing packets'));
  }
  if (!scope.reachable.length) {
    unknown.add('stateful');
    const cls = scope.element.cls;
    evidence.push(
      ctx.span(
        'stateful',
        cls.file,
        cls.nameStart,
        cls.nameEnd,
        'no packet-processing method (push, push_batch, simple_action, ...) was found in the element or its indexed bases',
      ),
    );
  }

  // direction: a per-flow table also filled or searched with the flow's fields swapped
  let bidirectional = false;
  for (const v of perFlow) {
    for (const l of v.facts.lookups) {
      const rev = [...l.key.values()].find((o) => o.reversed)?.reversed;
      if (!rev) continue;
      bidirectional = true;
      evidence.push(
        ctx.site(
          'direction',
          rev,
          `\`${v.name}\` is ${l.kind === 'insert' ? 'filled' : 'looked up'} with the flow's sources and destinations swapped in \`${rev.fn}\`: packets of both directions reach the same entry`,
        ),
      );
      break;
    }
    const mirror = !bidirectional ? mirrorPair(keyedLookups(v)) : undefined;
    if (mirror) {
      bidirectional = true;
      evidence.push(
        ctx.site(
          'direction',
          mirror.site,
          `\`${v.name}\` is also looked up by the destination fields alone, where other lookups use the source fields: packets of both directions reach the same entry`,
        ),
      );
    }
  }
  const directions = stateful ? directionPorts(perFlow, ctx) : undefined;
  if (directions) evidence.push(...directions.evidence);
  // fragments: state keyed by fragment identity, which non-first fragments share without ports
  const fragments = stateful && otherKeyFields.some((f) => f === 'ip_id' || f === 'ip_frag');
  if (fragments) {
    const v = perFlow.find((x) => x.otherKey.some((f) => f === 'ip_id' || f === 'ip_frag'))!;
    evidence.push(
      ctx.at(
        'fragments',
        v,
        `\`${v.name}\` is keyed by ${v.otherKey.filter((f) => f === 'ip_id' || f === 'ip_frag').join(' ')}: it handles IP fragments, and non-first fragments carry no ports`,
      ),
    );
  }

  const stateObjects: StateObject[] = [...perFlow, ...globals].map((v) => ({
    name: v.name,
    type: v.type,
    file: v.file,
    line: ctx.position(v.file, v.start).line,
    keyFields: v.perFlow ? v.key : [],
    ...(v.perFlow && v.otherKey.length ? { otherKeyFields: v.otherKey } : {}),
    writes: v.writes,
    pointers: v.pointers.found,
  }));
  for (const v of perFlow) evidence.push(ctx.at('stateObject', v, `declared here: \`${v.name}\``));

  if (flowBases.some((b) => b.keyedBy === 'flow-manager') && !scope.flowMacros.length) medium = true;
  if (perFlow.some((v) => v.facts.id === FLOW_STORAGE && v.keyEvidence.some((e) => e.reason.includes('contract')))) medium = true;
  const unresolved = scope.unresolvedBases.filter((b) => !FRAMEWORK_CLASSES.has(b.replace(/<.*$/, '')) && !/^(FlowStateElement|FlowSpaceElement|IFlowManager)\b/.test(b));
  if (unresolved.length) medium = true;
  // Calibration: `high` claims every container's index was traced to whole packet fields. A key
  // found only by walking a structure, or made only of fields outside the 5-tuple (often a bucket
  // of a wider key), or a bucket number computed from part of a field, is weaker than that.
  for (const v of perFlow) {
    if (v.fromSearches) {
      medium = true;
      evidence.push(
        ctx.at('flowKey', v, `\`${v.name}\` is found by walking its structure and comparing entries with packet fields, not through a container's lookup: the key is less certain`),
      );
    } else if (v.facts.id !== FLOW_STORAGE && refinedBeyondKey(v)) {
      medium = true;
      evidence.push(
        ctx.at('flowKey', v, `entries of \`${v.name}\` are also compared with packet data outside its key (${refinedBeyondKey(v)}): the true key may be wider than shown`),
      );
    } else if (!v.key.length && v.otherKey.length && v.facts.id !== FLOW_STORAGE) {
      medium = true;
      evidence.push(ctx.at('flowKey', v, `\`${v.name}\` is indexed only by ${v.otherKey.join(' ')}; entries may still be told apart by other fields inside a bucket`));
    }
  }

  let confidence: Confidence = 'high';
  if (unknown.size || medium) confidence = 'medium';
  if (unknown.has('stateful') || (stateful && flowKey.length === 0 && !otherKeyFields.length)) confidence = 'low';

  const features: ElementFeatures = {
    stateful,
    flowKey: stateful ? flowKey : [],
    ...(stateful && otherKeyFields.length ? { otherKeyFields } : {}),
    intensity,
    pointerChasing,
    ...(bidirectional ? { bidirectional } : {}),
    ...(directions ? { directionPorts: directions.ports } : {}),
    ...(fragments ? { fragments } : {}),
    stateObjects,
    evidence: dedupe(evidence),
    confidence,
    unknown: FEATURE_NAMES.filter((u) => unknown.has(u)),
  };
  return { features, scope, facts };
}

/**
 * Members that always travel together (FlowMage's `_table` for SHARED and `_tables` per core) are
 * one piece of state: same lookups, same writes. They are reported once, as `_table / _tables`.
 */
function mergeAliases(list: ObjectVerdict[]): ObjectVerdict[] {
  const out: ObjectVerdict[] = [];
  const sig = (v: ObjectVerdict) =>
    [...v.facts.lookups.map((l) => `l${l.site.file}:${l.site.start}`), ...v.facts.writes.map((w) => `w${w.site.file}:${w.site.start}`)].sort().join(';') + `|${v.key.join(',')}`;
  const bySig = new Map<string, ObjectVerdict>();
  for (const v of list) {
    const k = v.facts.id === FLOW_STORAGE ? `@${out.length}` : sig(v);
    const first = bySig.get(k);
    if (first) {
      first.name = `${first.name} / ${v.name}`;
      first.pointers = first.pointers.found ? first.pointers : v.pointers;
      continue;
    }
    bySig.set(k, v);
    out.push(v);
  }
  return out;
}

function memberVerdict(scope: ElementScope, obj: ObjectFacts, ctx: EvidenceContext): ObjectVerdict | undefined {
  const field = scope.fields.get(obj.id);
  if (!field || (field.field.isStatic && /\bconst\b/.test(field.type))) return undefined;
  const keyed = obj.lookups.filter((l) => l.key.size > 0);
  // Searches key the state only when no container lookup does: a trie or list walked by packet fields.
  const tainted = keyed.length ? keyed : obj.searches.filter((l) => l.key.size > 0);
  const v: ObjectVerdict = {
    facts: obj,
    name: obj.id,
    type: field.type,
    file: field.owner.cls.file,
    start: field.field.start,
    end: field.field.end,
    perFlow: false,
    key: [],
    otherKey: [],
    keyEvidence: [],
    keyUnknown: [],
    writes: writesOf(obj),
    pointers: { found: false, unknown: false, heuristic: false },
    configTable: false,
    fromSearches: !keyed.length && tainted.length > 0,
  };
  // Writes that only move pointers already in the structure (a move-to-front) reorder it: no state is created.
  const writes = obj.writes.filter((w) => !w.relink);
  if (!tainted.length) return writes.length ? v : undefined;
  if (!writes.length) {
    v.configTable = true;
    v.key = keyFromLookups(tainted, v, ctx).key;
    return v;
  }
  v.perFlow = true;
  const k = keyFromLookups(tainted, v, ctx, keyed.length ? obj.searches : []);
  v.key = k.key;
  v.otherKey = k.otherKey;
  v.keyEvidence = k.evidence;
  v.keyUnknown = k.unknown;
  v.pointers = pointerVerdict(scope, obj, field.type, field.owner.cls.file, v, ctx);
  return v;
}

function keyFromLookups(
  lookups: ObjectFacts['lookups'],
  v: Pick<ObjectVerdict, 'name' | 'file' | 'start' | 'end'>,
  ctx: EvidenceContext,
  searches: ObjectFacts['searches'] = [],
): { key: FlowField[]; otherKey: OtherKeyField[]; evidence: Evidence[]; unknown: Evidence[] } {
  const evidence: Evidence[] = [];
  const unknown: Evidence[] = [];
  const perLookup: Array<{ fields: Set<FlowField>; others: Set<OtherKeyField> }> = [];
  for (const l of lookups) {
    const fields = new Set<FlowField>();
    const others = new Set<OtherKeyField>();
    for (const [tag, origin] of l.key) {
      if (isOtherKeyField(tag)) {
        others.add(tag);
        continue;
      }
      if (tag === 'opaque') {
        unknown.push(
          ctx.site(
            'flowKey',
            origin,
            `the key of \`${v.name}\` also depends on \`${origin.source}\` in \`${origin.fn}\`, which the analysis cannot map to header fields: the real key may be wider than shown`,
          ),
        );
        continue;
      }
      if (origin.partial) {
        unknown.push(
          ctx.site(
            'flowKey',
            origin,
            `\`${origin.source}\` is masked or shifted before it keys \`${v.name}\`: only part of ${tag} identifies the state, so ${tag} is left out of the key`,
          ),
        );
        continue;
      }
      fields.add(tag as FlowField);
    }
    perLookup.push({ fields, others });
  }
  mergeMirrorLookups(perLookup, lookups, v, ctx, evidence);
  let key: Set<FlowField> | undefined;
  let other: Set<OtherKeyField> | undefined;
  for (const { fields, others } of perLookup) {
    key = key ? new Set([...key].filter((f) => fields.has(f))) : fields;
    other = other ? new Set([...other].filter((f) => others.has(f))) : others;
  }
  for (const f of refiningFields(lookups, searches, v, ctx, evidence)) (key ??= new Set()).add(f);
  const final = normalizeKey(key ?? []);
  const otherKey = normalizeOtherKey(other ?? []);
  // one evidence item per origin site, naming the fields it contributes
  const otherSites = new Set<string>();
  const bySite = new Map<string, { origin: Origin; fields: FlowField[] }>();
  for (const l of lookups) {
    for (const [tag, origin] of l.key) {
      if (isOtherKeyField(tag) && otherKey.includes(tag)) {
        const k = `${origin.file}:${origin.start}:${tag}`;
        if (!otherSites.has(k)) {
          otherSites.add(k);
          evidence.push(
            ctx.site('flowKey', origin, `\`${origin.source}\` read in \`${origin.fn}\` keys \`${v.name}\` by ${tag}, a field outside the 5-tuple that no RSS field set hashes`),
          );
        }
        continue;
      }
      if (!final.includes(tag as FlowField)) continue;
      const k = `${origin.file}:${origin.start}`;
      const entry = bySite.get(k) ?? { origin, fields: [] };
      if (!entry.fields.includes(tag as FlowField)) entry.fields.push(tag as FlowField);
      bySite.set(k, entry);
    }
  }
  for (const { origin, fields } of bySite.values()) {
    const what = origin.source.endsWith('(...)')
      ? `\`${origin.source}\` built from the packet in \`${origin.fn}\` holds ${normalizeKey(fields).join(' ')}`
      : `\`${origin.source}\` read in \`${origin.fn}\``;
    evidence.push(ctx.site('flowKey', origin, `${what}, the key of \`${v.name}\``));
  }
  const first = lookups.find((l) => [...l.key.keys()].some((t) => final.includes(t as FlowField) || otherKey.includes(t as OtherKeyField)));
  if (first)
    evidence.push(
      ctx.site(
        'flowKey',
        first.site,
        `\`${v.name}\` is ${first.kind === 'insert' ? 'filled' : first.kind === 'index' ? 'indexed' : 'looked up'} with that key in \`${first.site.fn}\``,
      ),
    );
  return { key: final, otherKey, evidence, unknown };
}

const MIRROR: Record<string, string> = { src_ip: 'dst_ip', dst_ip: 'src_ip', src_port: 'dst_port', dst_port: 'src_port', protocol: 'protocol' };

/**
 * One container looked up by some fields in one direction and by the mirrored fields in the other
 * (`map.get(IPFlowID(src, 0, 0, 0))`, then `map.get(IPFlowID(0, 0, dst, 0))`): both reach the same
 * entries, so the key is the union of the two, not their intersection.
 */
function mergeMirrorLookups(
  sets: Array<{ fields: Set<FlowField> }>,
  lookups: ObjectFacts['lookups'],
  v: Pick<ObjectVerdict, 'name' | 'file' | 'start' | 'end'>,
  ctx: EvidenceContext,
  evidence: Evidence[],
): void {
  const original = sets.map((s) => new Set(s.fields));
  const sig = (s: Set<string>) => [...s].sort().join(',');
  for (let i = 0; i < original.length; i++) {
    const a = original[i];
    if (!a.size) continue;
    const mirrored = sig(new Set([...a].map((f) => MIRROR[f])));
    if (mirrored === sig(a)) continue;
    const j = original.findIndex((b) => sig(b) === mirrored);
    if (j < 0) continue;
    for (const f of original[j]) sets[i].fields.add(f);
    if (j > i)
      evidence.push(
        ctx.site(
          'flowKey',
          lookups[j].site,
          `\`${v.name}\` is looked up by ${normalizeKey(a).join(' ')} and, with sources and destinations swapped, by ${normalizeKey(original[j]).join(' ')}: both directions reach one entry, so its key holds both`,
        ),
      );
  }
}

/**
 * Packet fields that entries are compared with after the container's own lookup, which belong to
 * the key: a bucket array whose chain is compared again with every field that chose the bucket
 * (the bucket is a hash of the key, the comparisons are the key), or a record compared with packet
 * fields and then written through (it is state of its own, one per those fields).
 */
function refiningFields(
  lookups: ObjectFacts['lookups'],
  searches: ObjectFacts['searches'],
  v: Pick<ObjectVerdict, 'name' | 'file' | 'start' | 'end'>,
  ctx: EvidenceContext,
  evidence: Evidence[],
): FlowField[] {
  if (!searches.length || !lookups.length || lookups === searches) return [];
  const whole = (s: ObjectFacts['searches'][number]) => [...s.key].filter(([t, o]) => t !== 'opaque' && !o.partial).map(([t]) => t);
  const compared = new Set(searches.flatMap(whole));
  const bucket = lookups.every((l) => l.kind === 'index') && lookups.every((l) => [...l.key.keys()].every((t) => compared.has(t)));
  const chosen = bucket ? searches : searches.filter((s) => s.entryWritten);
  const out = new Set<FlowField>();
  for (const s of chosen) for (const t of whole(s)) if ((FLOW_FIELDS as readonly string[]).includes(t) && !lookups.every((l) => l.key.has(t))) out.add(t as FlowField);
  if (out.size) {
    const s = chosen.find((x) => whole(x).some((t) => out.has(t as FlowField)))!;
    const why = bucket ? 'the chain of a bucket is compared again with every field that chose the bucket' : 'the record found is then written: it keeps state per those fields';
    evidence.push(
      ctx.site('flowKey', s.site, `entries of \`${v.name}\` are compared with ${normalizeKey([...out]).join(' ')} in \`${s.site.fn}\` (${why}): they are part of its key`),
    );
  }
  return [...out];
}

/** The lookups (or, without any, the searches) that key a per-flow object. */
function keyedLookups(v: ObjectVerdict): ObjectFacts['lookups'] {
  const keyed = v.facts.lookups.filter((l) => l.key.size > 0);
  return keyed.length ? keyed : v.facts.searches.filter((l) => l.key.size > 0);
}

const flowSide = (l: ObjectFacts['lookups'][number], side: 'src_' | 'dst_') => {
  const tags = [...l.key.keys()].filter((t) => /^(src|dst)_(ip|port)$/.test(t));
  return tags.length > 0 && tags.every((t) => t.startsWith(side));
};

/** A lookup by destination fields only, when another lookup of the object uses the mirrored source fields. */
function mirrorPair(lookups: ObjectFacts['lookups']): ObjectFacts['lookups'][number] | undefined {
  const sig = (l: ObjectFacts['lookups'][number], swap: boolean) =>
    [...l.key.keys()]
      .filter((t) => (FLOW_FIELDS as readonly string[]).includes(t))
      .map((t) => (swap ? MIRROR[t] : t))
      .sort()
      .join(',');
  return lookups.find((d) => flowSide(d, 'dst_') && lookups.some((s) => flowSide(s, 'src_') && sig(s, true) === sig(d, false)));
}

/**
 * Which input ports carry which direction, where the code tells it (`if (port == 0)`, a flag set
 * from `port == 0`): a port whose packets look the state up with swapped fields, or by the
 * destination side of a mirrored pair, is `reverse`; one whose packets use the flow's own fields is
 * `forward`.
 */
function directionPorts(perFlow: ObjectVerdict[], ctx: EvidenceContext): { ports: Record<string, 'forward' | 'reverse'>; evidence: Evidence[] } | undefined {
  const seen = new Map<number, { forward?: ObjectFacts['lookups'][number]; reverse?: ObjectFacts['lookups'][number]; name: string }>();
  for (const v of perFlow) {
    const lookups = keyedLookups(v);
    const mirrored = mirrorPair(lookups) !== undefined;
    for (const l of lookups) {
      if (l.port === undefined) continue;
      const reversed = [...l.key.values()].some((o) => o.reversed) || (mirrored && flowSide(l, 'dst_'));
      const entry = seen.get(l.port) ?? { name: v.name };
      if (reversed) entry.reverse ??= l;
      else if ([...l.key.keys()].some((t) => (FLOW_FIELDS as readonly string[]).includes(t))) entry.forward ??= l;
      seen.set(l.port, entry);
    }
  }
  const ports: Record<string, 'forward' | 'reverse'> = {};
  const evidence: Evidence[] = [];
  for (const [port, e] of [...seen].sort((a, b) => a[0] - b[0])) {
    // A port seen both ways decides nothing.
    if (!!e.forward === !!e.reverse) continue;
    const dir = e.reverse ? 'reverse' : 'forward';
    const l = (e.reverse ?? e.forward)!;
    ports[String(port)] = dir;
    const how = dir === 'reverse' ? "with the flow's sources and destinations swapped" : "by the flow's own fields";
    evidence.push(ctx.site('direction', l.site, `input ${port}: packets look up \`${e.name}\` ${how} in \`${l.site.fn}\` (${dir})`));
  }
  if (!Object.values(ports).includes('reverse')) return undefined;
  return { ports, evidence };
}

function flowStorageVerdict(scope: ElementScope, obj: ObjectFacts, bases: StateTypeRef[], facts: Facts, ctx: EvidenceContext): ObjectVerdict {
  const st = bases[0];
  const v: ObjectVerdict = {
    facts: obj,
    name: isBuiltinType(st.name) ? `flow state (${st.name})` : st.name,
    type: st.name,
    file: st.cls?.file ?? st.file,
    start: st.cls?.nameStart ?? st.start,
    end: st.cls?.nameEnd ?? st.end,
    perFlow: true,
    key: [],
    otherKey: [],
    keyEvidence: [],
    keyUnknown: [],
    writes: writesOf(obj),
    pointers: { found: false, unknown: false, heuristic: false },
    configTable: false,
  };
  if (st.keyedBy === 'calculate_hash') {
    if (facts.keyContract) {
      const k = keyFromLookups(
        [
          {
            kind: 'lookup',
            key: facts.keyContract.taint,
            site: { file: facts.keyContract.fn.file, start: facts.keyContract.fn.start, end: facts.keyContract.fn.end, fn: facts.keyContract.fn.name },
          },
        ],
        v,
        ctx,
      );
      v.key = k.key;
      v.keyEvidence = [
        ...k.evidence.filter((e) => !e.reason.includes('looked up')),
        ctx.span('flowKey', st.file, st.start, st.end, `\`${st.base}\` keys its table on what \`calculate_hash\` returns (its contract; the base is not in the source roots)`),
      ];
      v.keyUnknown = k.unknown;
    } else {
      v.keyUnknown = [ctx.span('flowKey', st.file, st.start, st.end, `\`${st.base}\` keys its table on \`calculate_hash\`, which the element does not define`)];
    }
  } else {
    const rules = sessionRules(scope, ctx);
    if (rules) {
      v.key = rules.key;
      v.keyEvidence = rules.evidence;
      v.keyUnknown = rules.unknown;
    } else {
      v.key = [...FLOW_FIELDS];
      v.keyEvidence = [
        ctx.span(
          'flowKey',
          st.file,
          st.start,
          st.end,
          `\`${st.base}\` gets its per-flow state from the upstream flow manager; FastClick's FlowIPManager variants key flows on the 5-tuple (IPFlow5ID) and the element declares no narrower session context`,
        ),
      ];
    }
  }
  const pointers: PointerVerdict = { found: false, unknown: false, heuristic: false };
  for (const s of bases) {
    const p = recordPointers(scope, s.name, st.cls?.file ?? st.file, 0, new Set(), `the state type \`${s.name}\``, ctx);
    if (p.found && !pointers.found) Object.assign(pointers, p);
    pointers.unknown ||= p.unknown;
  }
  v.pointers = pointers;
  return v;
}

/** Keys from FLOW_ELEMENT_DEFINE_*(rule, context) macros in the element's chain. */
function sessionRules(scope: ElementScope, ctx: EvidenceContext): { key: FlowField[]; evidence: Evidence[]; unknown: Evidence[] } | undefined {
  const macros = scope.flowMacros.filter((m) => /SESSION|CONTEXT/.test(m.macro) && m.args.length >= 1);
  if (!macros.length) return undefined;
  let key: Set<FlowField> | undefined;
  const evidence: Evidence[] = [];
  const unknown: Evidence[] = [];
  for (const m of macros) {
    const ruleArg = m.macro.includes('PORT_') ? m.args[1] : m.args[0];
    const context = m.macro.includes('PORT_') ? m.args[2] : m.args[1];
    const ruleText = ruleArg === undefined ? undefined : (stringLiteralValue(ruleArg) ?? resolveRuleName(scope, ruleArg.trim()));
    if (ruleText === undefined) {
      unknown.push(ctx.span('flowKey', m.file, m.start, m.end, `the session rule \`${ruleArg ?? ''}\` of \`${m.macro}\` cannot be read`));
      key = new Set();
      continue;
    }
    const r = parseSessionRule(ruleText);
    const fields = new Set<FlowField>([...r.keyed, ...r.fixed]);
    const proto = context ? PROTOCOL_CONTEXTS[context.trim()] : undefined;
    if (proto) fields.add('protocol');
    const parts = [`session rule \`${ruleText}\` selects ${normalizeKey(r.keyed).join(' ') || 'no full field'}`];
    if (r.fixed.length) parts.push(`fixes ${r.fixed.join(' ')} to a constant`);
    if (proto) parts.push(`\`${context!.trim()}\` fixes the protocol to ${proto} for every packet of a session`);
    evidence.push(ctx.span('flowKey', m.file, m.start, m.end, parts.join('; ')));
    for (const f of r.partial) unknown.push(ctx.span('flowKey', m.file, m.start, m.end, `the session rule masks only part of ${f}: ${f} is left out of the key`));
    if (r.unreadable.length) unknown.push(ctx.span('flowKey', m.file, m.start, m.end, `unreadable session rule tokens: ${r.unreadable.join(' ')}`));
    key = key ? new Set([...key].filter((f) => fields.has(f))) : fields;
  }
  return { key: normalizeKey(key ?? []), evidence, unknown };
}

function resolveRuleName(scope: ElementScope, name: string): string | undefined {
  if (!/^\w+$/.test(name)) return undefined;
  const files = [...scope.files];
  return scope.index.define(name, files)?.value ?? BUILTIN_SESSION_RULES[name];
}

/**
 * Fields (or `opaque` packet bytes) that entries of a keyed container are compared with after the
 * lookup, beyond the key itself: a chained bucket found by part of the key, then walked.
 */
function refinedBeyondKey(v: ObjectVerdict): string | undefined {
  const inKey = new Set<string>([...v.key, ...v.otherKey]);
  const extra = new Set<string>();
  for (const s of v.facts.searches) for (const tag of s.key.keys()) if (!inKey.has(tag)) extra.add(tag);
  // Untraced packet bytes always weaken the key. Named fields do only when the container was
  // indexed by a hash of its key (a bucket): inside an entry found by its exact key they are the
  // entry's own contents (the ports a scan detector lists per source).
  const bucketed = v.facts.lookups.some((l) => l.kind === 'index' && [...l.key.values()].some((o) => o.hashed));
  const weakening = [...extra].filter((t) => t === 'opaque' || bucketed);
  return weakening.length ? weakening.map((t) => (t === 'opaque' ? 'unnamed packet bytes' : t)).join(', ') : undefined;
}

const PACKET_PATH = new Set([...PER_PACKET_METHODS, ...PER_FLOW_METHODS]);

/** Methods that fill configuration, not run-time state: the lifecycle and handlers. */
const SETUP_METHOD = /^(configure|initialize|cleanup|add_handlers|live_reconfigure|take_state|static_initialize|static_cleanup)$|handler|^(read|write)_/;

/** The name of a method outside the packet path and set-up that writes member `name`, if any. */
function runtimeFiller(scope: ElementScope, name: string): string | undefined {
  const write = new RegExp(`\\b${name}\\s*(?:\\.|->)\\s*(?:insert|set|find_insert|emplace|push_back|add|put)\\s*\\(|\\b${name}\\s*\\[[^\\]]*\\]\\s*=[^=]`);
  for (const [method, list] of scope.methods) {
    if (SETUP_METHOD.test(method) || PACKET_PATH.has(method)) continue;
    for (const sf of list) {
      if (!hasBody(sf.fn) || sf.owner?.cls.name === method || method.startsWith('~')) continue;
      const text = scope.index.text(sf.fn.file)?.slice(sf.fn.start, sf.fn.end) ?? '';
      if (write.test(text)) return method;
    }
  }
  return undefined;
}

/** The element class a pointer member points to, when it is one (a class with `class_name()`, or based on Element). */
function otherElementPointer(scope: ElementScope, name: string): string | undefined {
  const field = scope.fields.get(name);
  if (!field?.field.pointer) return undefined;
  const type = stripType(field.type).replace(/<.*$/, '');
  const seen = new Set<string>();
  let queue = [scope.index.findClass(type, field.owner.cls.file)].filter((c) => c !== undefined);
  while (queue.length && seen.size < 12) {
    const cls = queue.shift()!;
    if (seen.has(cls.name)) continue;
    seen.add(cls.name);
    if (cls.clickName || /^(Element|BatchElement|SimpleElement|FlowElement)$/.test(cls.name)) return type;
    for (const b of cls.bases) {
      if (/^(Element|BatchElement|SimpleElement)$/.test(b.name)) return type;
      queue = queue.concat([scope.index.findClass(b.name, cls.file)].filter((c) => c !== undefined));
    }
  }
  return undefined;
}

function describeKey(v: ObjectVerdict): string {
  const parts = [...(v.key.length ? [formatKey(v.key)] : []), ...v.otherKey];
  return parts.length ? `state per ${parts.join(' ')}` : 'per-flow state under a key the analysis cannot name';
}

function writesOf(obj: ObjectFacts): Intensity | 'none' {
  if (obj.writes.some((w) => w.phase === 'packet' && w.kind !== 'insert' && w.kind !== 'remove')) return 'per-packet';
  return obj.writes.length ? 'per-flow' : 'none';
}

function dedupe(list: Evidence[]): Evidence[] {
  const seen = new Set<string>();
  return list.filter((e) => {
    const k = `${e.feature}|${e.file}|${e.line}|${e.column}|${e.reason}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}
