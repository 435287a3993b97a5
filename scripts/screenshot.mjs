#!/usr/bin/env node
// Screenshot of the n8n editor with the Microsoft Cloud PC node open, taken from the n8n that
// `npm start` runs, with headless Chromium (Debian: apt-get install chromium), driven over the
// DevTools protocol. Writes docs/screenshot-editor.png (or the path given as first argument).
//
//   npm start            # in another terminal
//   node scripts/screenshot.mjs [out.png]
//
// Environment: CHROMIUM (default /usr/bin/chromium), CLOUDPC_N8N_PORT (5678),
// CLOUDPC_N8N_VERSION, SCREENSHOT_WORKFLOW (workflow id), SCREENSHOT_NODE (node name).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

import { WORKFLOWS, loadExamples } from './lib/local-env.mjs';
import { userFolderFor } from './lib/n8n.mjs';
import { DEFAULT_N8N_VERSION, ROOT, ensureNode, log } from './lib/toolchain.mjs';

// The DevTools client needs a WebSocket; Node 20 has none built in: run again on Node 24.
if (typeof globalThis.WebSocket !== 'function') {
	const node = await ensureNode(DEFAULT_N8N_VERSION);
	const result = spawnSync(join(node.binDir, 'node'), process.argv.slice(1), { stdio: 'inherit' });
	process.exit(result.status ?? 1);
}

const version = process.env.CLOUDPC_N8N_VERSION || DEFAULT_N8N_VERSION;
const port = Number(process.env.CLOUDPC_N8N_PORT || 5678);
const base = `http://127.0.0.1:${port}`;
const out = resolve(process.argv[2] ?? join(ROOT, 'docs', 'screenshot-editor.png'));
const workflowId = process.env.SCREENSHOT_WORKFLOW || WORKFLOWS.nightly;
const nodeName = process.env.SCREENSHOT_NODE || 'Reprovision Cloud PC';
const chromium = process.env.CHROMIUM || '/usr/bin/chromium';
const WIDTH = 1440;
const HEIGHT = 900;

async function login() {
	const secretsFile = join(userFolderFor('demo', version), 'demo-secrets.json');
	if (!existsSync(secretsFile)) throw new Error(`${secretsFile} is missing: run npm start first`);
	const { ownerEmail, ownerPassword } = JSON.parse(readFileSync(secretsFile, 'utf8'));
	const response = await fetch(`${base}/rest/login`, {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify({
			emailOrLdapLoginId: ownerEmail,
			email: ownerEmail,
			password: ownerPassword,
		}),
	});
	if (!response.ok) throw new Error(`login failed: ${response.status} ${await response.text()}`);
	const cookie = response.headers.getSetCookie().find((c) => c.startsWith('n8n-auth='));
	return cookie.split(';')[0].slice('n8n-auth='.length);
}

/** A minimal Chrome DevTools Protocol client over one WebSocket (flattened sessions). */
class Cdp {
	constructor(url) {
		this.ws = new WebSocket(url);
		this.nextId = 1;
		this.pending = new Map();
		this.listeners = new Set();
		this.ws.addEventListener('message', (event) => {
			const message = JSON.parse(event.data);
			if (message.id && this.pending.has(message.id)) {
				const { resolve: ok, reject } = this.pending.get(message.id);
				this.pending.delete(message.id);
				if (message.error) reject(new Error(`${message.error.message} (${message.error.code})`));
				else ok(message.result);
			} else {
				for (const listener of this.listeners) listener(message);
			}
		});
	}

	open() {
		return new Promise((ok, reject) => {
			this.ws.addEventListener('open', ok, { once: true });
			this.ws.addEventListener('error', reject, { once: true });
		});
	}

	send(method, params = {}, sessionId) {
		const id = this.nextId++;
		this.ws.send(JSON.stringify({ id, method, params, ...(sessionId ? { sessionId } : {}) }));
		return new Promise((ok, reject) => this.pending.set(id, { resolve: ok, reject }));
	}

	close() {
		this.ws.close();
	}
}

async function waitForDevToolsUrl(profile, deadlineMs = 30_000) {
	const file = join(profile, 'DevToolsActivePort');
	const until = Date.now() + deadlineMs;
	while (Date.now() < until) {
		if (existsSync(file)) {
			const [devPort, path] = readFileSync(file, 'utf8').trim().split('\n');
			if (devPort && path) return `ws://127.0.0.1:${devPort}${path}`;
		}
		await sleep(200);
	}
	throw new Error('Chromium did not open its DevTools port');
}

