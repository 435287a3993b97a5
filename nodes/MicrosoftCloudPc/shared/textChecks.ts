import { GUID_PATTERN } from '../model';

/*
 * Checks of free text, user principal names and user IDs, for both nodes: the action node's
 * parameters and the trigger's filter are held to the same rules.
 */

export const GUID = new RegExp(GUID_PATTERN);

/**
 * Entra ID's user principal names (learn.microsoft.com, "Password policies and account
 * restrictions in Microsoft Entra ID"): at most 113 characters, 64 before the @ and 48 after;
 * letters A-Z, digits and ' . - _ ! # ^ ~ before the @; a dotted domain after it.
 */
const UPN_MAX = 113;
const UPN_LOCAL_MAX = 64;
const UPN_DOMAIN_MAX = 48;
// Single character classes, never nested or overlapping: each test is linear in the length,
// and the length is checked first anyway.
const NOT_UPN_LOCAL = /[^A-Za-z0-9'._!#^~-]/u;
const NOT_UPN_DOMAIN = /[^A-Za-z0-9.-]/u;
const VISIBLE = /^[\p{L}\p{N}\p{P}\p{S}]$/u;
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

/** A value as an error message shows it: text quoted and cut short, anything else as it is. */
export const show = (value: unknown) =>
	typeof value === 'string' ? JSON.stringify(value.slice(0, 80)) : String(value).slice(0, 80);

// Node 20 has String.prototype.isWellFormed; the TypeScript lib this project builds with does not declare it.
const isWellFormed = (text: string) =>
	(text as string & { isWellFormed(): boolean }).isWellFormed();

const codePoint = (char: string) =>
	`U+${(char.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}`;

/**
 * What is wrong with free text before anything else looks at it: too long, a lone surrogate
 * (which would make URL encoding throw mid-run), or a control character. Undefined when fine.
 */
export function textProblem(text: string, maxLength: number): string | undefined {
	if (text.length > maxLength) {
		return `is ${text.length.toLocaleString('en-US')} characters long; at most ${maxLength} are allowed`;
	}
	if (!isWellFormed(text)) return 'is not well-formed Unicode (it holds a lone surrogate)';
	const control = CONTROL.exec(text);
	if (control) return `contains the control character ${codePoint(control[0])}`;
	return undefined;
}

export const A_UPN = 'a user principal name like adele@contoso.com';

/**
 * What is wrong with a user principal name, by Entra ID's rules; undefined when it is one.
 * `expected` names what the field takes, for a value that is not shaped like a UPN at all.
 */
export function upnProblem(upn: string, expected = A_UPN): string | undefined {
	const problem = textProblem(upn, UPN_MAX);
	if (problem) return problem;
	const at = upn.indexOf('@');
	if (at <= 0 || at !== upn.lastIndexOf('@') || at === upn.length - 1) {
		return `must be ${expected}; got ${show(upn)}`;
	}
	const local = upn.slice(0, at);
	const domain = upn.slice(at + 1);
	if (local.length > UPN_LOCAL_MAX) {
		return `has ${local.length} characters before the @; Entra ID allows at most ${UPN_LOCAL_MAX}`;
	}
	if (domain.length > UPN_DOMAIN_MAX) {
		return `has ${domain.length} characters after the @; Entra ID allows at most ${UPN_DOMAIN_MAX}`;
	}
	const bad = NOT_UPN_LOCAL.exec(local) ?? NOT_UPN_DOMAIN.exec(domain);
	if (bad) {
		// a visible character as it is; a space or an invisible one by its code point
		const char = VISIBLE.test(bad[0]) ? JSON.stringify(bad[0]) : codePoint(bad[0]);
		return `contains ${char}, which Entra ID does not allow in a user principal name (before the @: letters A-Z, digits and ' . - _ ! # ^ ~; after it: letters, digits, . and -)`;
	}
	if (local.endsWith('.')) return 'must not have a "." right before the @';
	const labels = domain.split('.');
	if (labels.length < 2 || labels.some((label) => label === '')) {
		return `must be ${expected}, its domain dotted like contoso.com; got ${show(upn)}`;
	}
	return undefined;
}

/** What is wrong with a "User" value: an object ID (GUID) or a UPN; undefined when fine. */
export function userProblem(user: string): string | undefined {
	// anchored, fixed-length pattern: it gives up within 36 characters, whatever the length
	return GUID.test(user) ? undefined : upnProblem(user, `an object ID (GUID) or ${A_UPN}`);
}
