import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';

/** The Bot Connector operations the stand-in serves, named as the Bot Framework REST API names them. */
export type ConnectorRoute =
  | 'sendToConversation'
  | 'replyToActivity'
  | 'updateActivity'
  | 'deleteActivity'
  | 'createConversation'
  | 'getConversationMember'
  | 'getConversationMembers'
  | 'getConversationPagedMembers'
  | 'getTeamChannels'
  | 'getTeamDetails';

/** One call the bot made to the stand-in. */
export interface RecordedCall {
  route: ConnectorRoute;
  method: string;
  path: string;
  conversationId?: string;
  activityId?: string;
  memberId?: string;
  teamId?: string;
  /** The JSON body, for calls that carry one (parsed when first read). */
  body?: Record<string, unknown>;
  /** The status the stand-in answered with. */
  status: number;
  /** The body the stand-in answered with (holds the new activity id of a send). */
  answer?: unknown;
  at: number;
}

/** A programmed answer for the next matching call(s). */
export interface ProgrammedAnswer {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** Milliseconds to wait before answering. */
  delayMs?: number;
}

interface Rule {
  route: ConnectorRoute;
  match?: (call: RecordedCall) => boolean;
  answer: ProgrammedAnswer | ((call: RecordedCall) => ProgrammedAnswer | undefined);
  /** How many more calls this rule answers; Infinity for always. */
  remaining: number;
}

const ROUTES: { method: string; pattern: RegExp; route: ConnectorRoute; keys: (keyof RecordedCall)[] }[] = [
  { method: 'POST', pattern: /^\/v3\/conversations$/, route: 'createConversation', keys: [] },
  {
    method: 'POST',
    pattern: /^\/v3\/conversations\/([^/]+)\/activities$/,
    route: 'sendToConversation',
    keys: ['conversationId'],
  },
  {
    method: 'POST',
    pattern: /^\/v3\/conversations\/([^/]+)\/activities\/([^/]+)$/,
    route: 'replyToActivity',
    keys: ['conversationId', 'activityId'],
  },
  {
    method: 'PUT',
    pattern: /^\/v3\/conversations\/([^/]+)\/activities\/([^/]+)$/,
    route: 'updateActivity',
    keys: ['conversationId', 'activityId'],
  },
  {
    method: 'DELETE',
    pattern: /^\/v3\/conversations\/([^/]+)\/activities\/([^/]+)$/,
    route: 'deleteActivity',
    keys: ['conversationId', 'activityId'],
  },
  {
    method: 'GET',
    pattern: /^\/v3\/conversations\/([^/]+)\/members\/([^/]+)$/,
    route: 'getConversationMember',
    keys: ['conversationId', 'memberId'],
  },
  {
    method: 'GET',
    pattern: /^\/v3\/conversations\/([^/]+)\/members$/,
    route: 'getConversationMembers',
    keys: ['conversationId'],
  },
  {
    method: 'GET',
    pattern: /^\/v3\/conversations\/([^/]+)\/pagedmembers$/,
    route: 'getConversationPagedMembers',
    keys: ['conversationId'],
  },
  {
    method: 'GET',
    pattern: /^\/v3\/teams\/([^/]+)\/conversations$/,
    route: 'getTeamChannels',
    keys: ['teamId'],
  },
  { method: 'GET', pattern: /^\/v3\/teams\/([^/]+)$/, route: 'getTeamDetails', keys: ['teamId'] },
];

/** A member the stand-in knows, answered by the member routes. */
export interface StandInMember {
  id: string;
  name: string;
  aadObjectId?: string;
  userPrincipalName?: string;
  email?: string;
}

export interface StandInOptions {
  /**
   * Whether answered calls are kept in `calls` (default true). A benchmark that watches calls
   * through programmed rules turns it off: the real service runs on other machines, so what it
   * holds must not weigh on the garbage collector of the process that times the bot.
   */
  keepCalls?: boolean;
}

/**
 * A local stand-in for Teams' Bot Connector service (the activity's serviceUrl). It records
 * what the bot sends and answers like the service does, unless a test programs another answer.
 */
export class ConnectorStandIn {
  readonly calls: RecordedCall[] = [];
  private readonly keepCalls: boolean;
  private readonly rules: Rule[] = [];
  private readonly members = new Map<string, StandInMember>();
  private readonly waiters = new Set<() => void>();
  private server?: http.Server;
  private baseUrl = '';

  constructor(options: StandInOptions = {}) {
    this.keepCalls = options.keepCalls ?? true;
  }

  /** The serviceUrl to put in activities. */
  get url(): string {
    return this.baseUrl;
  }

  async start(): Promise<void> {
    this.server = http.createServer((req, res) => void this.handle(req, res));
    // Node's http.Agent, under the bot's Bot Connector clients, keeps idle sockets until the server
    // closes them, so with Node's default of 5 s a reply can go out on a socket the stand-in is
    // just closing. Kept open longer so that tests and the bench do not time that race (the bench
    // saw turns answered a minute late after idle gaps; this cause is not proven). testBot does the
    // same for the bot's own server.
    this.server.keepAliveTimeout = 120_000;
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    const { port } = this.server.address() as AddressInfo;
    this.baseUrl = `http://127.0.0.1:${port}/`;
  }

