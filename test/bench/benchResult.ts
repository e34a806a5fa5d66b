// One figure a bench module reports; run.ts prints it, with the target when there is one.
export interface BenchResult {
  name: string;
  value: number;
  unit: string;
  /** Upper bound the issue sets, if any. */
  target?: number;
  detail?: string;
}
