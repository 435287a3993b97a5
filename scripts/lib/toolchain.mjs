// Node.js and n8n for the demo (`npm start`) and the end-to-end tests (`npm run test:e2e`).
// Everything is installed into the git-ignored .cache/ folder once and reused afterwards.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statfsSync, writeFileSync } from 'node:fs';
import { delimiter, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import { VERBOSE, log, step } from './progress.mjs';

export { log } from './progress.mjs';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const CACHE = resolve(process.env.CLOUDPC_CACHE_DIR ?? join(ROOT, '.cache'));

/** The n8n versions this package is tested with: the newest 2.x and the newest 1.x that install. */
export const N8N_VERSIONS = { 2: '2.41.1', 1: '1.123.81' };
export const DEFAULT_N8N_VERSION = N8N_VERSIONS['2'];

/** Node.js from the npm registry (`node-<os>-<arch>`), used when the machine's Node is too old. */
export const NODE_VERSION = '24.22.3';

/** n8n 1.x's spreadsheet dependency points at a tarball outside the registry; this one is on npm. */
const N8N1_OVERRIDES = { xlsx: '0.18.5' };

/** Flags that keep npm's own chatter short. */
const NPM_QUIET = ['--ignore-scripts', '--no-audit', '--no-fund', '--no-progress'];

/** What the first install of n8n costs; measured, see docs/e2e-and-demo.md "The first run". */
const N8N_INSTALL_COST =
	'usually 6 to 30 minutes on 2 cores (the longer on a busy machine), about 3 GB on disk';
/** Free disk below this and the install may not fit (n8n's folder plus npm's download cache). */
const N8N_INSTALL_BYTES = 4e9;

/**
 * Runs a command; rejects on a non-zero exit with the last lines it printed. Its output goes to
 * the terminal (stderr: stdout stays clean) only with CLOUDPC_VERBOSE=1; `onLine` sees each line.
 */
export function run(command, args, { cwd = ROOT, env = process.env, onLine } = {}) {
	return new Promise((resolvePromise, reject) => {
		const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
		const tail = [];
		let partial = '';
		const onChunk = (chunk) => {
			if (VERBOSE) process.stderr.write(chunk);
			const lines = (partial + chunk.toString('utf8')).split('\n');
			partial = lines.pop();
			for (const line of lines) {
				onLine?.(line);
				tail.push(line);
				if (tail.length > 40) tail.shift();
			}
		};
		child.stdout.on('data', onChunk);
		child.stderr.on('data', onChunk);
		child.on('error', reject);
		child.on('close', (code, signal) => {
			if (code === 0) return resolvePromise();
			if (partial) tail.push(partial);
			const output = VERBOSE ? '' : `\n${tail.join('\n')}`;
			reject(
				new Error(`${command} ${args.join(' ')} failed (${signal ?? `exit ${code}`})${output}`),
			);
		});
	});
}

function nodeMajor(version) {
	return Number(version.replace(/^v/, '').split('.')[0]);
}

/** Whether this machine's Node.js can run that n8n line (2.x: >= 24; 1.x: 20.19 to 24.x). */
function machineNodeFits(n8nVersion) {
	const [major, minor] = process.versions.node.split('.').map(Number);
	if (n8nVersion.startsWith('1.'))
		return (major === 20 && minor >= 19) || (major > 20 && major <= 24);
	return major >= 24;
}

/**
 * The Node.js to run n8n with ({ binDir, nodeDir? }): the machine's when it is 24 or later and
 * that n8n line accepts it; else Node.js NODE_VERSION fetched from the npm registry into
 * .cache/node-<version> (n8n 2.x needs 24; 1.x runs on 20.19 to 24, and is run on 24 too).
 */
export async function ensureNode(n8nVersion) {
	if (machineNodeFits(n8nVersion) && nodeMajor(process.version) >= 24) {
		// npm and node-gyp find this Node's headers themselves.
		return { binDir: dirname(process.execPath) };
	}
	const platform = process.platform === 'win32' ? 'win' : process.platform;
	const pkg = `node-${platform}-${process.arch}`;
	const prefix = join(CACHE, `node-${NODE_VERSION}`);
	const nodeDir = join(prefix, 'node_modules', pkg);
	const binary = join(nodeDir, 'bin', process.platform === 'win32' ? 'node.exe' : 'node');
	if (!existsSync(binary)) {
		mkdirSync(prefix, { recursive: true });
		writeFileSync(join(prefix, 'package.json'), JSON.stringify({ private: true }, null, 2));
		await step(
			`fetching Node.js ${NODE_VERSION}, which n8n ${n8nVersion} needs`,
			() =>
				run('npm', ['install', '--no-save', ...NPM_QUIET, `${pkg}@${NODE_VERSION}`], {
					cwd: prefix,
				}),
			{ note: `npm package ${pkg}, about 190 MB, into ${prefix}` },
		);
	}
	return { binDir: dirname(binary), nodeDir };
}

/** Environment for child processes that must run on the chosen Node (npm itself included). */
export function envWithNode(node, extra = {}) {
	return {
		...process.env,
		PATH: `${node.binDir}${delimiter}${process.env.PATH ?? ''}`,
		// Native modules compile against this Node's headers, not the machine's.
		...(node.nodeDir ? { npm_config_nodedir: node.nodeDir } : {}),
		...extra,
	};
}

export function n8nDir(version) {
	return join(CACHE, `n8n-${version}`);
}

/**
 * n8n `version` installed in .cache/n8n-<version>: `npm install --ignore-scripts` (one dependency's
 * install script downloads sources from the internet), then only the native modules n8n needs.
 */
export async function ensureN8n(version, node) {
	const dir = n8nDir(version);
	const marker = join(dir, '.installed');
	const bin = join(dir, 'node_modules', 'n8n', 'bin', 'n8n');
	const abi = nodeAbi(node);
	const installed = readMarker(marker);
	const env = envWithNode(node);
	if (installed?.version === version && existsSync(bin)) {
		if (installed.abi !== abi) {
			// Another Node.js major than at install time: only the native modules need rebuilding.
			await rebuildNatives(dir, env);
			writeFileSync(marker, JSON.stringify({ version, abi }) + '\n');
		}
		return { dir, bin, version };
	}
	mkdirSync(dir, { recursive: true });
	writeFileSync(
		join(dir, 'package.json'),
		JSON.stringify(
			{
				name: `n8n-${version.replace(/\./g, '-')}-cache`,
				private: true,
				dependencies: { n8n: version },
				...(version.startsWith('1.') ? { overrides: N8N1_OVERRIDES } : {}),
			},
			null,
			2,
		) + '\n',
	);
	warnIfLowOnDisk(dir);
	await step(
		`installing n8n ${version}`,
		async () => {
			await npmInstallWithProgress(dir, env);
			await rebuildNatives(dir, env);
		},
		{ note: `first time only, into ${dir}: ${N8N_INSTALL_COST}` },
	);
	writeFileSync(marker, JSON.stringify({ version, abi }) + '\n');
	return { dir, bin, version };
}

function warnIfLowOnDisk(dir) {
	const { bavail, bsize } = statfsSync(dir);
	const free = bavail * bsize;
	if (free < N8N_INSTALL_BYTES) {
		log(
			`warning: only ${(free / 1e9).toFixed(1)} GB free where n8n goes; its install needs about ${N8N_INSTALL_BYTES / 1e9} GB (set CLOUDPC_CACHE_DIR to put it elsewhere)`,
		);
	}
}

/**
 * `npm install` of n8n with a progress detail read from npm's http log: first the registry's
 * package manifests (resolving the dependency tree), then the package tarballs it downloads and
 * unpacks into node_modules.
 */
async function npmInstallWithProgress(dir, env) {
	let manifests = 0;
	// npm logs each package it will unpack ("http cache <name>@<tarball>") when it starts doing
	// so, then "http fetch GET 200 <tarball>" as each download (a package not in npm's cache)
	// ends; a package in npm's cache logs no download, so a warm cache shows few or none.
	let packages = 0;
	let downloaded = 0;
	await step(
		'npm install',
		() =>
			run('npm', ['install', ...NPM_QUIET, '--loglevel=http'], {
				cwd: dir,
				env,
				onLine: (line) => {
					const tarball = line.includes('.tgz');
					if (line.startsWith('npm http cache ') && tarball) packages += 1;
					else if (line.startsWith('npm http fetch ')) {
						if (tarball) downloaded += 1;
						else manifests += 1;
					}
				},
			}),
		{
			detail: () =>
				packages
					? `unpacking packages into node_modules: ${packages} so far, ${downloaded} of them downloaded (npm takes the others from its cache)`
					: `resolving dependencies: ${manifests} package manifests read from the registry`,
		},
	);
}

/** The native modules n8n needs to run workflows (the others' install scripts stay skipped). */
async function rebuildNatives(dir, env) {
	for (const native of ['sqlite3', 'isolated-vm']) {
		if (existsSync(join(dir, 'node_modules', native))) {
			// The repo's .npmrc turns install scripts off; compiling these is exactly such a script.
			await step(
				`compiling ${native}`,
				() => run('npm', ['rebuild', native, '--ignore-scripts=false'], { cwd: dir, env }),
				{ note: 'node-gyp, about a minute' },
			);
		}
	}
}

function readMarker(file) {
	try {
		return JSON.parse(readFileSync(file, 'utf8'));
	} catch {
		return undefined;
	}
}

/** `node --version` of { binDir }. */
export function nodeVersionOf(node) {
	const binary = join(node.binDir, process.platform === 'win32' ? 'node.exe' : 'node');
	return spawnSync(binary, ['--version'], { encoding: 'utf8' }).stdout.trim();
}

/** NODE_MODULE_VERSION of the Node.js that will run n8n: native modules are built for it. */
function nodeAbi(node) {
	const binary = join(node.binDir, process.platform === 'win32' ? 'node.exe' : 'node');
	const result = spawnSync(binary, ['-p', 'process.versions.modules'], { encoding: 'utf8' });
	return result.stdout.trim();
}
