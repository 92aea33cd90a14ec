import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { freePort, spawnBot, waitForHealth, type ChildBot } from '../../harness/childBot';
import { makeUser, personalChat } from '../../harness/activities';
import { cardOf, cardText } from '../../harness/cards';
import { ConnectorStandIn } from '../../harness/connectorStandIn';
import { TeamsClient } from '../../harness/teamsClient';
import { makeTempDir, removeTempDir } from '../../harness/testBot';

const run = promisify(execFile);
const ROOT = path.join(__dirname, '..', '..', '..');
const readText = (file: string) => fs.readFileSync(path.join(ROOT, file), 'utf8');

/**
 * `npm ci` of the production set: about a minute with a warm npm cache on an idle machine, several
 * on a loaded one.
 */
const INSTALL_TIMEOUT_MS = 600_000;

interface LockEntry {
  dev?: boolean;
  optional?: boolean;
  hasInstallScript?: boolean;
}

const lockPackages = () =>
  (JSON.parse(readText('package-lock.json')) as { packages: Record<string, LockEntry> }).packages;

/** Production packages with install scripts, other than better-sqlite3 (its binary is copied). */
const SCRIPTED = ['botbuilder-dialogs', 'protobufjs'];

/** The stages of the Dockerfile: name → its instructions (continuation lines joined). */
function dockerStages(dockerfile: string): Map<string, string[]> {
  const stages = new Map<string, string[]>();
  let current: string[] | undefined;
  const lines = dockerfile.replace(/\\\n\s*/g, ' ').split('\n');
  for (const line of lines.map((l) => l.trim()).filter((l) => l && !l.startsWith('#'))) {
    const from = /^FROM\s+\S+(?:\s+AS\s+(\S+))?/i.exec(line);
    if (from) {
      current = [];
      stages.set(from[1] ?? `stage${stages.size}`, current);
    } else current?.push(line);
  }
  return stages;
}

describe('Dockerfile', () => {
  const stages = dockerStages(readText('Dockerfile'));
  const runStage = [...stages.values()].at(-1)!;

  it('builds with dev dependencies and runs with only the npm ci --omit=dev output and the build', () => {
    expect(stages.get('build')?.join('\n')).toMatch(/RUN npm ci(?! --omit)/);
    expect(stages.get('build')?.join('\n')).toMatch(/RUN npm run build/);
    expect(stages.get('prod-deps')?.join('\n')).toMatch(/RUN npm ci --omit=dev/);
    const copies = runStage.filter((l) => /^COPY --from=/.test(l));
    expect(copies).toEqual([
      'COPY --from=prod-deps /app/node_modules ./node_modules',
      'COPY --from=build /app/dist ./dist',
    ]);
    expect(runStage.some((l) => /^RUN npm/.test(l))).toBe(false);
  });

  it('builds and runs on Node 22 LTS (Node 20 reached end of life on 2026-04-30)', () => {
    expect(readText('Dockerfile')).toMatch(/^ARG NODE_IMAGE=node:22-bookworm-slim$/m);
    expect([...readText('Dockerfile').matchAll(/^FROM (\S+)/gm)].map((m) => m[1])).toEqual([
      '${NODE_IMAGE}',
      'toolchain',
      'toolchain',
      '${NODE_IMAGE}',
    ]);
  });

  it('runs as a non-root user, checks /healthz, and sets no public bind of its own', () => {
    expect(runStage).toContain('USER node');
    expect(runStage.find((l) => l.startsWith('HEALTHCHECK'))).toMatch(/\/healthz/);
    // A non-loopback HOST is only accepted with MicrosoftAppId: the operator gives both.
    expect(runStage.some((l) => /^ENV\b.*\bHOST=/.test(l))).toBe(false);
  });

  it('sends the build only what it copies', () => {
    const ignore = readText('.dockerignore')
      .split('\n')
      .filter((l) => l && !l.startsWith('#'));
    expect(ignore[0]).toBe('**');
    expect(ignore.slice(1).sort()).toEqual(
      ['!.npmrc', '!package-lock.json', '!package.json', '!src/**', '!tsconfig.json'].sort(),
    );
  });
});

