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

export const needsBetaFields = (fields: readonly string[]) =>
	fields.some((field) => BETA_ONLY_FIELDS.includes(field));

/** `$select` for the chosen fields; nothing when all are wanted. Graph always adds `id`. */
export function selectQuery(fields: readonly string[]): IDataObject {
	return fields.length ? { $select: ['id', ...fields].join(',') } : {};
}
