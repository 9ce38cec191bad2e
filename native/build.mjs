#!/usr/bin/env node
// Builds the native engine; `npm ci` runs this as the package's install script.
// Checks for the toolchain and a BLAS first, so that a machine without them fails with what to
// install rather than a compiler error, then runs node-gyp (binding.gyp at the repository root).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

function fail(message) {
  console.error(`\ncontinuum: cannot build the native engine: ${message}\n`);
  process.exit(1);
}

const found = (cmd, args = ['--version']) => !spawnSync(cmd, args, { stdio: 'ignore' }).error;

if (process.platform === 'darwin') {
  // Accelerate ships with macOS; the compiler comes with the Xcode command line tools.
  if (!found('c++')) fail('no C++ compiler. Install the Xcode command line tools: xcode-select --install');
} else {
  // node-gyp needs a C++ toolchain, make and Python 3 (for gyp itself).
  if (!found(process.env.CXX || 'c++') || !found('make')) {
    fail('no C++ compiler or make. On Debian/Ubuntu: sudo apt-get install build-essential');
  }
  if (!found('python3') && !process.env.npm_config_python && !process.env.PYTHON) {
    fail('node-gyp needs Python 3. On Debian/Ubuntu: sudo apt-get install python3');
  }
  const pkgConfig = spawnSync('pkg-config', ['--exists', 'openblas'], { stdio: 'ignore' });
  if (pkgConfig.error) {
    fail('pkg-config is not installed. On Debian/Ubuntu: sudo apt-get install pkg-config libopenblas-dev');
  }
  if (pkgConfig.status !== 0) {
    fail('OpenBLAS was not found by pkg-config. On Debian/Ubuntu: sudo apt-get install libopenblas-dev pkg-config');
  }
}

// npm tells lifecycle scripts where its bundled node-gyp is; otherwise look next to npm itself.
const candidates = [
  process.env.npm_config_node_gyp,
  join(dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
].filter(Boolean);
const gyp = candidates.find((p) => existsSync(p));
// Build against the running Node's own headers when it ships them (Linux packages do), so that an
// offline machine need not download them; an explicit nodedir setting wins.
const args = ['rebuild'];
const prefix = dirname(dirname(process.execPath));
if (!process.env.npm_config_nodedir && existsSync(join(prefix, 'include', 'node', 'common.gypi'))) {
  args.push(`--nodedir=${prefix}`);
}
const result = gyp
  ? spawnSync(process.execPath, [gyp, ...args], { stdio: 'inherit' })
  : spawnSync('node-gyp', args, { stdio: 'inherit', shell: process.platform === 'win32' });
if (result.error) fail(`could not run node-gyp (${result.error.message}); install it with: npm install -g node-gyp`);
process.exit(result.status ?? 1);