describe('the production dependency set', () => {
  let dir: string;
  let bot: ChildBot | undefined;
  let standIn: ConnectorStandIn | undefined;

  beforeAll(async () => {
    dir = makeTempDir('concierge-prod-');
    for (const file of ['package.json', 'package-lock.json', '.npmrc']) {
      fs.copyFileSync(path.join(ROOT, file), path.join(dir, file));
    }
    const npm = (args: string[]) =>
      run('npm', [...args, '--prefer-offline', '--no-audit', '--no-fund'], {
        cwd: dir,
        env: { ...process.env, npm_config_yes: 'true' },
        maxBuffer: 16 * 1024 * 1024,
      });
    // From the npm cache where it can. Install scripts are run one by one below: better-sqlite3's
    // would download a prebuilt binary from GitHub or compile SQLite for minutes.
    await npm(['ci', '--omit=dev', '--ignore-scripts']);
    // botbuilder-dialogs' postinstall (`npx rimraf` of nested recognizer copies) needs npm_config_yes.
    await npm(['rebuild', ...SCRIPTED]);
    // The same version's native module, as this checkout's own install built it for this machine.
    const native = path.join('node_modules', 'better-sqlite3', 'build', 'Release', 'better_sqlite3.node');
    fs.mkdirSync(path.dirname(path.join(dir, native)), { recursive: true });
    fs.copyFileSync(path.join(ROOT, native), path.join(dir, native));
    fs.cpSync(path.join(ROOT, 'dist'), path.join(dir, 'dist'), { recursive: true });
  }, INSTALL_TIMEOUT_MS);

  afterAll(async () => {
    await bot?.stop();
    await standIn?.stop();
    removeTempDir(dir);
  });

  it('runs every install script of the production set (a new one must be handled above)', () => {
    const scripted = Object.entries(lockPackages())
      .filter(([, p]) => p.hasInstallScript && !p.dev && !p.optional)
      .map(([name]) => name.replace(/^node_modules\//, ''));
    expect(scripted.sort()).toEqual(['better-sqlite3', ...SCRIPTED].sort());
    const version = (root: string) =>
      (
        JSON.parse(fs.readFileSync(path.join(root, 'node_modules/better-sqlite3/package.json'), 'utf8')) as {
          version: string;
        }
      ).version;
    expect(version(dir)).toBe(version(ROOT));
    // botbuilder-dialogs' postinstall ran: the nested copy it removes is gone.
    expect(
      fs.existsSync(
        path.join(
          dir,
          'node_modules/@microsoft/recognizers-text-suite/node_modules/@microsoft/recognizers-text-number',
        ),
      ),
    ).toBe(false);
  });

  it('holds no dev-only package', async () => {
    // Some dev dependencies (yaml, jsonwebtoken) are also dependencies of production packages:
    // what must be missing is what the lockfile marks as needed by dev dependencies only.
    const devOnly = Object.entries(lockPackages())
      .filter(([name, p]) => p.dev && name.startsWith('node_modules/'))
      .map(([name]) => name);
    expect(devOnly).toEqual(expect.arrayContaining(['node_modules/typescript', 'node_modules/jest']));
    expect(devOnly.filter((name) => fs.existsSync(path.join(dir, name)))).toEqual([]);
    // Nothing above the folder lends a module either.
    await expect(
      run(process.execPath, ['-e', "require.resolve('typescript')"], { cwd: path.join(dir, 'dist') }),
    ).rejects.toThrow(/Cannot find module/);
  });

  it('starts the built bot, answers /healthz and a turn', async () => {
    const port = await freePort();
    const dataDir = path.join(dir, 'data');
    bot = spawnBot({ PORT: String(port), DATA_DIR: dataDir }, { root: dir });
    const health = await waitForHealth(bot, 60_000);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: 'ok', storage: 'sqlite' });

    standIn = new ConnectorStandIn();
    await standIn.start();
    const user = makeUser();
    const client = new TeamsClient(
      bot.url,
      standIn,
      user,
      personalChat('55555555-5555-4555-8555-555555555555', user),
    );
    const turn = await client.say('help');
    expect(turn.status).toBe(200);
    expect(cardText(cardOf(turn.replies.at(-1)!))).toContain('connect');
    expect(bot.stderr).toEqual([]);
  }, 90_000);
});
