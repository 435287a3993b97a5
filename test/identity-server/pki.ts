import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TestCertificate {
	/** PEM private key (PKCS#8) */
	key: string;
	/** PEM certificate */
	cert: string;
	/** hex, lower case, no separators */
	sha1: string;
	sha256: string;
}

export interface TestPki {
	/** the identity server's TLS certificate for 127.0.0.1 (self-signed, so also its own CA) */
	tls: TestCertificate;
	/** an app registration's client certificate */
	app: TestCertificate;
	/** a second one the app registration does not know */
	stranger: TestCertificate;
	/** valid January 2020 only */
	expired: TestCertificate;
}

/** Certificates made with the openssl CLI at test time; nothing is checked in. */
export function createTestPki(): TestPki {
	const dir = mkdtempSync(join(tmpdir(), 'cloudpc-pki-'));
	const openssl = (command: string, ...args: string[]) =>
		execFileSync('openssl', [...command.split(' '), ...args], { cwd: dir, stdio: 'pipe' });
	const selfSigned = (name: string, subject: string, ...extra: string[]) => {
		openssl(
			`req -x509 -newkey rsa:2048 -nodes -days 2 -keyout ${name}.key -out ${name}.crt`,
			'-subj',
			subject,
			...extra,
		);
		return read(dir, name);
	};
	try {
		const tls = selfSigned('tls', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1');
		const app = selfSigned('app', '/CN=n8n-cloudpc-test-app');
		const stranger = selfSigned('stranger', '/CN=someone-else');
		// `openssl req -x509` cannot backdate; `openssl ca` can set both dates.
		openssl(
			'req -new -newkey rsa:2048 -nodes -keyout expired.key -out expired.csr',
			'-subj',
			'/CN=expired-app',
		);
		writeFileSync(join(dir, 'index.txt'), '');
		writeFileSync(join(dir, 'serial'), '01\n');
		writeFileSync(
			join(dir, 'ca.cnf'),
			'[ca]\ndefault_ca=d\n[d]\ndatabase=index.txt\nnew_certs_dir=.\nserial=serial\ndefault_md=sha256\npolicy=p\nunique_subject=no\n[p]\ncommonName=supplied\n',
		);
		openssl(
			'ca -batch -config ca.cnf -selfsign -keyfile expired.key -in expired.csr -notext -out expired.crt',
			'-startdate',
			'20200101000000Z',
			'-enddate',
			'20200201000000Z',
		);
		return { tls, app, stranger, expired: read(dir, 'expired') };
	} finally {
		rmSync(dir, { recursive: true, force: true });
	}
}

function read(dir: string, name: string): TestCertificate {
	const cert = readFileSync(join(dir, `${name}.crt`), 'utf8');
	const x509 = new X509Certificate(cert);
	const hex = (fingerprint: string) => fingerprint.replace(/:/g, '').toLowerCase();
	return {
		key: readFileSync(join(dir, `${name}.key`), 'utf8'),
		cert,
		sha1: hex(x509.fingerprint),
		sha256: hex(x509.fingerprint256),
	};
}
