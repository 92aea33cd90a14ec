import * as http from 'node:http';
import { gzipSync } from 'node:zlib';
import { makeUser, message, personalChat } from '../../harness/activities';
import { useHarness } from '../../harness/useHarness';
import { rawRequest } from '../../support/rawHttp';

const TENANT = '5d1b2c3a-4e5f-4a6b-8c7d-9e0f1a2b3c4d';

/** Runs `action` with the global Buffer counting its calls as a function or constructor (DEP0005). */
async function bufferCallsDuring(action: () => Promise<unknown>): Promise<number> {
  const original = globalThis.Buffer;
  let calls = 0;
  globalThis.Buffer = new Proxy(original, {
    apply: (target, self, args) => {
      calls++;
      return Reflect.apply(target, self, args) as unknown;
    },
    construct: (target, args, newTarget) => {
      calls++;
      return Reflect.construct(target, args, newTarget) as object;
    },
  });
  try {
    await action();
  } finally {
    globalThis.Buffer = original;
  }
  return calls;
}

describe('reading an activity body', () => {
  const { h } = useHarness();
  const user = makeUser('Megan Bowen', 'megan@contoso.onmicrosoft.com');
  const url = () => `${h.bot.url}/api/messages`;
  const help = () => JSON.stringify(message(h.standIn.url, personalChat(TENANT, user), user, 'help'));

  /** The stand-in's calls while `post` runs: the bot's replies. */
  async function repliesTo(post: () => Promise<{ status: number }>): Promise<number> {
    const before = h.standIn.calls.length;
    const answer = await post();
    expect(answer.status).toBe(200);
    return h.standIn.calls.length - before;
  }

  test('a plain activity of a stated length is read without the deprecated Buffer() constructor', async () => {
    const body = help();
    let replies = 0;
    const calls = await bufferCallsDuring(async () => {
      replies = await repliesTo(() =>
        rawRequest(url(), {
          headers: { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) },
          body,
        }),
      );
    });
    expect(replies).toBeGreaterThan(0);
    expect(calls).toBe(0);
  });

  test('a gzip-compressed activity is still read (by restify, whose reader calls Buffer())', async () => {
    const body = gzipSync(help());
    let replies = 0;
    const calls = await bufferCallsDuring(async () => {
      replies = await repliesTo(() =>
        rawRequest(url(), {
          headers: {
            'content-type': 'application/json',
            'content-encoding': 'gzip',
            'content-length': String(body.length),
          },
          body,
        }),
      );
    });
    expect(replies).toBeGreaterThan(0);
    expect(calls).toBeGreaterThan(0);
  });

  test('a chunked activity (no Content-Length) is still read', async () => {
    // Without a Content-Length header Node sends the written body chunked.
    const replies = await repliesTo(() =>
      rawRequest(url(), { headers: { 'content-type': 'application/json' }, body: help() }),
    );
    expect(replies).toBeGreaterThan(0);
  });

  test('a request whose client goes away mid-body leaves the bot answering the next one', async () => {
    await new Promise<void>((resolve) => {
      const request = http.request(url(), {
        method: 'POST',
        agent: false,
        headers: { 'content-type': 'application/json', 'content-length': '5000' },
      });
      request.on('error', () => resolve());
      request.write('{"type": "message", ');
      setTimeout(() => {
        request.destroy();
        resolve();
      }, 50);
    });
    const body = help();
    const replies = await repliesTo(() =>
      rawRequest(url(), {
        headers: { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) },
        body,
      }),
    );
    expect(replies).toBeGreaterThan(0);
  });
});
