// Loads the local Graph-compatible server (test/graph-server, TypeScript) and the local Entra ID
// token endpoint (test/identity-server) for the demo and the end-to-end tests: compiled with the
// repository's TypeScript into .cache/graph-server once, recompiled when a source file changes.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

import { DEMO_TIMINGS } from './local-env.mjs';
import { CACHE, ROOT, run } from './toolchain.mjs';

const TEST_DIR = join(ROOT, 'test');
const SOURCE_DIRS = ['graph-server', 'identity-server'];
const OUT_DIR = join(CACHE, 'graph-server');

/** The access token, refresh token and signed-in user of the demo and test credentials. */
export const DEMO_TOKENS = {
	accessToken: 'local-demo-access-token',
	refreshToken: 'local-demo-refresh-token',
	/** Adele Vance, who owns two of the sample Cloud PCs */
	userId: '6e7b768e-07e2-4810-8459-485f84f8f204',
};

/** Paths relative to test/. */
function sourceFiles() {
	return SOURCE_DIRS.flatMap((dir) =>
		readdirSync(join(TEST_DIR, dir))
			.filter((name) => name.endsWith('.ts') && !name.endsWith('.test.ts'))
			.sort()
			.map((name) => join(dir, name)),
	);
}

/** `require`d module of test/graph-server/index.ts: { startGraphServer, SAMPLE_CLOUD_PCS, SAMPLE_USERS }. */
export async function loadGraphServerModule() {
	await compileTestServers();
	return createRequire(import.meta.url)(join(OUT_DIR, 'graph-server', 'index.js'));
}

/** `require`d module of test/identity-server/index.ts: { startIdentityServer, createTestPki }. */
export async function loadIdentityServerModule() {
	await compileTestServers();
	return createRequire(import.meta.url)(join(OUT_DIR, 'identity-server', 'index.js'));
}

async function compileTestServers() {
	const files = sourceFiles();
	const hash = createHash('sha256');
	for (const file of files) hash.update(file).update(readFileSync(join(TEST_DIR, file)));
	const digest = hash.digest('hex');
	const stamp = join(OUT_DIR, '.source-hash');
	if (!existsSync(stamp) || readFileSync(stamp, 'utf8') !== digest) {
		const tsc = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
		await run(process.execPath, [
			tsc,
			'--outDir',
			OUT_DIR,
			'--rootDir',
			TEST_DIR,
			'--module',
			'commonjs',
			'--target',
			'es2022',
			'--strict',
			'--skipLibCheck',
			'--esModuleInterop',
			'--types',
			'node',
			...files.map((file) => join(TEST_DIR, file)),
		]);
		writeFileSync(stamp, digest);
	}
}

/**
 * Starts the server on 127.0.0.1 (ephemeral port) with the sample Cloud PCs (or `cloudPcs`) and
 * the demo tokens; `extraTokens` adds more grants, e.g. a token without write permission. A
 * reprovision is done after the demo's time (DEMO_TIMINGS), as Windows 365 finishes one.
 */
export async function startLocalGraph({ cloudPcs, extraTokens = {}, pageSize } = {}) {
	const { startGraphServer, SAMPLE_CLOUD_PCS } = await loadGraphServerModule();
	const server = await startGraphServer({
		cloudPcs: cloudPcs ?? SAMPLE_CLOUD_PCS.map((pc) => ({ ...pc })),
		tokens: {
			[DEMO_TOKENS.accessToken]: { scopes: ['CloudPC.ReadWrite.All'], userId: DEMO_TOKENS.userId },
			...extraTokens,
		},
		refreshTokens: { [DEMO_TOKENS.refreshToken]: { accessToken: DEMO_TOKENS.accessToken } },
		...(pageSize ? { pageSize } : {}),
		reprovisionDurationMs: DEMO_TIMINGS.reprovisionSeconds * 1000,
	});
	return { server, samples: SAMPLE_CLOUD_PCS };
}
