// A real n8n (from .cache/n8n-<version>) with one user folder: the package installed as Community
// Nodes installs it, credentials and workflows imported with n8n's CLI, workflows executed with
// `n8n execute`, and `n8n start` for the editor and production webhooks.
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { once } from 'node:events';
import {
	createWriteStream,
	existsSync,
	mkdirSync,
	readFileSync,
	rmSync,
	writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

import { CACHE, ROOT, envWithNode, run } from './toolchain.mjs';

export const PACKAGE_NAME = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).name;
export const NODE_TYPE = `${PACKAGE_NAME}.microsoftCloudPc`;

/** `npm run build`, then `npm pack` into .cache/pack; returns the tarball's path. */
export async function buildAndPack() {
	await run('npm', ['run', 'build', '--silent']);
	const dest = join(CACHE, 'pack');
	rmSync(dest, { recursive: true, force: true });
	mkdirSync(dest, { recursive: true });
	await run('npm', ['pack', '--pack-destination', dest, '--silent']);
	const tarball = join(dest, `${PACKAGE_NAME}-${readVersion()}.tgz`);
	if (!existsSync(tarball)) throw new Error(`npm pack did not produce ${tarball}`);
	return tarball;
}

/**
 * The typeVersion the editor gives a new Microsoft Cloud PC node (`defaultVersion`, else the
 * highest of `version`), read from the built node (after buildAndPack).
 */
export function newestNodeTypeVersion() {
	const file = join(ROOT, 'dist', 'nodes', 'MicrosoftCloudPc', 'MicrosoftCloudPc.node.js');
	const { MicrosoftCloudPc } = createRequire(import.meta.url)(file);
	const { description } = new MicrosoftCloudPc();
	const versions = [description.version].flat();
	return description.defaultVersion ?? Math.max(...versions);
}

function readVersion() {
	return JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version;
}

/**
 * What Settings › Community Nodes does with a package (CommunityPackagesService.downloadPackage,
 * the same in n8n 2.41 and 1.123, after `npm pack <name>@<version>` from the registry): unpack the tarball
 * into <user folder>/.n8n/nodes/node_modules/<name>, drop dev/peer/optional dependencies from its
 * package.json, `npm install` its runtime dependencies without scripts, and record it in
 * nodes/package.json. n8n loads every package in that folder at start.
 */
export async function installAsCommunityPackage(userFolder, tarball, node) {
	const nodesDir = join(userFolder, '.n8n', 'nodes');
	const packageDir = join(nodesDir, 'node_modules', PACKAGE_NAME);
	rmSync(packageDir, { recursive: true, force: true });
	mkdirSync(packageDir, { recursive: true });
	await run('tar', ['-xzf', tarball, '-C', packageDir, '--strip-components=1']);
	const manifestPath = join(packageDir, 'package.json');
	const { devDependencies, peerDependencies, optionalDependencies, ...manifest } = JSON.parse(
		readFileSync(manifestPath, 'utf8'),
	);
	writeFileSync(manifestPath, JSON.stringify(manifest, null, 2));
	await run(
		'npm',
		[
			'install',
			'--audit=false',
			'--fund=false',
			'--bin-links=false',
			'--install-strategy=shallow',
			'--ignore-scripts=true',
			'--package-lock=false',
			'--loglevel=error',
		],
		{ cwd: packageDir, env: envWithNode(node) },
	);
	const nodesManifestPath = join(nodesDir, 'package.json');
	const nodesManifest = existsSync(nodesManifestPath)
		? JSON.parse(readFileSync(nodesManifestPath, 'utf8'))
		: { name: 'installed-nodes', private: true, dependencies: {} };
	nodesManifest.dependencies = { ...nodesManifest.dependencies, [PACKAGE_NAME]: manifest.version };
	writeFileSync(nodesManifestPath, JSON.stringify(nodesManifest, null, 2));
	return packageDir;
}

/** Environment of every n8n command of one user folder. */
export function n8nEnv(userFolder, node, { port = 5678, extra = {} } = {}) {
	return envWithNode(node, {
		N8N_USER_FOLDER: userFolder,
		N8N_LISTEN_ADDRESS: '127.0.0.1',
		N8N_HOST: '127.0.0.1',
		N8N_PORT: String(port),
		N8N_PROTOCOL: 'http',
		N8N_SECURE_COOKIE: 'false',
		N8N_DIAGNOSTICS_ENABLED: 'false',
		N8N_VERSION_NOTIFICATIONS_ENABLED: 'false',
		N8N_TEMPLATES_ENABLED: 'false',
		N8N_PERSONALIZATION_ENABLED: 'false',
		N8N_HIRING_BANNER_ENABLED: 'false',
		N8N_COMMUNITY_PACKAGES_ENABLED: 'true',
		N8N_REINSTALL_MISSING_PACKAGES: 'false',
		N8N_ENFORCE_SETTINGS_FILE_PERMISSIONS: 'true',
		N8N_RUNNERS_BROKER_PORT: String(port + 1),
		DB_SQLITE_POOL_SIZE: '2',
		N8N_LOG_LEVEL: process.env.N8N_LOG_LEVEL ?? 'warn',
		...extra,
	});
}

