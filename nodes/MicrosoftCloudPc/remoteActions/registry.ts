import { SCOPES, type Scope } from '../model';
import type { RemoteActionDescriptor } from './descriptor';
import { changeUserAccountType } from './changeUserAccountType.action';
import { createSnapshot } from './createSnapshot.action';
import { endGracePeriod } from './endGracePeriod.action';
import { powerOff } from './powerOff.action';
import { powerOn } from './powerOn.action';
import { reboot } from './reboot.action';
import { rename } from './rename.action';
import { reprovision } from './reprovision.action';
import { resize } from './resize.action';
import { restore } from './restore.action';
import { retryPartnerAgentInstallation } from './retryPartnerAgentInstallation.action';
import { setReviewStatus } from './setReviewStatus.action';
import { start } from './start.action';
import { stop } from './stop.action';
import { troubleshoot } from './troubleshoot.action';

/*
 * Every remote action the node offers, one descriptor each. The operation list, the router,
 * the editor's fields and the trigger's action names all come from this list: adding an action
 * is adding its file and its line here.
 */

/** In the editor's order of fields: Reprovision first (its fields are the ones n8n finds first). */
export const REMOTE_ACTIONS: readonly RemoteActionDescriptor[] = [
	reprovision,
	reboot,
	rename,
	troubleshoot,
	resize,
	restore,
	endGracePeriod,
	start,
	stop,
	powerOn,
	powerOff,
	retryPartnerAgentInstallation,
	createSnapshot,
	changeUserAccountType,
	setReviewStatus,
];

const byOperation = new Map(REMOTE_ACTIONS.map((d) => [d.operation, d]));

/** The descriptor of an operation value, or undefined for a read operation (get, getMany…). */
export function remoteActionOf(operation: string): RemoteActionDescriptor | undefined {
	return byOperation.get(operation);
}

/** The descriptor whose `actionName` Graph reports (any case), e.g. 'Reprovision'. */
export function remoteActionNamed(actionName: string): RemoteActionDescriptor | undefined {
	const name = actionName.toLowerCase();
	return REMOTE_ACTIONS.find((d) => d.actionName.toLowerCase() === name);
}

/**
 * Graph has the action in beta only (no v1.0 route): the editor hides API Version for it and
 * the engine plans it on beta without reading that field.
 */
export function betaOnly(d: RemoteActionDescriptor): boolean {
	return !d.routes['v1.0']?.length;
}

/** The operations of the beta-only actions (API Version hidden for them). */
export const BETA_ONLY_OPERATIONS: readonly string[] = REMOTE_ACTIONS.filter(betaOnly).map(
	(d) => d.operation,
);

/** Every scope some route of the action has, in the editor's order. */
export function scopesOf(d: RemoteActionDescriptor): Scope[] {
	const all = new Set(Object.values(d.routes).flatMap((scopes) => [...(scopes ?? [])]));
	return SCOPES.filter((s) => all.has(s));
}
