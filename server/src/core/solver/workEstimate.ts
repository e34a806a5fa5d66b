// A static estimate of per-packet work from an element's code slice, used only to break ties when
// no LLM comparison is available. It counts the constructs that cost time on the packet path:
// loops, lookups, calls, branches, atomics. An estimate, not a measurement; the UI says so.

const WEIGHTS: Array<[RegExp, number]> = [
  [/\b(for|while)\s*\(|\bdo\s*\{/g, 4], // loops: work proportional to something per packet
  [/\b(find|find_insert|lookup|get|insert|set|erase|remove|rte_hash_\w+|hash\w*)\s*\(/g, 3], // table operations
  [/\b(lock|unlock|acquire|release|atomic\w*|fetch_add|compare_exchange\w*)\b/g, 3], // synchronization
  [/->\s*\w+|\*\s*\w+\s*(?:->|\.)/g, 1], // pointer dereferences
  [/\b(if|switch|case)\b|\?/g, 1], // branches
  [/\b[A-Za-z_]\w*\s*\(/g, 1], // calls (and the keywords above, already weighted)
];

export function estimateWork(code: string): number {
  const clean = code
    .replace(/\/\*[\s\S]*?\*\//g, ' ')
    .replace(/\/\/[^\n]*/g, ' ')
    .replace(/"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'/g, '""');
  let score = 0;
  for (const [re, w] of WEIGHTS) score += (clean.match(re)?.length ?? 0) * w;
  return score;
}
