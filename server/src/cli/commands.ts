// The registry of subcommands, one module each under commands/.
import type { Command } from './command';
import { analyzeCommand } from './commands/analyze';

export const COMMANDS: Command[] = [analyzeCommand];
