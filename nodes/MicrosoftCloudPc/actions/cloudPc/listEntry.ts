import type { IDataObject, INodeParameterResourceLocator } from 'n8n-workflow';

import { text } from '../../shared/outputFields';

/*
 * A Cloud PC as the "From List" picker names it ("AdeleV-01 · failed ·
 * AdeleV@contoso.onmicrosoft.com": the status before the long UPN, which the picker may cut
 * off), and that name read back. n8n keeps the chosen entry's name with the parameter
 * (`cachedResultName`), so Reprovision can name the Cloud PC without asking Graph again.
 */

const SEPARATOR = ' · ';
/** A status is one camelCase word; a UPN has one @ and no spaces (Entra ID's rules). */
const STATUS = /^[A-Za-z]+$/;
const UPN = /^[^\s@]+@[^\s@]+$/;

export interface ListedCloudPc {
	id: string;
	displayName: string | null;
	userPrincipalName: string | null;
	status: string | null;
}

/** What the node knows of a Cloud PC without reading it: null where it knows nothing. */
export interface KnownNames {
	cloudPcName: string | null;
	userPrincipalName: string | null;
}

export const NO_NAMES: KnownNames = { cloudPcName: null, userPrincipalName: null };

export function listEntryName(pc: ListedCloudPc): string {
	return [pc.displayName ?? pc.id, pc.status, pc.userPrincipalName].filter(Boolean).join(SEPARATOR);
}

/**
 * An entry's name read back from the right: UPN, status, then the display name. Choices saved
 * by earlier versions end in the status ("name · user · status") or carry none ("name · user").
 */
function namesOf(entry: string, id: string): KnownNames {
	const parts = entry.split(SEPARATOR);
	const popStatus = () => {
		if (parts.length > 1 && STATUS.test(parts[parts.length - 1])) parts.pop();
	};
	popStatus();
	const upn = parts.length > 1 && UPN.test(parts[parts.length - 1]) ? parts.pop()! : null;
	popStatus();
	const name = parts.join(SEPARATOR);
	// an entry without a display name shows the ID instead
	return { cloudPcName: name && name !== id ? name : null, userPrincipalName: upn };
}

/**
 * The names shown for the Cloud PC chosen From List, read once per run from the node's Cloud PC
 * parameter as saved; for an item, nothing when the Cloud PC was given By ID or by an
 * expression, or when the choice is not the Cloud PC the item names.
 */
export function listChoiceNames(parameter: unknown): (cloudPcId: string) => KnownNames {
	const raw = parameter as Partial<INodeParameterResourceLocator> | null | undefined;
	const { mode, value, cachedResultName } = raw && typeof raw === 'object' ? raw : {};
	const chosen =
		mode === 'list' && typeof value === 'string' && !value.startsWith('=') ? value.trim() : '';
	if (!chosen || typeof cachedResultName !== 'string' || !cachedResultName) return () => NO_NAMES;
	const names = namesOf(cachedResultName, chosen);
	return (cloudPcId) => (cloudPcId.toLowerCase() === chosen.toLowerCase() ? names : NO_NAMES);
}

/** The names an input item carries for the Cloud PC it names (a Get Many or trigger item). */
function itemNames(json: IDataObject, cloudPcId: string): KnownNames {
	const id = text(json.cloudPcId) ?? text(json.id);
	if (id?.toLowerCase() !== cloudPcId.toLowerCase()) return NO_NAMES;
	return {
		cloudPcName: text(json.cloudPcName) ?? text(json.displayName),
		userPrincipalName: text(json.userPrincipalName),
	};
}

/**
 * The names an item's Cloud PC is known by without reading it: the input item's own, else the
 * From List choice's (`choice`, from listChoiceNames).
 */
export function namesWithoutReading(
	items: ReadonlyArray<{ json: IDataObject }>,
	choice: (cloudPcId: string) => KnownNames,
): (itemIndex: number, cloudPcId: string) => KnownNames {
	return (itemIndex, cloudPcId) => {
		const item = itemNames(items[itemIndex]?.json ?? {}, cloudPcId);
		const chosen = choice(cloudPcId);
		return {
			cloudPcName: item.cloudPcName ?? chosen.cloudPcName,
			userPrincipalName: item.userPrincipalName ?? chosen.userPrincipalName,
		};
	};
}
