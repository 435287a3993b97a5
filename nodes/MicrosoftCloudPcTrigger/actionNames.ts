import type { INodePropertyOptions } from 'n8n-workflow';

/*
 * The remote actions Action Finished offers.
 *
 * MERGE: replace REMOTE_ACTIONS below with the registry's import once it is on main:
 *   import { REMOTE_ACTIONS } from '../MicrosoftCloudPc/remoteActions/registry';
 * Only `name` (the editor's) and `actionName` (Graph's, in retrieveCloudPcRemoteActionResults)
 * are read here.
 */
const REMOTE_ACTIONS: ReadonlyArray<{ name: string; actionName: string }> = [
	{ name: 'Change User Account Type', actionName: 'ChangeUserAccountType' },
	{ name: 'Create Snapshot', actionName: 'CreateSnapshot' },
	{ name: 'End Grace Period', actionName: 'EndGracePeriod' },
	{ name: 'Place Under Review', actionName: 'PlaceUnderReview' },
	{ name: 'Power Off', actionName: 'CloudPcPowerOff' },
	{ name: 'Power On', actionName: 'CloudPcPowerOn' },
	{ name: 'Reboot', actionName: 'Reboot' },
	{ name: 'Rename', actionName: 'Rename' },
	{ name: 'Reprovision', actionName: 'Reprovision' },
	{ name: 'Resize', actionName: 'Resize' },
	{ name: 'Restore', actionName: 'Restore' },
	{ name: 'Retry Partner Agent Installation', actionName: 'RetryPartnerAgentInstallation' },
	{ name: 'Start', actionName: 'Start' },
	{ name: 'Stop', actionName: 'Stop' },
	{ name: 'Troubleshoot', actionName: 'Troubleshoot' },
];

/** The Actions field's options: Graph's actionName is the value, so a saved choice is Graph's word. */
export const ACTION_OPTIONS: INodePropertyOptions[] = REMOTE_ACTIONS.map((action) => ({
	name: action.name,
	value: action.actionName,
}));
