import { n8nCommunityNodesPlugin } from '@n8n/eslint-plugin-community-nodes';
import { config } from '@n8n/node-cli/eslint';

const communityNodeRulesOff = Object.fromEntries(
	Object.keys(n8nCommunityNodesPlugin.rules).map((rule) => [`@n8n/community-nodes/${rule}`, 'off']),
);

export default [
	...config,
	{
		// Deliberate exception, see README "Lint exceptions": @azure/msal-node is a runtime
		// dependency because app-only tokens (certificate, managed identity) need it.
		files: ['package.json'],
		rules: { '@n8n/community-nodes/no-runtime-dependencies': 'off' },
	},
	{
		// test/ holds a harness node and servers that are never installed into n8n.
		files: ['test/**/*.ts'],
		rules: communityNodeRulesOff,
	},
	{
		// the benchmark is a command-line program: its report goes to stdout
		files: ['test/bench/**/*.ts'],
		rules: { 'no-console': 'off' },
	},
];
