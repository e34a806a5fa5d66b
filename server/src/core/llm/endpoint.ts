// Where LLM requests go, and whether the user has agreed to send element code and the API key
// there. Settings from a cloned repository (workspace settings) or the environment can name any
// host; only the default endpoint, a local one, or one the user set in their own settings is used
// without asking. Pure functions: the VS Code client asks, the server obeys, the CLI logs.

/** What an empty `flowmage.llm.baseUrl` means (passed to the SDK explicitly, so OPENAI_BASE_URL never applies silently). */
export const DEFAULT_BASE_URL = 'https://api.openai.com/v1';

export interface Endpoint {
  /** The URL requests go to (the default when the setting is empty). */
  url: string;
  /** `https://host:port`: what consent is remembered by. */
  origin: string;
  /** `host:port` as shown to the user. */
  host: string;
  isDefault: boolean;
  isLocal: boolean;
}

/** The endpoint a `baseUrl` setting means, or undefined when it is not an http(s) URL. */
export function describeEndpoint(baseUrl: string | undefined): Endpoint | undefined {
  const url = baseUrl?.trim() || DEFAULT_BASE_URL;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return undefined;
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') return undefined;
  return { url, origin: parsed.origin, host: parsed.host, isDefault: parsed.origin === new URL(DEFAULT_BASE_URL).origin, isLocal: isLoopbackHost(parsed.hostname) };
}

/** localhost, 127.0.0.0/8 and [::1]: requests never leave the machine. */
export function isLoopbackHost(hostname: string): boolean {
  const h = hostname.toLowerCase();
  return h === 'localhost' || h === '[::1]' || h === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}

/** Where the endpoint setting's value comes from. */
export type EndpointSource = 'default' | 'user' | 'workspace' | 'environment';

export type ConsentDecision =
  { decision: 'allow'; endpoint: Endpoint; why: string } | { decision: 'ask'; endpoint: Endpoint; why: string } | { decision: 'deny'; endpoint: Endpoint | undefined; why: string };

/**
 * Whether requests may go to `baseUrl`: allowed for the default endpoint, a local one, or one the
 * user set in their own settings; otherwise the user's remembered answer for its origin, or ask.
 */
export function endpointConsent(source: EndpointSource, baseUrl: string | undefined, remembered: Readonly<Record<string, boolean>>): ConsentDecision {
  const endpoint = describeEndpoint(baseUrl);
  if (!endpoint) return { decision: 'deny', endpoint, why: `flowmage.llm.baseUrl "${baseUrl}" is not an http(s) URL` };
  if (endpoint.isDefault) return { decision: 'allow', endpoint, why: 'the default endpoint' };
  if (endpoint.isLocal) return { decision: 'allow', endpoint, why: 'a local endpoint' };
  if (source === 'user' || source === 'default') return { decision: 'allow', endpoint, why: 'set in your user settings' };
  const from = source === 'workspace' ? 'the workspace settings' : 'OPENAI_BASE_URL';
  const answer = Object.prototype.hasOwnProperty.call(remembered, endpoint.origin) ? remembered[endpoint.origin] : undefined;
  if (answer === true) return { decision: 'allow', endpoint, why: `set by ${from}; you allowed ${endpoint.host}` };
  if (answer === false) return { decision: 'deny', endpoint, why: `set by ${from}; you declined to send code to ${endpoint.host}` };
  return { decision: 'ask', endpoint, why: `set by ${from}` };
}

/** Where a setting's value comes from, given VS Code's `inspect()` of it. */
export function settingSource(
  inspected:
    | {
        globalValue?: unknown;
        workspaceValue?: unknown;
        workspaceFolderValue?: unknown;
        globalLanguageValue?: unknown;
        workspaceLanguageValue?: unknown;
        workspaceFolderLanguageValue?: unknown;
      }
    | undefined,
): EndpointSource {
  if (!inspected) return 'default';
  const i = inspected;
  // Any value a workspace can carry (language-specific ones too) counts as the workspace's.
  if ([i.workspaceFolderValue, i.workspaceValue, i.workspaceFolderLanguageValue, i.workspaceLanguageValue].some((v) => v !== undefined)) return 'workspace';
  if (i.globalValue !== undefined || i.globalLanguageValue !== undefined) return 'user';
  return 'default';
}

/**
 * One line on the LLM for the status item and the log: the model and the host requests go to, or
 * why nothing is sent there.
 */
export function llmTargetText(model: string, consent: ConsentDecision): string {
  if (!consent.endpoint) return `LLM ${model}: ${consent.why}; nothing is sent`;
  const host = consent.endpoint.host;
  if (consent.decision === 'allow') return `LLM ${model} at ${host}`;
  if (consent.decision === 'ask') return `LLM ${model}: nothing is sent to ${host} (${consent.why}) until you allow it`;
  return `LLM ${model}: nothing is sent to ${host} (${consent.why})`;
}
