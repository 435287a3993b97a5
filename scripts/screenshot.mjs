#!/usr/bin/env node
// Screenshots of the n8n editor with the Microsoft Cloud PC node, taken from the n8n that
// `npm start` runs, with headless Chromium (Debian: apt-get install chromium) driven over the
// DevTools protocol. Three views, each written to docs/:
//
//   node     screenshot-editor.png  the nightly example run in the editor, Reprovision's panel
//   output   screenshot-output.png  the same run, Get Many's output as a table (name, user, status)
//   picker   screenshot-picker.png  Reprovision's Cloud PC parameter "From List", the list open
//
//   npm start                              # in another terminal, fresh: the run needs the
//                                          # sample's failed Cloud PC, which it reprovisions
//   node scripts/screenshot.mjs [view ...] # all three by default
//
// Environment: CHROMIUM (default /usr/bin/chromium), CLOUDPC_N8N_PORT (5678),
// CLOUDPC_N8N_VERSION, SCREENSHOT_DIR (default docs/).
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
const outDir = resolve(process.env.SCREENSHOT_DIR ?? join(ROOT, 'docs'));
const VIEWS = {
	node: 'screenshot-editor.png',
	output: 'screenshot-output.png',
	picker: 'screenshot-picker.png',
};
const views = process.argv.slice(2).length ? process.argv.slice(2) : Object.keys(VIEWS);
const unknown = views.filter((view) => !VIEWS[view]);
if (unknown.length)
	throw new Error(`unknown view ${unknown.join(', ')}; views: ${Object.keys(VIEWS).join(', ')}`);
const NIGHTLY = WORKFLOWS.nightly;
const GET_MANY = 'Get failed Cloud PCs';
const REPROVISION = 'Reprovision Cloud PC';
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

/** The editor in one Chromium tab: navigation, waits, clicks, captures. */
class Editor {
	constructor(cdp, sessionId) {
		this.send = (method, params) => cdp.send(method, params, sessionId);
	}

	async evaluate(expression) {
		const { result } = await this.send('Runtime.evaluate', {
			expression,
			returnByValue: true,
			awaitPromise: true,
		});
		return result.value;
	}

	async waitFor(expression, what, ms = 60_000) {
		const until = Date.now() + ms;
		while (Date.now() < until) {
			if (await this.evaluate(expression)) return;
			await sleep(300);
		}
		throw new Error(`timed out waiting for ${what}`);
	}

	/** Clicks the middle of the first visible element that `find` (a JS expression) returns. */
	async clickOn(find, what, clickCount = 1) {
		const point = await this.evaluate(`(() => {
			const el = ${find};
			if (!el) return null;
			el.scrollIntoView({ block: 'nearest' });
			const r = el.getBoundingClientRect();
			return r.width ? { x: r.x + r.width / 2, y: r.y + r.height / 2 } : null;
		})()`);
		if (!point) throw new Error(`not found: ${what}`);
		for (let count = 1; count <= clickCount; count++) {
			for (const type of ['mousePressed', 'mouseReleased']) {
				await this.send('Input.dispatchMouseEvent', {
					type,
					...point,
					button: 'left',
					clickCount: count,
				});
			}
		}
	}

	click(selector, clickCount) {
		return this.clickOn(
			`document.querySelector(${JSON.stringify(selector)})`,
			selector,
			clickCount,
		);
	}

	/** Clicks the innermost element under `selector` whose text is exactly `text`. */
	clickText(selector, text) {
		return this.clickOn(
			`[...document.querySelectorAll(${JSON.stringify(`${selector} *`)})].find(
				(el) => el.childElementCount === 0 && el.textContent.trim() === ${JSON.stringify(text)} && el.getBoundingClientRect().width)`,
			`"${text}" in ${selector}`,
		);
	}

	async openWorkflow(id) {
		await this.send('Page.navigate', { url: `${base}/workflow/${id}` });
		await this.waitFor(`!!document.querySelector('[data-test-id="canvas-node"]')`, 'the canvas');
		await sleep(1500);
	}

	/** Runs the workflow from the editor, so the node panels show real input and output. */
	async execute() {
		await this.click('[data-test-id="execute-workflow-button"]');
		log('executing the workflow in the editor');
		await sleep(1000);
		await this.waitFor(
			`!document.querySelector('[data-test-id="execute-workflow-button"] .n8n-spinner, [data-test-id="stop-execution-button"]')`,
			'the execution',
		);
		await sleep(1500);
	}

	async openNode(name) {
		await this.click(`[data-test-id="canvas-node"][data-node-name=${JSON.stringify(name)}]`, 2);
		await this.waitFor(`!!document.querySelector('[data-test-id="ndv"]')`, `the panel of ${name}`);
		await sleep(1000);
	}