export class N8n {
	/**
	 * @param {{ version: string, bin: string }} install from ensureN8n
	 * @param {{ binDir: string, nodeDir: string }} node from ensureNode
	 */
	constructor(install, node, userFolder, { port = 5678, extraEnv = {} } = {}) {
		this.install = install;
		this.node = node;
		this.userFolder = userFolder;
		this.port = port;
		this.extraEnv = extraEnv;
		this.baseUrl = `http://127.0.0.1:${port}`;
		this.cliChildren = new Set();
		mkdirSync(userFolder, { recursive: true });
		N8n.instances.add(this);
	}

	/** Every instance created in this process, for shutdown on a signal. */
	static instances = new Set();

	/** Stops `n8n start` and any running CLI command of every instance. */
	static async stopAll() {
		await Promise.all(
			[...N8n.instances].map(async (instance) => {
				for (const child of instance.cliChildren) child.kill('SIGTERM');
				await instance.stop();
			}),
		);
	}

	get major() {
		return Number(this.install.version.split('.')[0]);
	}

	env(extra = {}) {
		return n8nEnv(this.userFolder, this.node, {
			port: this.port,
			extra: { ...this.extraEnv, ...extra },
		});
	}

	nodeBinary() {
		return join(this.node.binDir, process.platform === 'win32' ? 'node.exe' : 'node');
	}

	/** Runs one n8n CLI command; resolves with its exit code and output (never rejects on exit code). */
	cli(args, { env = {}, timeoutMs = 180_000 } = {}) {
		return new Promise((resolvePromise, reject) => {
			const child = spawn(this.nodeBinary(), [this.install.bin, ...args], {
				cwd: this.userFolder,
				env: this.env(env),
				stdio: ['ignore', 'pipe', 'pipe'],
			});
			let stdout = '';
			let stderr = '';
			child.stdout.on('data', (chunk) => (stdout += chunk));
			child.stderr.on('data', (chunk) => (stderr += chunk));
			this.cliChildren.add(child);
			child.once('exit', () => this.cliChildren.delete(child));
			const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
			child.on('error', (error) => {
				clearTimeout(timer);
				reject(error);
			});
			child.on('exit', (code, signal) => {
				clearTimeout(timer);
				resolvePromise({ code: code ?? (signal ? 128 : 1), signal, stdout, stderr });
			});
		});
	}

	async cliOrThrow(args, options) {
		const result = await this.cli(args, options);
		if (result.code !== 0) {
			throw new Error(
				`n8n ${args.join(' ')} exited with ${result.code}\n${result.stdout}\n${result.stderr}`.trim(),
			);
		}
		return result;
	}

	writeInput(name, data) {
		const dir = join(this.userFolder, 'imports');
		mkdirSync(dir, { recursive: true });
		const file = join(dir, name);
		writeFileSync(file, JSON.stringify(data, null, 2), { mode: 0o600 });
		return file;
	}

	/** `n8n import:credentials`: plain `data` is encrypted with this user folder's key. */
	async importCredentials(credentials) {
		const file = this.writeInput('credentials.json', credentials);
		try {
			await this.cliOrThrow(['import:credentials', `--input=${file}`]);
		} finally {
			// The file holds secrets in clear text.
			rmSync(file, { force: true });
		}
	}

	async importWorkflow(workflow) {
		const file = this.writeInput(`workflow-${workflow.id}.json`, workflow);
		await this.cliOrThrow(['import:workflow', `--input=${file}`]);
	}

	/** Imports several workflows with one `n8n import:workflow --separate` (one n8n start-up). */
	async importWorkflows(workflows) {
		const dir = join(this.userFolder, 'imports', 'workflows');
		rmSync(dir, { recursive: true, force: true });
		mkdirSync(dir, { recursive: true });
		for (const workflow of workflows) {
			writeFileSync(join(dir, `${workflow.id}.json`), JSON.stringify(workflow, null, 2));
		}
		await this.cliOrThrow(['import:workflow', '--separate', `--input=${dir}`]);
	}

	/** Makes an imported workflow active (production webhooks, schedules) at the next `n8n start`. */
	async activateWorkflow(id) {
		if (this.major >= 2) {
			await this.cliOrThrow(['publish:workflow', `--id=${id}`]);
		} else {
			await this.cliOrThrow(['update:workflow', `--id=${id}`, '--active=true']);
		}
	}

