// Builds appPackage/build/appPackage.zip for upload to Teams (npm run package).
// The committed manifest carries a stand-in botId; set MicrosoftAppId to stamp in the real Azure Bot app id.
import AdmZip from 'adm-zip';
import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const appDir = join(root, 'appPackage');
const outFile = join(appDir, 'build', 'appPackage.zip');
const GUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

// One line on stderr keeps failures readable in CI logs and easy to assert on.
function fail(message) {
  console.error(`package-app: ${message}`);
  process.exit(1);
}

let manifest;
try {
  manifest = JSON.parse(readFileSync(join(appDir, 'manifest.json'), 'utf8'));
} catch (err) {
  fail(`cannot read appPackage/manifest.json: ${err instanceof Error ? err.message : String(err)}`);
}

const appId = process.env.MicrosoftAppId;
// An empty-but-set variable is treated as a mistake rather than "unset", so a broken CI secret cannot silently
// ship the stand-in botId.
if (appId !== undefined) {
  const trimmed = appId.trim();
  if (!GUID.test(trimmed)) fail(`MicrosoftAppId must be a GUID (got ${JSON.stringify(appId)})`);
  if (!Array.isArray(manifest.bots) || manifest.bots.length === 0)
    fail('manifest.json has no bots[] entry to set');
  for (const bot of manifest.bots) bot.botId = trimmed;
}

const icons = [manifest.icons?.color, manifest.icons?.outline];
for (const icon of icons) {
  if (typeof icon !== 'string' || !existsSync(join(appDir, icon))) {
    fail(
      `icon ${JSON.stringify(icon)} referenced by manifest.json is missing; run node scripts/make-icons.mjs`,
    );
  }
}

const zip = new AdmZip();
// Teams only accepts files at the zip root, so entries are added by bare file name.
zip.addFile('manifest.json', Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`, 'utf8'));
for (const icon of icons) zip.addFile(icon, readFileSync(join(appDir, icon)));

mkdirSync(dirname(outFile), { recursive: true });
zip.writeZip(outFile);
console.log(`${relative(process.cwd(), outFile) || outFile} (${statSync(outFile).size} bytes)`);
