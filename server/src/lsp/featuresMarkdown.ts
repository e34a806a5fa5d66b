// Markdown for an element's features: the summary, the four features, the evidence as links to
// the C++ lines, the state objects, what the code leaves undecided and, when an LLM answered too,
// where the sources disagree. Used by C++ hovers (and reusable by .click hovers).
import { basename } from 'node:path';
import { pathToFileURL } from 'node:url';
import { formatKey, outsideKeyNote, type ElementFeatures, type Evidence } from '../core/analysis/features';
import { summarizeFeatures } from '../core/analysis/summary';
import type { MergedFeatures } from '../core/llm/merge';
import type { ThreadingModel, ThreadingVerdict } from '../core/analysis/threading';

const FEATURE_LABELS: Record<Evidence['feature'], string> = {
  stateful: 'state',
  flowKey: 'flow key',
  intensity: 'intensity',
  pointerChasing: 'pointer chasing',
  stateObject: 'state object',
  direction: 'direction',
  fragments: 'fragments',
};

/** `[iportscandetector.cc:31](file:///.../iportscandetector.cc#L31)`; lines are 0-based in the data. */
export function sourceLink(file: string, line: number): string {
  return `[${basename(file)}:${line + 1}](${pathToFileURL(file).href}#L${line + 1})`;
}

/**
 * `f` is the static analysis (with evidence); `merged`, when given, is what the solver uses
 * (static and LLM merged) and takes over the table and the summary.
 */
export function featuresMarkdown(clickName: string, f: ElementFeatures, merged?: MergedFeatures, options: { maxEvidence?: number } = {}): string {
  const shown = merged ?? f;
  const out: string[] = [];
  out.push(`**${clickName}**: ${summarizeFeatures({ ...shown, unknown: f.unknown })}`);
  out.push('');
  out.push(`confidence ${f.confidence} · ${merged ? merged.sources.join(' + ') : 'static'} analysis`);
  out.push('');
  out.push('| feature | value |', '|---|---|');
  out.push(`| statefulness | ${shown.stateful ? 'stateful' : 'stateless'} |`);
  out.push(`| flow key | ${shown.stateful ? (shown.flowKey.length ? formatKey(shown.flowKey) : 'undecided') : '-'} |`);
  if (shown.stateful && f.otherKeyFields?.length) out.push(`| key outside the 5-tuple | ${f.otherKeyFields.join(' ')} |`);
  out.push(`| R/W intensity | ${shown.intensity ?? '-'} |`);
  if (shown.stateful && f.bidirectional) out.push('| direction | both: entries are looked up with swapped fields |');
  if (shown.stateful && f.fragments) out.push('| IP fragments | keyed by fragment identity: RSS must not hash ports |');
  out.push(`| pointer chasing | ${shown.stateful ? (shown.pointerChasing ? 'yes' : 'no') : '-'} |`);
  if (f.unknown.length) out.push('', `Undecided by the code: ${f.unknown.join(', ')}.`);
  if (shown.stateful && f.otherKeyFields?.length) out.push('', outsideKeyNote(shown.flowKey, f.otherKeyFields));
  if (merged?.disagreements.length) {
    out.push('', '**Sources disagree**', ...merged.disagreements.map((d) => `- ${d.feature}: static ${d.staticValue}, LLM ${d.llmValue}; ${d.resolution}`));
  }
  const evidence = f.evidence.filter((e) => e.feature !== 'stateObject');
  if (evidence.length) {
    const max = options.maxEvidence ?? 12;
    out.push('', '**Evidence**');
    for (const e of evidence.slice(0, max)) out.push(`- ${FEATURE_LABELS[e.feature]}: ${e.reason} (${e.file ? sourceLink(e.file, e.line) : 'no location'})`);
    if (evidence.length > max) out.push(`- ... and ${evidence.length - max} more`);
  }
  if (f.stateObjects.length) {
    out.push('', '**State**');
    for (const o of f.stateObjects) {
      const keyParts = [...(o.keyFields.length ? [formatKey(o.keyFields)] : []), ...(o.otherKeyFields ?? [])];
      const key = keyParts.length ? `per ${keyParts.join(' ')}` : 'global';
      const writes = o.writes === 'none' ? 'never written' : `written ${o.writes}`;
      out.push(`- \`${o.name}\` (\`${o.type}\`): ${key}, ${writes}${o.pointers ? ', holds pointers' : ''} (${sourceLink(o.file, o.line)})`);
    }
  }
  return out.join('\n');
}

const THREADING_LABELS: Record<ThreadingModel, string> = {
  'per-thread': 'per-thread (one copy of the state per core: correct only when RSS keeps each flow on one core)',
  'shared-safe': 'shared-safe (one state for every core, protected)',
  unsafe: 'unsafe (state written on the packet path with no protection)',
};

/** `Threading: per-thread ...` with the lines that decided it. */
export function threadingMarkdown(verdict: ThreadingVerdict | undefined, maxEvidence = 3): string {
  if (!verdict) return '';
  const lines = [`**Threading**: ${THREADING_LABELS[verdict.model]}`];
  for (const e of verdict.evidence.slice(0, maxEvidence)) lines.push(`- ${e.reason} (${sourceLink(e.file, e.line)})`);
  if (verdict.evidence.length > maxEvidence) lines.push(`- … ${verdict.evidence.length - maxEvidence} more`);
  return lines.join('\n');
}
