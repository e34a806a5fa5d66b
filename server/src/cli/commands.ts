// The registry of subcommands, one module each under commands/.
import type { Command } from './command';
import { analyzeCommand } from './commands/analyze';
import { parseCommand } from './commands/parse';
import { optimizeCommand } from './commands/optimize';

export const COMMANDS: Command[] = [parseCommand, analyzeCommand, optimizeCommand];
