// Parameter documentation for hovers and completion: the `=item` text with its type, default,
// whether it is positional or mandatory, and where configure() reads it.
import { podToMarkdown } from '../cpp/docs';
import type { ElementParameter, ParameterList, ParameterType } from '../cpp/parameters';

const TYPE_NAMES: Record<ParameterType, string> = {
  bool: 'boolean',
  integer: 'integer',
  unsigned: 'unsigned integer',
  double: 'real number',
  ip: 'IP address',
  ether: 'Ethernet address',
  string: 'string',
  element: 'element name',
  other: 'value',
};

/** `integer · default 32 · positional, mandatory`. */
export function parameterSummary(p: ElementParameter): string {
  const parts = [p.type ? TYPE_NAMES[p.type] : 'type not evident'];
  parts.push(p.default !== null ? `default ${p.default}` : 'no evident default');
  const how = [p.positional && 'positional', p.mandatory && 'mandatory', p.repeatable && 'may be repeated'].filter(Boolean);
  if (how.length) parts.push(how.join(', '));
  return parts.join(' · ');
}

/** Markdown for a keyword of `className`. */
export function parameterMarkdown(className: string, p: ElementParameter, list: ParameterList): string {
  const out = [`**${p.name}** · \`${className}\` keyword`, '', parameterSummary(p)];
  if (p.doc) out.push('', podToMarkdown(p.doc));
  if (list.completeness === 'partial') out.push('', `_The keyword list of \`${className}\` is partial: ${list.reasons[0] ?? 'not every path was understood'}._`);
  return out.join('\n');
}
