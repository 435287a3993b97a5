import type { INodePropertyOptions } from 'n8n-workflow';

import { REMOTE_ACTIONS } from '../MicrosoftCloudPc/remoteActions/registry';

/**
 * The Actions field's options, one per remote action of the registry: Graph's actionName is the
 * value, so a saved choice is Graph's word (and a newer action works through an expression).
 */
export const ACTION_OPTIONS: INodePropertyOptions[] = REMOTE_ACTIONS.map((action) => ({
	name: action.displayName,
	value: action.actionName,
})).sort((a, b) => a.name.localeCompare(b.name));
