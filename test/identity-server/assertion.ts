import { constants, createHash, verify, X509Certificate } from 'node:crypto';

/** What Entra ID answers when a client assertion fails, as AADSTS code and message. */
export interface AssertionFailure {
	aadsts: number;
	message: string;
}

export interface VerifiedAssertion {
	alg: 'RS256' | 'PS256';
	/** which header named the certificate */
	thumbprintHeader: 'x5t#S256' | 'x5t';
	/** the x5c header, when sent (subject name + issuer authentication) */
	x5c?: string[];
	certificate: X509Certificate;
}

export interface RegisteredCertificate {
	pem: string;
	/** Entra ID refuses a registered certificate past its end date */
	expired?: boolean;
}

const SKEW_SECONDS = 300;
const b64url = (data: Buffer) => data.toString('base64url');

/**
 * Checks a client assertion the way Entra ID does: the certificate named by `x5t#S256` or `x5t`
 * must be registered on the app, the RS256/PS256 signature must verify with its public key, `aud`
 * must be the token endpoint, `iss` = `sub` = client id, and the time window must hold.
 */
export function verifyClientAssertion(
	jwt: string,
	expected: { audience: string; clientId: string; certificates: readonly RegisteredCertificate[] },
): VerifiedAssertion | AssertionFailure {
	const parts = jwt.split('.');
	if (parts.length !== 3) return { aadsts: 50027, message: 'JWT token is invalid or malformed.' };
	const [headerPart, payloadPart, signaturePart] = parts;
	let header: Record<string, unknown>;
	let payload: Record<string, unknown>;
	try {
		header = JSON.parse(Buffer.from(headerPart, 'base64url').toString('utf8')) as typeof header;
		payload = JSON.parse(Buffer.from(payloadPart, 'base64url').toString('utf8')) as typeof payload;
	} catch {
		return { aadsts: 50027, message: 'JWT token is invalid or malformed.' };
	}

	const thumbprintHeader = typeof header['x5t#S256'] === 'string' ? 'x5t#S256' : 'x5t';
	const thumbprint = header[thumbprintHeader];
	const digest = thumbprintHeader === 'x5t#S256' ? 'sha256' : 'sha1';
	const registered = expected.certificates.find(
		({ pem }) =>
			b64url(createHash(digest).update(new X509Certificate(pem).raw).digest()) === thumbprint,
	);
	if (!registered) {
		return {
			aadsts: 700027,
			message: `Client assertion failed signature validation. Reason - The key was not found., Thumbprint of key used by client: '${String(thumbprint)}'.`,
		};
	}
	const certificate = new X509Certificate(registered.pem);
	if (registered.expired) {
		return {
			aadsts: 700027,
			message: `The certificate with identifier used to sign the client assertion is expired on application. Thumbprint of key used by client: '${String(thumbprint)}'.`,
		};
	}

	const alg = header.alg as VerifiedAssertion['alg'];
	const signed = Buffer.from(`${headerPart}.${payloadPart}`);
	const signature = Buffer.from(signaturePart, 'base64url');
	const valid =
		alg === 'RS256'
			? verify('sha256', signed, certificate.publicKey, signature)
			: alg === 'PS256'
				? verify(
						'sha256',
						signed,
						{
							key: certificate.publicKey,
							padding: constants.RSA_PKCS1_PSS_PADDING,
							saltLength: constants.RSA_PSS_SALTLEN_DIGEST,
						},
						signature,
					)
				: false;
	if (!valid) {
		return {
			aadsts: 700027,
			message: `Client assertion failed signature validation. Reason - The provided signature value did not match the expected signature value. Algorithm: ${String(alg)}.`,
		};
	}

	if (payload.aud !== expected.audience) {
		return {
			aadsts: 700023,
			message: `Client assertion audience claim does not match Realm issuer. Review the documentation at https://docs.microsoft.com/en-us/azure/active-directory/develop/active-directory-certificate-credentials.`,
		};
	}
	if (payload.iss !== expected.clientId || payload.sub !== expected.clientId) {
		return {
			aadsts: 700021,
			message: 'Client assertion application identifier does not match client_id parameter.',
		};
	}
	const now = Date.now() / 1000;
	const exp = Number(payload.exp);
	const nbf = Number(payload.nbf ?? 0);
	if (!(exp > now - SKEW_SECONDS) || nbf > now + SKEW_SECONDS || typeof payload.jti !== 'string') {
		return { aadsts: 700024, message: 'Client assertion is not within its valid time range.' };
	}
	const x5c = Array.isArray(header.x5c) ? (header.x5c as string[]) : undefined;
	if (x5c && x5c[0] !== certificate.raw.toString('base64')) {
		return {
			aadsts: 700027,
			message:
				'Client assertion contains an x5c chain that does not start with the signing certificate.',
		};
	}
	return { alg, thumbprintHeader, x5c, certificate };
}
