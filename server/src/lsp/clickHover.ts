// Hover on an element in a .click file: its class, features and where they come from, whether it
// shares state under the configuration as written and under the optimized plan (and why), its
// documentation from the C++ header, and a link to its source. On a keyword argument: the
// keyword's documentation, type and default from the parameter index.
import { basename } from 'node:path';
import { MarkupKind, type Hover, type HoverParams } from 'vscode-languageserver/node';
import { formatKey } from '../core/analysis/features';
import type { ChainAnalysis, ConfigAnalysis, ElementStatus } from '../core/chains/analyzeConfig';
import type { ClickElement } from '../core/click/model';
import { parameterMarkdown } from '../core/params/describe';
import { candidateLabel } from '../core/solver/solve';
import { keywordAt } from '../core/params/keywordAt';
import { elementAt } from './clickElementAt';
import { isClickDocument } from './clickDocuments';
import type { ServerContext } from './context';
import { toLspRange } from './lspPositions';
import { lineIndexOf } from '../core/click/modelLines';
import { getElementIndexService } from './elementIndexService';
import type { Feature } from './features';
import { featuresMarkdown, sourceLink, threadingMarkdown } from './featuresMarkdown';
import { flowAnalysis } from './flowAnalysis';
import { registerHoverProvider } from './providers';

export function clickHoverFeature(ctx: ServerContext): Feature {
  const flows = flowAnalysis(ctx);
  const index = getElementIndexService(ctx);
  registerHoverProvider(ctx, isClickDocument, async (params: HoverParams): Promise<Hover | null> => {
    const result = await flows.analysis(params.textDocument.uri);
    if (!result) return null;
    const { model, analysis } = result;
    const lines = lineIndexOf(model);
    const offset = lines.offset(params.position);
    const kw = keywordAt(model, offset);
    const list = kw && index.parameters(kw.element.className);
    const param = list?.parameters.find((p) => p.name === kw!.keyword);
    if (kw && list && param) return { contents: { kind: MarkupKind.Markdown, value: parameterMarkdown(kw.element.className, param, list) }, range: toLspRange(lines, kw.range) };
    const at = elementAt(model, offset);
    if (!at) return null;
    const value = hoverMarkdown(at.element, analysis, ctx, index, flows.indexReady());
    return { contents: { kind: MarkupKind.Markdown, value }, range: toLspRange(lines, at.range) };
  });
  return {};
}

function hoverMarkdown(el: ClickElement, analysis: ConfigAnalysis, ctx: ServerContext, index: ReturnType<typeof getElementIndexService>, indexReady: boolean): string {
  const settings = ctx.settings();
  const out: string[] = [];
  const title = el.anonymous ? `\`${el.className}\` (anonymous, \`${el.name}\`)` : `**${el.name}** :: \`${el.className}\``;
  out.push(title, '');

  const tracked = index.element(el.className);
  const merged = index.features(el.className, settings.llm.model);
  if (tracked) {
    out.push(featuresMarkdown(el.className, tracked.features, merged, { maxEvidence: 4 }));
    if (tracked.threading) out.push('', threadingMarkdown(tracked.threading, 2));
  } else if (!indexReady) {
    out.push('_The element index is still being built._');
  } else {
    out.push(`_\`${el.className}\` is not in the element index (\`flowmage.sourcePaths\`); FlowMage cannot tell what state it keeps._`);
  }

  // Inputs: the chain they feed.
  for (const c of analysis.chains.filter((c) => c.chain.input.decl === el)) out.push('', ...inputSection(c, settings.rewrite.rssParameter));
  // Elements: how they run in each chain that reaches them.
  const uses = analysis.chains.flatMap((c) => c.elements.filter((s) => s.instance.decl === el).map((s) => ({ c, s })));
  for (const { c, s } of uses) out.push('', ...statusSection(c, s, settings.rewrite.sharedParameter));

  const doc = tracked?.info.doc;
  if (doc) {
    out.push('', '---', '');
    if (doc.synopsis) out.push(`\`${doc.synopsis}\``, '');
    if (doc.summary) out.push(`_${doc.summary}_`, '');
    if (doc.description) out.push(firstParagraph(doc.description));
  }
  const info = index.lookup(el.className);
  if (info?.file) out.push('', `Source: ${sourceLink(info.file, info.line ?? 0)}`);
  return out.join('\n');
}

