// The registry of subcommands, one module each under commands/.
import type { Command } from './command';
import { analyzeCommand } from './commands/analyze';
import { parseCommand } from './commands/parse';

export const COMMANDS: Command[] = [parseCommand, analyzeCommand];
