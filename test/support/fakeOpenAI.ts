// A real HTTP server on 127.0.0.1 (or another local address) that speaks the OpenAI chat-completions protocol, records every
// request and replays scripted answers. Stands in for the LLM in unit, protocol and editor tests.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  body: {
    model?: string;
    messages?: Array<{ role: string; content: string }>;
    response_format?: { type: string; json_schema?: { name: string; schema: unknown } };
    temperature?: number;
  };
}

export type Reply =
  | { kind: 'content'; content: string; usage?: { prompt_tokens: number; completion_tokens: number }; delayMs?: number }
  | { kind: 'status'; status: number; body?: unknown; headers?: Record<string, string> }
  | { kind: 'hang' };

export type Script = (request: RecordedRequest, index: number) => Reply;

export class FakeOpenAI {
  readonly requests: RecordedRequest[] = [];
  /** Requests received and not yet answered, and the most there ever were at once. */
  inFlight = 0;
  peakInFlight = 0;
  private server: Server | undefined;
  private host = '127.0.0.1';
  private readonly hanging: ServerResponse[] = [];
  script: Script = () => ({ kind: 'content', content: '{}' });

  /** Listens on loopback, or on `host` (another address of this machine stands in for a remote endpoint). */
  async start(host = '127.0.0.1'): Promise<string> {
    this.host = host;
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, host, resolve));
    return this.baseUrl;
  }

  get baseUrl(): string {
    const { port } = this.server!.address() as AddressInfo;
    return `http://${this.host}:${port}/v1`;
  }

  /** Replies in order; the last reply repeats. */
  sequence(...replies: Reply[]): this {
    this.script = (_r, i) => replies[Math.min(i, replies.length - 1)];
    return this;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    let body: RecordedRequest['body'] = {};
    try {
      body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
    } catch {
      /* recorded as empty */
    }
    const recorded: RecordedRequest = { method: req.method ?? '', path: req.url ?? '', headers: req.headers, body };
    const index = this.requests.push(recorded) - 1;
    const reply = this.script(recorded, index);
    this.inFlight++;
    this.peakInFlight = Math.max(this.peakInFlight, this.inFlight);
    res.on('close', () => this.inFlight--);
    if (reply.kind === 'content' && reply.delayMs) await new Promise((r) => setTimeout(r, reply.delayMs));
    if (reply.kind === 'hang') {
      this.hanging.push(res);
      return;
    }
    if (reply.kind === 'status') {
      res.writeHead(reply.status, { 'content-type': 'application/json', ...(reply.headers ?? {}) });
      res.end(JSON.stringify(reply.body ?? { error: { message: `scripted ${reply.status}`, type: 'test' } }));
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(
      JSON.stringify({
        id: `chatcmpl-${index}`,
        object: 'chat.completion',
        created: 0,
        model: body.model ?? 'fake',
        choices: [{ index: 0, finish_reason: 'stop', message: { role: 'assistant', content: reply.content } }],
        usage: reply.usage ?? { prompt_tokens: 100, completion_tokens: 20, total_tokens: 120 },
      }),
    );
  }

  async stop(): Promise<void> {
    for (const res of this.hanging.splice(0)) res.destroy();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
    this.server?.closeAllConnections?.();
  }
}

export function featureJson(f: { stateful: boolean; key?: string[]; intensity?: string; pointers?: boolean; objects?: unknown[] }): string {
  return JSON.stringify({
    statefulness: f.stateful ? 'stateful' : 'stateless',
    flow_key: f.key ?? [],
    intensity: f.intensity ?? (f.stateful ? 'per-packet' : 'none'),
    pointer_chasing: f.pointers ?? false,
    state_objects: f.objects ?? [],
  });
}