	async closeNode() {
		await this.send('Input.dispatchKeyEvent', {
			type: 'keyDown',
			key: 'Escape',
			code: 'Escape',
			windowsVirtualKeyCode: 27,
		});
		await this.send('Input.dispatchKeyEvent', {
			type: 'keyUp',
			key: 'Escape',
			code: 'Escape',
			windowsVirtualKeyCode: 27,
		});
		await this.waitFor(`!document.querySelector('[data-test-id="ndv"]')`, 'the panel to close');
	}

	/** Drags the panel's middle column to `x`, so the output panel gets the width. */
	async widenOutput(x = 360) {
		const handle = await this.evaluate(`(() => {
			const r = document.querySelector('[data-test-id="panel-drag-button"]')?.getBoundingClientRect();
			return r?.width ? { x: r.x + r.width / 2, y: r.y + r.height / 2 } : null;
		})()`);
		if (!handle) throw new Error('not found: the panel drag handle');
		const mouse = (type, at) =>
			this.send('Input.dispatchMouseEvent', {
				type,
				...at,
				button: 'left',
				buttons: 1,
				clickCount: 1,
			});
		await mouse('mousePressed', handle);
		for (let step = 1; step <= 10; step++) {
			await mouse('mouseMoved', { x: handle.x + ((x - handle.x) * step) / 10, y: handle.y });
			await sleep(50);
		}
		await mouse('mouseReleased', { x, y: handle.y });
		await sleep(500);
	}

	/** The output panel as `table` or `json`. */
	outputAs(mode) {
		return this.click(`[data-test-id="output-panel"] [data-test-id="radio-button-${mode}"]`);
	}

	async capture(view) {
		// Let icons, fonts and the panels settle.
		await sleep(3000);
		const { data } = await this.send('Page.captureScreenshot', { format: 'png' });
		const file = join(outDir, VIEWS[view]);
		writeFileSync(file, Buffer.from(data, 'base64'));
		log(`wrote ${file}`);
	}
}

/** node and output: one run of the nightly example (it reprovisions the sample's failed Cloud PC). */
async function runViews(editor) {
	await editor.openWorkflow(NIGHTLY);
	await editor.execute();
	if (views.includes('node')) {
		await editor.openNode(REPROVISION);
		// JSON: every field of the item (outcome, status, request ids) fits.
		await editor.outputAs('json');
		await editor.capture('node');
		await editor.closeNode();
	}
	if (views.includes('output')) {
		await editor.openNode(GET_MANY);
		await editor.widenOutput();
		await editor.outputAs('table');
		await editor.capture('output');
		await editor.closeNode();
	}
}

/** picker: Reprovision's Cloud PC switched to "From list" (not saved), the list open. */
async function pickerView(editor) {
	await editor.openWorkflow(NIGHTLY);
	await editor.openNode(REPROVISION);
	const field = '[data-test-id="cloudPcId-parameter-input-options-container"]';
	await editor.clickText(field, 'Fixed');
	await sleep(500);
	await editor.click(
		'[data-test-id="resource-locator-cloudPcId"] [data-test-id="rlc-mode-selector"]',
	);
	await sleep(500);
	await editor.click('[data-test-id="mode-list"]');
	await sleep(500);
	await editor.click(
		'[data-test-id="resource-locator-cloudPcId"] [data-test-id="rlc-input-container"]',
	);
	await editor.waitFor(
		`!!document.querySelector('[data-test-id="rlc-item"]')`,
		'the Cloud PC list',
	);
	await editor.capture('picker');
}

async function main() {
	const example = loadExamples()[NIGHTLY];
	for (const name of [GET_MANY, REPROVISION]) {
		if (!example?.nodes.some((n) => n.name === name))
			throw new Error(`no node "${name}" in workflow ${NIGHTLY}`);
	}
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
		const editor = new Editor(cdp, sessionId);
		await editor.send('Page.enable');
		await editor.send('Network.enable');
		await editor.send('Emulation.setDeviceMetricsOverride', {
			width: WIDTH,
			height: HEIGHT,
			deviceScaleFactor: 1,
			mobile: false,
		});
		await editor.send('Network.setCookie', {
			name: 'n8n-auth',
			value: auth,
			url: base,
			httpOnly: true,
		});
		if (views.includes('node') || views.includes('output')) await runViews(editor);
		if (views.includes('picker')) await pickerView(editor);
		cdp.close();
	} finally {
		browser.kill('SIGTERM');
		await sleep(500);
		rmSync(profile, { recursive: true, force: true });
	}
}

await main();
