import { startGraphServer, type GraphServer } from '../graph-server';
import { READER_TOKEN, delegatedCredential, serverOptions } from '../fixtures';
import { testCredential } from '../harness/credential-test';

let graph: GraphServer;

beforeAll(async () => {
	graph = await startGraphServer(serverOptions());
});
afterAll(async () => await graph.close());
beforeEach(() => graph.reset());

describe('delegated credential test (the editor\'s "Test" button)', () => {
	test("reads the signed-in user's Cloud PCs from the environment's Graph host", async () => {
		const { microsoftCloudPcOAuth2Api: data } = delegatedCredential(`${graph.url}/`);
		const result = await testCredential('microsoftCloudPcOAuth2Api', data);

		expect(result).toEqual({ status: 'OK', message: 'Connection successful!' });
		const [call] = graph.requests;
		expect(graph.requests).toHaveLength(1);
		expect(call).toMatchObject({ method: 'GET', path: '/v1.0/me/cloudPCs', status: 200 });
		expect(call.query).toEqual({ $select: 'id' });
		expect(call.headers['user-agent']).toMatch(/^n8n-nodes-microsoft-cloudpc\//);
	});

	test('a token without Cloud PC permission fails the test', async () => {
		const { microsoftCloudPcOAuth2Api: data } = delegatedCredential(graph.url, READER_TOKEN);
		const result = await testCredential('microsoftCloudPcOAuth2Api', data);

		expect(result.status).toBe('Error');
		expect(graph.requests[0].status).toBe(403);
	});
});
