// Tests that start the bot as a child process run the compiled dist/; build it when it is
// missing or older than a source file, so that `npx jest` alone works too.
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

function newestMtime(dir) {
  let newest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(full) : fs.statSync(full).mtimeMs);
  }
  return newest;
}

module.exports = async function globalSetup() {
  const root = path.join(__dirname, '..');
  const entry = path.join(root, 'dist', 'src', 'index.js');
  const built = fs.existsSync(entry) ? fs.statSync(entry).mtimeMs : 0;
  if (built < newestMtime(path.join(root, 'src'))) {
    execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.json'], {
      cwd: root,
      stdio: 'inherit',
    });
  }
};
