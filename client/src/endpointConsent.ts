// Asks the user once per endpoint before element code and the API key go to an LLM endpoint that
// the workspace settings chose (a cloned repository's .vscode/settings.json can name any host).
// Answers are remembered in globalState by endpoint origin; the server learns only the allowed
// origins (initialization option, then `flowmage/llmEndpointConsent`), never the key.
import * as vscode from 'vscode';
import { endpointConsent, llmTargetText, settingSource, type ConsentDecision } from '../../server/src/core/llm/endpoint';

/**
 * The LLM settings the consent depends on. No defaults here: VS Code fills them in from package.json,
 * which is generated from the settings schema; a value of the wrong type counts as unset, as the
 * server reads it (without bundling the server's validator into the extension).
 */
function settings(): { llm: { enabled: boolean; baseUrl: string; model: string } } {
  const config = vscode.workspace.getConfiguration('flowmage');
  const text = (key: string) => {
    const v = config.get<unknown>(key);
    return typeof v === 'string' ? v : '';
  };
  return { llm: { enabled: config.get<unknown>('llm.enabled') === true, baseUrl: text('llm.baseUrl'), model: text('llm.model') } };
}

const REMEMBERED = 'flowmage.llm.endpointConsent';

export class EndpointConsent {
  /** One question at a time: settings may change while the dialog is open. */
  private asking: Promise<ConsentDecision> | undefined;

  constructor(
    private readonly state: vscode.Memento,
    private readonly log: vscode.LogOutputChannel,
  ) {}

  private remembered(): Record<string, boolean> {
    return this.state.get<Record<string, boolean>>(REMEMBERED, {});
  }

  /** The decision for the endpoint in the settings now, without asking. */
  current(): ConsentDecision {
    const config = vscode.workspace.getConfiguration('flowmage');
    return endpointConsent(settingSource(config.inspect<string>('llm.baseUrl')), settings().llm.baseUrl, this.remembered());
  }

  /** The origins the server may send to. */
  allowedOrigins(decision = this.current()): string[] {
    return decision.decision === 'allow' ? [decision.endpoint.origin] : [];
  }

  /** `LLM gpt-4o at api.openai.com`, or why nothing is sent (undefined when the LLM is off). */
  statusText(): string | undefined {
    const { llm } = settings();
    if (!llm.enabled) return undefined;
    return llmTargetText(llm.model, this.current());
  }

  /**
   * Asks when the endpoint needs consent and the LLM could send something (enabled, trusted
   * workspace). A dismissed dialog is not remembered: the question comes back next time.
   */
  async review(): Promise<ConsentDecision> {
    const decision = this.current();
    if (decision.decision !== 'ask' || !settings().llm.enabled || !vscode.workspace.isTrusted) return decision;
    this.asking ??= this.ask(decision).finally(() => (this.asking = undefined));
    return this.asking;
  }

  private async ask(decision: Extract<ConsentDecision, { decision: 'ask' }>): Promise<ConsentDecision> {
    const { endpoint } = decision;
    const choice = await vscode.window.showWarningMessage(
      `Send element code and your API key to ${endpoint.host}?`,
      {
        modal: true,
        detail:
          `flowmage.llm.baseUrl is ${endpoint.url}, ${decision.why}. With LLM analysis on, FlowMage sends the C++ source of your elements ` +
          `and your API key to this endpoint. Your answer is remembered for ${endpoint.origin}.`,
      },
      'Allow',
      'Deny',
    );
    if (!choice) {
      this.log.warn(`LLM endpoint ${endpoint.host} not allowed yet (the question was dismissed): nothing is sent there`);
      return decision;
    }
    await this.state.update(REMEMBERED, { ...this.remembered(), [endpoint.origin]: choice === 'Allow' });
    this.log.info(`LLM endpoint ${endpoint.origin}: ${choice === 'Allow' ? 'allowed' : 'denied'} by the user (remembered)`);
    return this.current();
  }

  /** Forgets every answer: the next use of each workspace-chosen endpoint asks again. */
  async forget(): Promise<void> {
    await this.state.update(REMEMBERED, undefined);
  }
}
