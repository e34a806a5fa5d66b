// The registry of subcommands, one module each under commands/.
import type { Command } from './command';

export const COMMANDS: Command[] = [];
