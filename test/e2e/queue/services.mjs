// Redis and PostgreSQL for n8n's queue mode, from Debian's packages (installed when missing and
// this runs as root), each started by hand on its own loopback port with its data under .cache/,
// never as a system service. Stopped (process group, SIGTERM then SIGKILL) by stop().
import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

import { log, run } from '../../../scripts/lib/toolchain.mjs';

const isRoot = process.getuid?.() === 0;

function onPath(command) {
	try {
		execFileSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' });
		return true;
	} catch {
		return false;
	}
}

/** PostgreSQL's server programs sit in a versioned folder off PATH (Debian: /usr/lib/postgresql/N/bin). */
function postgresBin() {
	const base = '/usr/lib/postgresql';
	if (!existsSync(base)) return undefined;
	const versions = readdirSync(base)
		.filter((v) => existsSync(join(base, v, 'bin', 'postgres')))
		.sort((a, b) => Number(b) - Number(a));
	return versions.length ? join(base, versions[0], 'bin') : undefined;
}

/** `apt-get install -y redis-server postgresql` when either is missing (root only). */
export async function ensureServicePackages() {
	if (onPath('redis-server') && postgresBin()) return;
	if (!isRoot)
		throw new Error(
			'queue mode needs redis-server and postgresql (apt-get install -y redis-server postgresql)',
		);
	log('installing redis-server and postgresql from Debian packages');
	const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
	const install = () =>
		run('apt-get', ['install', '-y', '--no-install-recommends', 'redis-server', 'postgresql'], {
			env,
		});
	// A fresh machine may have no package lists yet.
	await install().catch(async () => {
		await run('apt-get', ['update'], { env });
		await install();
	});
}

/** A free TCP port on 127.0.0.1 (the OS picks it). */
export async function freePort() {
	const server = createServer();
	server.listen(0, '127.0.0.1');
	await once(server, 'listening');
	const { port } = server.address();
	server.close();
	await once(server, 'close');
	return port;
}

async function waitForPort(port, what, timeoutMs = 60_000) {
	const deadline = Date.now() + timeoutMs;
	while (Date.now() < deadline) {
		const ok = await new Promise((resolve) => {
			const socket = connect(port, '127.0.0.1');
			socket.once('connect', () => {
				socket.destroy();
				resolve(true);
			});
			socket.once('error', () => resolve(false));
		});
		if (ok) return;
		await sleep(200);
	}
	throw new Error(`${what} did not listen on 127.0.0.1:${port} within ${timeoutMs / 1000} s`);
}

/** A detached child (its own process group) whose output goes nowhere but `onOutput`. */
function startDetached(command, args, { env = process.env, onOutput } = {}) {
	const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
	child.stdout.on('data', (chunk) => onOutput?.(chunk));
	child.stderr.on('data', (chunk) => onOutput?.(chunk));
	child.exited = once(child, 'exit');
	return child;
}

/** SIGTERM to the child's process group, SIGKILL after `graceMs`. */
export async function stopGroup(child, graceMs = 20_000) {
	if (!child || child.exitCode !== null || child.signalCode !== null) return;
	const signal = (name) => {
		try {
			process.kill(-child.pid, name);
		} catch {
			// already gone
		}
	};
	signal('SIGTERM');
	const killer = setTimeout(() => signal('SIGKILL'), graceMs);
	await child.exited;
	clearTimeout(killer);
	signal('SIGKILL');
}

/** Redis on its own port, nothing persisted. */
export async function startRedis() {
	const port = await freePort();
	const child = startDetached('redis-server', [
		'--port',
		String(port),
		'--bind',
		'127.0.0.1',
		'--save',
		'',
		'--appendonly',
		'no',
	]);
	await waitForPort(port, 'Redis');
	return { port, stop: () => stopGroup(child) };
}

/**
 * `dir`, or a new folder under the system's temp folder when the `postgres` user could not reach
 * `dir` (as root, a clone inside a private folder such as `mktemp -d`'s).
 */
function reachableByPostgres(dir) {
	if (!isRoot) return dir;
	mkdirSync(dir, { recursive: true });
	try {
		execFileSync('runuser', ['-u', 'postgres', '--', 'test', '-x', dir], { stdio: 'ignore' });
		return dir;
	} catch {
		const elsewhere = mkdtempSync(join(tmpdir(), 'cloudpc-queue-postgres-'));
		log(`PostgreSQL's user cannot reach ${dir}; its data goes to ${elsewhere}`);
		return elsewhere;
	}
}

/**
 * PostgreSQL with a fresh cluster in `dataDir` (trust auth for user n8n on loopback) and the
 * database `n8n`. PostgreSQL refuses to run as root, so as root it runs as the `postgres` user.
 */
export async function startPostgres(wantedDir) {
	const bin = postgresBin();
	if (!bin) throw new Error('PostgreSQL server programs not found under /usr/lib/postgresql');
	const port = await freePort();
	rmSync(wantedDir, { recursive: true, force: true });
	const dataDir = reachableByPostgres(wantedDir);
	const socketDir = join(dataDir, 'socket');
	const clusterDir = join(dataDir, 'cluster');
	mkdirSync(socketDir, { recursive: true });
	mkdirSync(clusterDir, { recursive: true });
	const asPostgres = (program, args) =>
		isRoot
			? ['runuser', ['-u', 'postgres', '--', join(bin, program), ...args]]
			: [join(bin, program), args];
	if (isRoot) {
		const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
		const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
		for (const dir of [dataDir, socketDir, clusterDir]) chownSync(dir, uid, gid);
	}
	await run(...asPostgres('initdb', ['-D', clusterDir, '-U', 'n8n', '--auth=trust', '-E', 'UTF8']));
	const [command, args] = asPostgres('postgres', [
		'-D',
		clusterDir,
		'-p',
		String(port),
		'-k',
		socketDir,
		'-c',
		'listen_addresses=127.0.0.1',
		'-c',
		'fsync=off',
	]);
	const child = startDetached(command, args);
	await waitForPort(port, 'PostgreSQL');
	// The server accepts connections a moment before it accepts logins.
	const deadline = Date.now() + 30_000;
	for (;;) {
		try {
			execFileSync(
				'psql',
				[
					'-h',
					'127.0.0.1',
					'-p',
					String(port),
					'-U',
					'n8n',
					'-d',
					'postgres',
					'-c',
					'create database n8n',
				],
				{
					stdio: 'pipe',
				},
			);
			break;
		} catch (error) {
			if (Date.now() > deadline) throw error;
			await sleep(300);
		}
	}
	return {
		port,
		stop: async () => {
			await stopGroup(child);
			rmSync(dataDir, { recursive: true, force: true });
		},
	};
}
