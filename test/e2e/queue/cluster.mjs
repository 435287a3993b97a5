// n8n in queue mode on one machine: Redis, PostgreSQL, one main instance (`n8n start`, which
// takes production webhooks and queues executions) and workers (`n8n worker`) that execute them,
// all with one user folder, so the package installed there as Community Nodes installs it is
// loaded by each. The local Graph server and Entra ID token endpoint stand in for Microsoft.
import { once } from 'node:events';
import { createWriteStream, readFileSync, writeFileSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

import { N8n, installAsCommunityPackage } from '../../../scripts/lib/n8n.mjs';
import { postJson } from '../harness.mjs';
import { ensureN8n, ensureNode, log } from '../../../scripts/lib/toolchain.mjs';
import {
	ensureServicePackages,
	freePort,
	startPostgres,
	startRedis,
	stopGroup,
} from './services.mjs';

export class QueueCluster {
	/** { version, tarball, cacheDir, caFile } */
	constructor({ version, tarball, folder, caFile }) {
		Object.assign(this, { version, tarball, folder, caFile });
		this.workers = [];
		this.services = [];
	}

	async setUp() {
		const node = await ensureNode(this.version);
		const install = await ensureN8n(this.version, node);
		await ensureServicePackages();
		const redis = await startRedis();
		this.services.push(redis);
		const postgres = await startPostgres(join(this.folder, 'postgres'));
		this.services.push(postgres);
		const port = await freePort();
		this.n8n = new N8n(install, node, join(this.folder, 'user'), {
			port,
			extraEnv: {
				DB_TYPE: 'postgresdb',
				DB_POSTGRESDB_HOST: '127.0.0.1',
				DB_POSTGRESDB_PORT: String(postgres.port),
				DB_POSTGRESDB_DATABASE: 'n8n',
				DB_POSTGRESDB_USER: 'n8n',
				EXECUTIONS_MODE: 'queue',
				QUEUE_BULL_REDIS_HOST: '127.0.0.1',
				QUEUE_BULL_REDIS_PORT: String(redis.port),
				// The local token endpoint's self-signed certificate (MSAL signs in over HTTPS only).
				NODE_EXTRA_CA_CERTS: this.caFile,
				// Executions are kept with their data, so a retry (and these checks) can read them.
				EXECUTIONS_DATA_SAVE_ON_SUCCESS: 'all',
			},
		});
		await installAsCommunityPackage(this.n8n.userFolder, this.tarball, node);
	}

	async startMain() {
		log(`n8n ${this.version}: starting main (queue mode)`);
		await this.n8n.start({ logFile: join(this.folder, 'main.log') });
	}

	/** `n8n worker --concurrency=N`; resolves once it says it is ready. Returns its handle. */
	async startWorker(name, concurrency) {
		const logFile = join(this.folder, `${name}.log`);
		const out = createWriteStream(logFile, { flags: 'a' });
		await once(out, 'open');
		const brokerPort = await freePort();
		const child = spawn(
			this.n8n.nodeBinary(),
			[this.n8n.install.bin, 'worker', `--concurrency=${concurrency}`],
			{
				cwd: this.n8n.userFolder,
				env: this.n8n.env({ N8N_LOG_LEVEL: 'info', N8N_RUNNERS_BROKER_PORT: String(brokerPort) }),
				stdio: ['ignore', 'pipe', 'pipe'],
				detached: true,
			},
		);
		child.exited = once(child, 'exit');
		const worker = { name, child, logFile, output: '' };
		const onChunk = (chunk) => {
			out.write(chunk);
			worker.output += chunk.toString();
		};
		child.stdout.on('data', onChunk);
		child.stderr.on('data', onChunk);
		child.once('exit', () => out.end());
		this.workers.push(worker);
		const deadline = Date.now() + 120_000;
		while (!worker.output.includes('worker is now ready')) {
			if (child.exitCode !== null || child.signalCode !== null)
				throw new Error(`worker ${name} exited early; see ${logFile}`);
			if (Date.now() > deadline) throw new Error(`worker ${name} not ready; see ${logFile}`);
			await sleep(250);
		}
		return worker;
	}

	/** Executions a worker started, from its log: `Worker started execution <id> (job <n>)`. */
	static startedExecutions(worker) {
		return [...worker.output.matchAll(/Worker started execution (\S+) \(job/g)].map((m) => m[1]);
	}

	async stopWorker(worker, signal = 'SIGTERM') {
		if (signal === 'SIGKILL') {
			try {
				process.kill(-worker.child.pid, 'SIGKILL');
			} catch {
				// already gone
			}
			await worker.child.exited;
		} else {
			await stopGroup(worker.child, 45_000);
		}
	}

	async tearDown() {
		await Promise.all(this.workers.map((w) => stopGroup(w.child)));
		await this.n8n?.stop();
		for (const service of this.services.reverse()) await service.stop();
	}

	/** POSTs JSON to a production webhook and reads the JSON answer (n8n answers when the run ends). */
	async callWebhook(path, body, { timeoutMs = 600_000 } = {}) {
		return await postJson(`${this.n8n.baseUrl}/webhook/${path}`, body, { timeoutMs });
	}
}

/** Writes a PEM to a file (for NODE_EXTRA_CA_CERTS) and returns its path. */
export function writePem(folder, name, pem) {
	const file = join(folder, name);
	writeFileSync(file, pem);
	return file;
}

export function readLog(file) {
	try {
		return readFileSync(file, 'utf8');
	} catch {
		return '';
	}
}
