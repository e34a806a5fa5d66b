// Entry of the FlowMage language server. Transport comes from the command line, as for any LSP
// server: `--node-ipc` (VS Code), `--stdio` (Neovim, Emacs, tests) or `--socket=PORT`.
// First: on a cold start it forks the index's child process before the rest loads.
import './lsp/earlyIndexProcess';
import { createConnection, ProposedFeatures } from 'vscode-languageserver/node';
import { cancelUndispatchedRequests } from './lsp/requestCancellation';
import { startSession } from './lsp/session';
import { shutdownGuard } from './lsp/shutdownGuard';

const transports = ['--stdio', '--node-ipc', '--socket', '--pipe', '--clientProcessId'];
if (!process.argv.slice(2).some((a) => transports.some((t) => a.startsWith(t)))) {
  process.stderr.write('usage: node dist/server.js --stdio | --node-ipc | --socket=PORT\n');
  process.exit(2);
} else {
  const guard = shutdownGuard();
  const connection = createConnection(ProposedFeatures.all, { messageStrategy: guard.messageStrategy, connectionStrategy: cancelUndispatchedRequests });
  guard.install(connection);
  startSession(connection);
  connection.listen();
}
