import type { IDataObject } from 'n8n-workflow';

import { hintFor, type ActionHints, type GraphFailure } from '../transport/graphErrors';

/**
 * Output shapes shared by the Cloud PC operations: flat, the same keys every time (null when
 * unknown), so an item drops into a ticket comment or a chat message as it is.
 */

/** What happened to an item that asked for a remote action. */
export type Outcome = 'requested' | 'skipped' | 'done' | 'failed' | 'dryRun' | 'unknown';

/** What to do about an `unknown` outcome of an action (`noun`): the node never resends one by itself. */
export const unknownHint = (noun: string, statusOperation: string) =>
	`Graph's answer was lost and its records could not say whether the ${noun} ran. Check the Cloud PC in Intune (Devices › Windows 365 › its device actions) or with ${statusOperation} before running this item again.`;

/** A Graph value as text, or null when Graph gave none. */
export const text = (value: unknown): string | null =>
	typeof value === 'string'
		? value
		: typeof value === 'number' || typeof value === 'boolean'
			? String(value)
			: null;

/** Graph's `statusDetail` ({code, message, additionalInformation}) as two flat fields. */
function statusDetailFields(detail: unknown): IDataObject {
	const object = detail && typeof detail === 'object' ? (detail as IDataObject) : {};
	return { statusDetail: text(object.message), statusDetailCode: text(object.code) };
}

/**
 * A Cloud PC as Graph returned it (v1.0 or beta, whole or $select-ed). `status` is null on
 * v1.0, which has none; a status value newer than this node passes through as it is. Name,
 * user and status come first: n8n's table shows the first columns.
 */
export function cloudPcFields(pc: IDataObject): IDataObject {
	return {
		cloudPcName: text(pc.displayName),
		userPrincipalName: text(pc.userPrincipalName),
		status: text(pc.status),
		...statusDetailFields(pc.statusDetail),
		cloudPcId: text(pc.id),
		managedDeviceName: text(pc.managedDeviceName),
		servicePlanName: text(pc.servicePlanName),
		imageDisplayName: text(pc.imageDisplayName),
		provisioningPolicyId: text(pc.provisioningPolicyId),
		lastModifiedDateTime: text(pc.lastModifiedDateTime),
	};
}

/**
 * One entry of beta `retrieveCloudPcRemoteActionResults`, or all-null when there is none. Its
 * fields carry an `action` prefix, so they sit beside a Cloud PC's own (its `statusDetail` is
 * another thing). Unknown `actionState` values pass through as data.
 */
export function remoteActionFields(action: IDataObject | undefined): IDataObject {
	const a = action ?? {};
	// `statusDetails` is the older, deprecated name of the same property
	const detail = statusDetailFields(a.statusDetail ?? a.statusDetails);
	return {
		actionName: text(a.actionName),
		actionState: text(a.actionState),
		actionStartDateTime: text(a.startDateTime),
		actionLastUpdatedDateTime: text(a.lastUpdatedDateTime),
		actionStatusDetail: detail.statusDetail,
		actionStatusDetailCode: detail.statusDetailCode,
	};
}

/** A Graph failure as data: code, message, what to do, and the ids support asks for. */
export function failureFields(failure: GraphFailure, action?: ActionHints): IDataObject {
	return {
		statusCode: failure.status || null,
		errorCode: failure.code,
		errorMessage: failure.graphMessage,
		hint: hintFor(failure, action),
		requestId: failure.requestId ?? null,
		clientRequestId: failure.clientRequestId,
	};
}

/**
 * Records newest first by a date-time field; records without a readable one go last, in the
 * order Graph gave them (Graph documents no order for these lists).
 */
export function newestFirst<T extends IDataObject>(records: T[], key: keyof T): T[] {
	const time = (record: T) => {
		const parsed = Date.parse(String(record[key] ?? ''));
		return Number.isNaN(parsed) ? -Infinity : parsed;
	};
	return records
		.map((record, index) => ({ record, index, at: time(record) }))
		.sort((a, b) => b.at - a.at || a.index - b.index)
		.map(({ record }) => record);
}