	/**
	 * `n8n execute --id` (killed after `timeoutMs`, default 180 s): resolves with { code, run } where `run` is the execution's
	 * IRun JSON (`data.resultData.runData`, `data.resultData.error`), read from n8n's log file
	 * because stdout mixes log lines with it.
	 */
	async execute(workflowId, { timeoutMs } = {}) {
		const logFile = join(this.userFolder, `execute-${workflowId}-${Date.now()}.log`);
		const result = await this.cli(['execute', `--id=${workflowId}`, '--rawOutput'], {
			env: { N8N_LOG_OUTPUT: 'file', N8N_LOG_FILE_LOCATION: logFile, N8N_LOG_LEVEL: 'info' },
			timeoutMs,
		});
		let runJson;
		if (existsSync(logFile)) {
			const records = readFileSync(logFile, 'utf8')
				.split('\n')
				.filter((line) => line.trim().startsWith('{'))
				.map((line) => {
					try {
						return JSON.parse(line);
					} catch {
						return undefined;
					}
				})
				.filter(Boolean);
			for (const record of records.reverse()) {
				// The execution's JSON is one log record (success and failure log it from different functions).
				if (typeof record?.message !== 'string' || !record.message.trimStart().startsWith('{'))
					continue;
				try {
					const parsed = JSON.parse(record.message);
					if (parsed?.data?.resultData) {
						runJson = parsed;
						break;
					}
				} catch {
					// a plain log line
				}
			}
			rmSync(logFile, { force: true });
		}
		if (!runJson) {
			const brace = result.stdout.indexOf('{\n');
			if (brace !== -1) {
				try {
					runJson = JSON.parse(result.stdout.slice(brace));
				} catch {
					// keep undefined
				}
			}
		}
		return { code: result.code, run: runJson, stdout: result.stdout, stderr: result.stderr };
	}

	/**
	 * `n8n start`; resolves once n8n has finished starting (it logs "Editor is now accessible via",
	 * after activating workflows; /healthz answers well before that). Output goes to `logFile`;
	 * `onOutput` sees each chunk too.
	 */
	async start({ logFile = join(this.userFolder, 'n8n.log'), timeoutMs = 180_000, onOutput } = {}) {
		const out = createWriteStream(logFile, { flags: 'a' });
		await once(out, 'open');
		const child = spawn(this.nodeBinary(), [this.install.bin, 'start'], {
			cwd: this.userFolder,
			// "Editor is now accessible" is an info-level line.
			env: this.env({ N8N_LOG_LEVEL: 'info' }),
			stdio: ['ignore', 'pipe', 'pipe'],
			// Its own process group, so that stop() reaches the task runners too.
			detached: process.platform !== 'win32',
		});
		this.child = child;
		this.exited = once(child, 'exit');
		let ready = false;
		let seen = '';
		const onChunk = (chunk) => {
			out.write(chunk);
			onOutput?.(chunk);
			if (!ready) {
				seen = (seen + chunk.toString()).slice(-4000);
				if (seen.includes('Editor is now accessible via')) ready = true;
			}
		};
		child.stdout.on('data', onChunk);
		child.stderr.on('data', onChunk);
		child.once('exit', () => out.end());
		const deadline = Date.now() + timeoutMs;
		while (Date.now() < deadline) {
			if (child.exitCode !== null || child.signalCode !== null) {
				throw new Error(`n8n start exited early; see ${logFile}:\n${tail(logFile)}`);
			}
			if (ready) {
				const response = await fetch(`${this.baseUrl}/healthz`).catch(() => undefined);
				if (response?.ok) return child;
			}
			await sleep(250);
		}
		await this.stop();
		throw new Error(`n8n did not finish starting within ${timeoutMs / 1000} s; see ${logFile}`);
	}

	/** SIGTERM to n8n's process group (n8n and its task runner), SIGKILL after 20 s. */
	async stop() {
		const child = this.child;
		if (!child || child.exitCode !== null || child.signalCode !== null) return;
		const signal = (name) => {
			try {
				if (process.platform !== 'win32') process.kill(-child.pid, name);
				else child.kill(name);
			} catch {
				// already gone
			}
		};
		signal('SIGTERM');
		const killer = setTimeout(() => signal('SIGKILL'), 20_000);
		await this.exited;
		clearTimeout(killer);
		// The task runner may outlive its parent for a moment.
		signal('SIGKILL');
		this.child = undefined;
	}

	/** Sets up the owner account (first start only) and returns a logged-in session cookie. */
	async ownerSession({ email, password, firstName = 'Demo', lastName = 'Owner' }) {
		const json = { 'content-type': 'application/json' };
		const setup = await fetch(`${this.baseUrl}/rest/owner/setup`, {
			method: 'POST',
			headers: json,
			body: JSON.stringify({ email, password, firstName, lastName }),
		});
		if (!setup.ok && setup.status !== 400) {
			throw new Error(`owner setup failed: ${setup.status} ${await setup.text()}`);
		}
		// n8n >= 1.9x names the field emailOrLdapLoginId; older ones called it email.
		const login = await fetch(`${this.baseUrl}/rest/login`, {
			method: 'POST',
			headers: json,
			body: JSON.stringify({ emailOrLdapLoginId: email, email, password }),
		});
		if (!login.ok) throw new Error(`login failed: ${login.status} ${await login.text()}`);
		const cookie = login.headers
			.getSetCookie()
			.map((c) => c.split(';')[0])
			.find((c) => c.startsWith('n8n-auth='));
		if (!cookie) throw new Error('login answered without an n8n-auth cookie');
		return cookie;
	}
}

function tail(file, lines = 40) {
	try {
		return readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n');
	} catch {
		return '';
	}
}

export function userFolderFor(kind, version) {
	return join(CACHE, `${kind}-n8n-${version}`);
}