async function main() {
	const example = loadExamples()[workflowId];
	const node = example?.nodes.find((n) => n.name === nodeName);
	if (!node) throw new Error(`no node "${nodeName}" in workflow ${workflowId}`);
	const auth = await login();

	const profile = mkdtempSync(join(tmpdir(), 'cloudpc-chromium-'));
	const browser = spawn(
		chromium,
		[
			'--headless',
			'--no-sandbox',
			'--disable-gpu',
			'--disable-quic',
			'--no-first-run',
			'--disable-background-networking',
			'--disable-component-update',
			'--disable-sync',
			'--hide-scrollbars',
			`--user-data-dir=${profile}`,
			'--remote-debugging-address=127.0.0.1',
			'--remote-debugging-port=0',
			`--window-size=${WIDTH},${HEIGHT}`,
			'about:blank',
		],
		{ stdio: 'ignore' },
	);
	try {
		const cdp = new Cdp(await waitForDevToolsUrl(profile));
		await cdp.open();
		const { targetId } = await cdp.send('Target.createTarget', { url: 'about:blank' });
		const { sessionId } = await cdp.send('Target.attachToTarget', { targetId, flatten: true });
		const page = (method, params) => cdp.send(method, params, sessionId);
		await page('Page.enable');
		await page('Network.enable');
		await page('Emulation.setDeviceMetricsOverride', {
			width: WIDTH,
			height: HEIGHT,
			deviceScaleFactor: 1,
			mobile: false,
		});
		await page('Network.setCookie', { name: 'n8n-auth', value: auth, url: base, httpOnly: true });
		const evaluate = async (expression) =>
			(await page('Runtime.evaluate', { expression, returnByValue: true, awaitPromise: true }))
				.result.value;
		const waitFor = async (expression, what, ms = 60_000) => {
			const until = Date.now() + ms;
			while (Date.now() < until) {
				if (await evaluate(expression)) return;
				await sleep(300);
			}
			throw new Error(`timed out waiting for ${what}`);
		};
		const click = async (x, y, clickCount = 1) => {
			for (const type of ['mousePressed', 'mouseReleased']) {
				await page('Input.dispatchMouseEvent', { type, x, y, button: 'left', clickCount });
			}
		};
		const centerOf = async (selector) =>
			await evaluate(`(() => {
				const el = document.querySelector(${JSON.stringify(selector)});
				if (!el) return null;
				const r = el.getBoundingClientRect();
				return { x: r.x + r.width / 2, y: r.y + r.height / 2 };
			})()`);

		const target = `${base}/workflow/${workflowId}`;
		log(`opening ${target}`);
		await page('Page.navigate', { url: target });
		const nodeSelector = `[data-test-id="canvas-node"][data-node-name=${JSON.stringify(nodeName)}]`;
		await waitFor(`!!document.querySelector(${JSON.stringify(nodeSelector)})`, 'the canvas');
		await sleep(1500);
		// Run the workflow from the editor, so the node's panel shows real input and output.
		if (process.env.SCREENSHOT_EXECUTE !== '0') {
			const button = await centerOf('[data-test-id="execute-workflow-button"]');
			if (button) {
				await click(button.x, button.y);
				log('executing the workflow in the editor');
				await sleep(1000);
				await waitFor(
					`!document.querySelector('[data-test-id="execute-workflow-button"] .n8n-spinner, [data-test-id="stop-execution-button"]')`,
					'the execution',
				);
				await sleep(1500);
			}
		}
		const center = await centerOf(nodeSelector);
		await click(center.x, center.y, 1);
		await click(center.x, center.y, 2);
		await waitFor(
			`!!document.querySelector('[data-test-id="ndv"], [data-test-id="node-parameters"]')`,
			'the node details view',
		);
		await sleep(1000);
		// The output as JSON: every field of the item (outcome, status, request ids) fits.
		const jsonTab = await evaluate(`(() => {
			const tabs = [...document.querySelectorAll('label, button, span, div')]
				.filter((el) => el.childElementCount === 0 && el.textContent.trim() === 'JSON')
				.map((el) => el.getBoundingClientRect())
				.filter((r) => r.width > 0)
				.sort((a, b) => b.x - a.x);
			return tabs[0] ? { x: tabs[0].x + tabs[0].width / 2, y: tabs[0].y + tabs[0].height / 2 } : null;
		})()`);
		if (jsonTab && jsonTab.x > WIDTH * 0.6) await click(jsonTab.x, jsonTab.y);
		// Let icons, fonts and the parameter panel settle.
		await sleep(3000);
		const { data } = await page('Page.captureScreenshot', { format: 'png' });
		writeFileSync(out, Buffer.from(data, 'base64'));
		log(`wrote ${out}`);
		cdp.close();
	} finally {
		browser.kill('SIGTERM');
		await sleep(500);
		rmSync(profile, { recursive: true, force: true });
	}
}

await main();