function inputSection(c: ChainAnalysis, rssParameter: string): string[] {
  const stateful = c.elements.filter((s) => s.stateful);
  const current = c.current.source === 'default' ? `${formatKey(c.current.rss)} (the driver's default: no ${rssParameter})` : formatKey(c.current.rss);
  const same = c.plan.rss.join() === c.current.rss.join();
  return [
    `**Chain from \`${c.chain.input.id}\`**${c.threads ? ` on ${c.threads} threads` : ''}: ${c.elements.length} elements, ${stateful.length} stateful`,
    `- RSS as configured: ${current}`,
    `- Optimized RSS: ${candidateLabel(c.plan)}${same && !c.plan.symmetric ? ' (unchanged)' : ''}; ${c.plan.elements.filter((e) => e.shared === false).length} of ${stateful.length} stateful elements shared-nothing`,
    ...(c.trace ? [`- Balance on the trace \`${c.trace.name}\` (${c.trace.queues} queues): imbalance ${c.trace.chosen.imbalance.toFixed(2)} (max / mean queue load)`] : []),
    ...c.plan.notes.map((n) => `- ${n}`),
    ...(c.deploy.symmetricHint ? [`- ${c.deploy.symmetricHint}`] : []),
    `- Deploy: ${c.deploy.reason}${c.deploy.rulesFile && c.deploy.rules ? ` (rules file \`${basename(c.deploy.rulesFile)}\`)` : ''}`,
    ...c.deploy.notes.map((n) => `- ${n}`),
    ...(c.plan.tieBreak.method !== 'none'
      ? [`- Tie broken by ${c.plan.tieBreak.method === 'llm' ? 'the LLM complexity comparison' : 'a static estimate of per-packet work'}: ${c.plan.tieBreak.ranking.join(' > ')}`]
      : []),
  ];
}

function statusSection(c: ChainAnalysis, s: ElementStatus, sharedParameter: string): string[] {
  const where = ` (chain from \`${c.chain.input.id}\`${s.instance.compoundPath.length ? `, as \`${s.instance.id}\`` : ''})`;
  if (!s.info) return [`**Sharing**${where}: unknown: the class is not indexed.`];
  if (!s.stateful) return [`**Sharing**${where}: not applicable: stateless.`];
  const written =
    s.route?.kind === 'class'
      ? `class ${s.instance.className}, ${s.route.model ?? 'threading unknown'}`
      : s.currentSharedArg
        ? `${sharedParameter} ${s.currentSharedArg.value}`
        : `${sharedParameter} not set (defaults to true)`;
  const nowState = s.currentShared
    ? `shares state across cores (${written})${s.safeSharedNothingNow ? '; it could safely run shared-nothing' : ''}`
    : s.safeSharedNothingNow
      ? `shared-nothing (${written}): each core keeps private state`
      : `**unsafe**: ${written} but RSS on ${formatKey(c.current.rss)} is not inside its key ${formatKey(s.flowKey)}`;
  const planned = s.planShared === null ? 'no change' : s.planShared ? 'shared' : 'shared-nothing';
  return [
    `**Sharing**${where}`,
    `- As configured (RSS ${formatKey(c.current.rss)}): ${nowState}`,
    `- Optimized (RSS ${formatKey(c.plan.rss)}): **${planned}**: ${s.reason}`,
    ...(s.route ? [`- Written as: ${s.route.reason}`] : []),
  ];
}

function firstParagraph(text: string): string {
  const p = text.trim().split(/\n\s*\n/)[0] ?? '';
  return p.length > 600 ? `${p.slice(0, 600)}…` : p;
}
