import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import type { GraphVersion } from '../../transport/graph';
import { readApiVersion, readCollection, readListOption } from '../validate';
import { BETA_ONLY_FIELDS, CLOUD_PC_FIELDS } from '../../model';

/** The "Options" of Get and Get Many: which fields to ask for ($select). */
export function readSelect(
	ctx: IExecuteFunctions,
	itemIndex: number,
	known: readonly string[] = ['fields'],
): { options: IDataObject; fields: string[] } {
	const options = readCollection(ctx, itemIndex, 'options', 'Options', known);
	const fields = readListOption(
		ctx,
		itemIndex,
		options,
		'fields',
		'Options › Fields',
		CLOUD_PC_FIELDS,
	);
	return { options, fields };
}

/** The node's API Version, unless the read needs beta (status exists only there). */
export function readVersionFor(
	ctx: IExecuteFunctions,
	itemIndex: number,
	needsBeta: boolean,
): GraphVersion {
	const version = readApiVersion(ctx, itemIndex);
	return needsBeta ? 'beta' : version;
}

/**
 * Whether a read returns status: all fields (none chosen) or a status field chosen. Status is
 * what an admin reads Cloud PCs for, and only beta has it, so such a read goes through beta:
 * one request, where v1.0 plus a beta read of the status would be two against the same
 * Windows 365 budget. The output keeps the same keys either way.
 */
export const readsStatus = (fields: readonly string[]) =>
	fields.length === 0 || fields.some((field) => BETA_ONLY_FIELDS.includes(field));

/** `$select` for the chosen fields; nothing when all are wanted. Graph always adds `id`. */
export function selectQuery(fields: readonly string[]): IDataObject {
	return fields.length ? { $select: ['id', ...fields].join(',') } : {};
}
