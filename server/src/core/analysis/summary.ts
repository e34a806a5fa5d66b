// One-line summaries of features, as CodeLenses, tables and hovers show them.
import { formatKey, type CoreFeatures, type ElementFeatures } from './features';

/** `stateful · key src_ip · per-packet · pointer chasing`, or `stateless`. */
export function summarizeFeatures(f: CoreFeatures & { unknown?: ElementFeatures['unknown'] }): string {
  if (!f.stateful) return f.unknown?.includes('stateful') ? 'stateless?' : 'stateless';
  const parts = ['stateful'];
  parts.push(f.flowKey.length ? `key ${formatKey(f.flowKey)}` : 'key unknown');
  if (f.intensity) parts.push(f.intensity);
  if (f.pointerChasing) parts.push('pointer chasing');
  return parts.join(' · ');
}
