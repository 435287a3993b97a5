import type { IDataObject } from 'n8n-workflow';

/* Types the operations share, apart from the router that calls them. */

/** An output item: its data, or (Continue On Fail) its error plus what is known. */
export type ItemResult = { json: IDataObject } | { error: Error; json: IDataObject };

/**
 * The bounds of a number the user sets, in one place: the editor's `minValue`/`maxValue`
 * (common.descriptions.ts `numberTypeOptions`) and the run-time check both read them, because n8n
 * does not hold a value from an expression to the editor's limits.
 */
export interface NumberBounds {
	/** the field's label, as errors name it */
	displayName: string;
	min: number;
	max: number;
	default: number;
	/** whole numbers only */
	integer: boolean;
}