  async stop(): Promise<void> {
    if (!this.server) return;
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server!.close(() => resolve()));
    this.server = undefined;
  }

  /** Makes the member routes know this person. */
  addMember(member: StandInMember): void {
    this.members.set(member.id, member);
    if (member.aadObjectId) this.members.set(member.aadObjectId, member);
  }

  /** Answers the next `times` calls of a route (optionally only those matching) with `answer`. */
  program(
    route: ConnectorRoute,
    answer: Rule['answer'],
    options: { times?: number; match?: (call: RecordedCall) => boolean } = {},
  ): void {
    this.rules.push({ route, answer, match: options.match, remaining: options.times ?? 1 });
  }

  /** Forgets programmed answers and recorded calls. */
  reset(): void {
    this.rules.length = 0;
    this.calls.length = 0;
  }

  /** Calls of one route, optionally in one conversation. */
  callsTo(route: ConnectorRoute, conversationId?: string): RecordedCall[] {
    return this.calls.filter(
      (c) => c.route === route && (!conversationId || c.conversationId === conversationId),
    );
  }

  /** Activities the bot posted (sent or replied) successfully, optionally in one conversation. */
  posted(conversationId?: string): Record<string, unknown>[] {
    return this.calls
      .filter(
        (c) =>
          (c.route === 'sendToConversation' || c.route === 'replyToActivity') &&
          c.status < 300 &&
          (!conversationId || c.conversationId === conversationId),
      )
      .map((c) => c.body!);
  }

  /** Waits until `predicate` holds over the recorded calls, or fails after `timeoutMs`. */
  async waitFor(
    predicate: (calls: RecordedCall[]) => boolean,
    timeoutMs = 5000,
    what = 'a call',
  ): Promise<void> {
    if (predicate(this.calls)) return;
    await new Promise<void>((resolve, reject) => {
      const check = () => {
        if (predicate(this.calls)) {
          clearTimeout(timer);
          this.waiters.delete(check);
          resolve();
        }
      };
      const timer = setTimeout(() => {
        this.waiters.delete(check);
        reject(
          new Error(`timed out after ${timeoutMs} ms waiting for ${what}; calls: ${this.describeCalls()}`),
        );
      }, timeoutMs);
      this.waiters.add(check);
    });
  }

  /** A one-line summary of every call, for failure messages. */
  describeCalls(): string {
    return this.calls.map((c) => `${c.route}(${c.conversationId ?? ''})=${c.status}`).join(', ') || 'none';
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks);
    const route = ROUTES.find((r) => r.method === req.method && r.pattern.test(url.pathname));
    if (!route) {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          error: { code: 'NotFound', message: `stand-in has no ${req.method} ${url.pathname}` },
        }),
      );
      return;
    }
    const match = route.pattern.exec(url.pathname)!;
    const call: RecordedCall = {
      route: route.route,
      method: req.method!,
      path: url.pathname,
      status: 0,
      at: Date.now(),
    };
    route.keys.forEach((key, i) => {
      (call as unknown as Record<string, string>)[key] = decodeURIComponent(match[i + 1]);
    });
    if (raw.length > 0) withLazyBody(call, raw);
    const answer = this.programmedAnswer(call) ?? this.defaultAnswer(call);
    if (answer.delayMs) await new Promise((r) => setTimeout(r, answer.delayMs));
    call.status = answer.status;
    call.answer = answer.body;
    if (this.keepCalls) this.calls.push(call);
    res.writeHead(answer.status, { 'content-type': 'application/json', ...(answer.headers ?? {}) });
    res.end(answer.body === undefined ? '' : JSON.stringify(answer.body));
    for (const waiter of [...this.waiters]) waiter();
  }

  private programmedAnswer(call: RecordedCall): ProgrammedAnswer | undefined {
    for (const rule of this.rules) {
      if (rule.remaining <= 0 || rule.route !== call.route || (rule.match && !rule.match(call))) continue;
      const answer = typeof rule.answer === 'function' ? rule.answer(call) : rule.answer;
      if (!answer) continue;
      rule.remaining -= 1;
      return answer;
    }
    return undefined;
  }

  private defaultAnswer(call: RecordedCall): ProgrammedAnswer {
    switch (call.route) {
      case 'sendToConversation':
      case 'replyToActivity':
        return { status: 200, body: { id: `activity-${randomUUID()}` } };
      case 'updateActivity':
        return { status: 200, body: { id: call.activityId } };
      case 'deleteActivity':
        return { status: 200 };
      case 'createConversation': {
        const members = (call.body?.members as { id: string }[] | undefined) ?? [];
        return {
          status: 201,
          body: { id: `a:1:personal-${members[0]?.id ?? randomUUID()}`, activityId: randomUUID() },
        };
      }
      case 'getConversationMember': {
        const member = this.members.get(call.memberId!);
        return member
          ? { status: 200, body: member }
          : { status: 404, body: { error: { code: 'MemberNotFoundInConversation', message: 'not found' } } };
      }
      case 'getConversationMembers':
        return { status: 200, body: [...new Set(this.members.values())] };
      case 'getConversationPagedMembers':
        return { status: 200, body: { members: [...new Set(this.members.values())] } };
      case 'getTeamChannels':
        return { status: 200, body: { conversations: [{ id: call.teamId, name: 'General' }] } };
      case 'getTeamDetails':
        return { status: 200, body: { id: call.teamId, name: 'Migration team', aadGroupId: randomUUID() } };
    }
  }
}

/**
 * Decodes and parses the body on first read: a rule that only looks at the route and ids costs no
 * parse, as a service on another machine costs the bot none. Read or not, it is the same object.
 */
function withLazyBody(call: RecordedCall, raw: Buffer): void {
  let parsed: Record<string, unknown> | undefined;
  Object.defineProperty(call, 'body', {
    enumerable: true,
    configurable: true,
    get() {
      if (!parsed) {
        try {
          parsed = JSON.parse(raw.toString('utf8')) as Record<string, unknown>;
        } catch {
          parsed = { unparsable: raw.toString('utf8') };
        }
      }
      return parsed;
    },
    set(value: Record<string, unknown>) {
      parsed = value;
    },
  });
}
