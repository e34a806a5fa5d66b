// The three configurations of issue 13, item 1, shared by the model, CLI and fuzz tests.

export const NESTED_ANONYMOUS = 'input :: FromDPDKDevice(0) -> { input -> { input -> { input -> { input -> Counter -> output } -> output } -> output } -> output } -> Discard;\n';
export const RECURSIVE = 'elementclass R { input -> R -> R -> output }\ninput :: FromDPDKDevice(0) -> R -> Discard;\n';

/** `n` classes, each using the previous one twice: 2^(n-1) Counters. */
export function doublingChain(n: number): string {
  let text = 'elementclass C0 { input -> Counter -> output }\n';
  for (let i = 1; i < n; i++) text += `elementclass C${i} { input -> C${i - 1} -> C${i - 1} -> output }\n`;
  return text + `input :: FromDPDKDevice(0) -> C${n - 1} -> Discard;\n`;
}
