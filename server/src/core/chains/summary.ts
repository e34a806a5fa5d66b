// A short account of what "Optimize chain" changes and why, for the command's message, the CLI and
// code action titles.
import { formatKey } from '../analysis/features';
import { candidateLabel } from '../solver/solve';
import type { ConfigAnalysis } from './analyzeConfig';

export function planSummary(analysis: ConfigAnalysis): string[] {
  const lines: string[] = [];
  for (const c of analysis.chains) {
    const stateful = c.elements.filter((s) => s.stateful);
    if (stateful.length === 0) {
      lines.push(`${c.chain.input.id}: no stateful elements; RSS stays ${formatKey(c.plan.rss)}`);
      continue;
    }
    const nothing = c.plan.elements.filter((e) => e.shared === false).map((e) => e.name);
    const shared = c.plan.elements.filter((e) => e.shared === true).map((e) => e.name);
    lines.push(
      `${c.chain.input.id}: RSS ${formatKey(c.current.rss)} → ${candidateLabel(c.plan)}${c.plan.imbalance !== undefined ? ` (imbalance ${c.plan.imbalance.toFixed(2)} on the trace)` : ''}; shared-nothing: ${nothing.join(', ') || 'none'}; shared: ${shared.join(', ') || 'none'} (cost ${c.plan.cost})`,
    );
    lines.push(`  deploy: ${c.deploy.reason}${c.deploy.rulesFile && c.deploy.rules ? ` → ${c.deploy.rulesFile.split(/[\\/]/).pop()}` : ''}`);
    for (const n of c.deploy.notes) lines.push(`  ${n}`);
    for (const conflict of c.plan.conflicts) lines.push(`  ${conflict.reason}`);
    // The solver's own explanations (rejected candidates, balance, direction), not the analysis-wide notes.
    for (const n of c.plan.notes) if (!analysis.notes.includes(n)) lines.push(`  ${n}`);
    if (c.deploy.symmetricHint) lines.push(`  ${c.deploy.symmetricHint}`);
    if (c.plan.tieBreak.method !== 'none') lines.push(`  tie broken by ${c.plan.tieBreak.detail}`);
  }
  for (const n of analysis.editNotes) if (/can hold only one value|share one declaration| → |fixed by its implementation|hash differently/.test(n)) lines.push(`note: ${n}`);
  if (analysis.findings.some((f) => f.code === 'expansion-budget')) lines.push('no chain analyzed: expanding the compounds would create too many element instances');
  else if (analysis.chains.length === 0) lines.push('no chain found: the configuration has no From* input element');
  return lines;
}

/** One line for a code action title. */
export function planTitle(analysis: ConfigAnalysis): string {
  const parts = analysis.chains
    .filter((c) => c.elements.some((s) => s.stateful))
    .map((c) => `RSS ${formatKey(c.plan.rss)}${analysis.chains.length > 1 ? ` for ${c.chain.input.id}` : ''}`);
  return `Optimize chain${parts.length ? ` (${parts.join('; ')})` : ''}`;
}
