// Settings → the options analyzeConfig takes, in one place for the server and the CLI.
import type { FlowMageSettings } from '../settings';
import type { NicProfile } from '../solver/candidates';
import { REWRITE_TARGETS, type RewriteTarget } from '../rewrite/deployTarget';
import type { AnalyzeOptions, ElementInfo } from './analyzeConfig';

export function analyzeOptions(
  settings: FlowMageSettings,
  lookup: (className: string) => ElementInfo | undefined,
  compareComplexity?: AnalyzeOptions['compareComplexity'],
): AnalyzeOptions {
  return {
    lookup,
    nicProfile: settings['flowmage.solver.nicProfile'] as NicProfile,
    customFieldSets: settings['flowmage.solver.customFieldSets'] as string[][],
    customNicProfile: settings['flowmage.solver.customNicProfile'] as Record<string, unknown>,
    weights: {
      perPacket: settings['flowmage.solver.weights.perPacket'],
      perFlow: settings['flowmage.solver.weights.perFlow'],
      pointerChasingFactor: settings['flowmage.solver.weights.pointerChasingFactor'],
    },
    imbalanceWeight: settings['flowmage.solver.imbalanceWeight'],
    maxImbalance: settings['flowmage.solver.maxImbalance'],
    rssParameter: settings['flowmage.rewrite.rssParameter'] || 'HASHFUNC',
    sharedParameter: settings['flowmage.rewrite.sharedParameter'] || 'SHARED',
    compareComplexity,
    swapClasses: settings['flowmage.rewrite.swapClasses'] === true,
    target: (REWRITE_TARGETS as readonly string[]).includes(settings['flowmage.rewrite.target']) ? (settings['flowmage.rewrite.target'] as RewriteTarget) : 'auto',
  };
}
