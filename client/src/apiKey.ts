// The LLM API key lives in VS Code's SecretStorage. It reaches the language server through the
// server process's environment (never through settings or JSON-RPC, which `flowmage.trace.server`
// would write to the log), so a new key restarts the server.
import * as vscode from 'vscode';

const SECRET = 'flowmage.llm.apiKey';

export class ApiKeyStore {
  constructor(private readonly secrets: vscode.SecretStorage) {}

  get(): Thenable<string | undefined> {
    return this.secrets.get(SECRET);
  }

  /** Prompts with a password box unless a key is given (tests pass one). Returns whether it changed. */
  async set(given?: string): Promise<boolean> {
    const key =
      typeof given === 'string'
        ? given
        : await vscode.window.showInputBox({
            title: 'FlowMage: Set API Key',
            prompt: "API key for the OpenAI-compatible endpoint in flowmage.llm.baseUrl. It is kept in VS Code's secret storage.",
            password: true,
            ignoreFocusOut: true,
            validateInput: (v) => (v.trim().length < 8 ? 'That does not look like an API key.' : undefined),
          });
    if (!key?.trim()) return false;
    await this.secrets.store(SECRET, key.trim());
    return true;
  }

  async clear(): Promise<void> {
    await this.secrets.delete(SECRET);
  }
}
