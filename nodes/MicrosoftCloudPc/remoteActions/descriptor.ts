import type { Scope } from '../model';
import type { GraphVersion } from '../transport/graph';

/*
 * What one Cloud PC remote action is, as data: the engine in actions/remoteAction/ reads it to
 * build the editor's fields, check each item, send the request, guard, verify, wait and output.
 * No I/O here and no import from actions/: the trigger reads action names from this folder too.
 * A new action is one `<name>.action.ts` file beside this one plus its entry in registry.ts.
 */

/** What a body field holds; each kind has its editor field and its run-time check. */
export type BodyFieldKind =
	/** free text: no control characters, at most `maxLength` characters */
	| 'text'
	/** a GUID (an ID of a snapshot, a service plan…) */
	| 'guid'
	/** one of `options` */
	| 'options'
	/** an ISO 8601 date and time, sent as Graph writes it (UTC, `Z`) */
	| 'datetime'
	/** a number within `bounds` */
	| 'number'
	/** true or false */
	| 'boolean';

/** One property of the action's JSON body (or of its bulk action's). */
export interface BodyField {
	/** the property's name in Graph's body, e.g. `osVersion` */
	name: string;
	/** the node parameter holding it, when not `name` (a required field is a top-level parameter) */
	parameter?: string;
	/** the editor's label, also how errors name the field: `Item 0: "OS Version" …` */
	displayName: string;
	kind: BodyFieldKind;
	/**
	 * Required fields are top-level parameters (e.g. Rename's New Display Name); optional ones
	 * sit in the action's options collection (`RemoteActionDescriptor.optionsParameter`) and are
	 * left out of the body when not set.
	 */
	required: boolean;
	/** the editor's description of the field */
	description: string;
	placeholder?: string;
	/** editor default; for a required text field, '' (the run-time check rejects it empty) */
	default?: string | number | boolean;
	/** kind `options`: what Graph takes, as the editor names each */
	options?: ReadonlyArray<{ name: string; value: string; description?: string }>;
	/** kind `text`: longest accepted text (Graph's documented limit) */
	maxLength?: number;
	/** kind `text`: a pattern the text must match, and what it means for the error message */
	pattern?: { regex: string; says: string };
	/**
	 * A required field whose values the node can list: the name of its list search method
	 * (methods/listSearch.ts, e.g. 'searchSnapshots', which reads the Cloud PC chosen). The editor
	 * shows a resource locator, From List and By ID, listed again when the Cloud PC changes; the
	 * engine takes the locator's value (a plain text value saved before is still taken) and
	 * checks it as `kind` says.
	 */
	listSearch?: string;
	/** kind `number`: range and whether whole numbers only */
	bounds?: { min: number; max: number; integer: boolean };
	/**
	 * The scopes whose route takes this field; left out, every scope the action has. Setting it
	 * on another scope fails the item before anything is sent (Reprovision's options: admin
	 * route only), and the editor shows it on these scopes only.
	 */
	scopes?: readonly Scope[];
	/**
	 * The body property holding this field, when Graph nests it one level down: Set Review
	 * Status sends `{ reviewStatus: { inReview, userAccessLevel, … } }`, each of its fields with
	 * `within: 'reviewStatus'`. The object is sent when at least one of its fields is set; the
	 * output still lists each field by its own `name`. Left out, the field is top-level. The
	 * action's body only: the bulk engine does not read it (no `bulk.fields` may set it yet).
	 */
	within?: string;
}

/** When an item asks Graph whether the action already started, before sending it. */
export type EarlierCheck = 'onRetry' | 'always' | 'never';

export interface RemoteActionDescriptor {
	/** the node's `operation` value; saved workflows hold it, so it never changes */
	operation: string;
	/** the operation's name in the editor, e.g. 'Reprovision' */
	displayName: string;
	/** n8n's action text in the nodes panel, sentence case, e.g. 'Reprovision a Cloud PC' */
	action: string;
	/**
	 * The operation's description (also the AI tool's description with `usableAsTool`). A
	 * destructive action's starts with or says DESTRUCTIVE (checked by the registry test).
	 */
	description: string;
	/** learn.microsoft.com API pages this descriptor is taken from (v1.0 and beta) */
	docs: readonly string[];

	/** the route's last segment: `POST …/cloudPCs/{id}/<segment>` */
	segment: string;
	/**
	 * The action's `actionName` in beta `retrieveCloudPcRemoteActionResults` (Graph's spelling,
	 * compared without case): what the earlier check, the lost-answer check and Wait for
	 * Completion look for.
	 */
	actionName: string;
	/**
	 * Per API version, the scopes whose route Graph documents for this action (organization:
	 * `/deviceManagement/virtualEndpoint`, user: `/users/{id}`, me: `/me`). A version left out
	 * has no route at all; an item on a scope its version lacks fails before anything is sent.
	 */
	routes: Readonly<Partial<Record<GraphVersion, readonly Scope[]>>>;
	/** Microsoft Graph permission the action needs (delegated or application) */
	permission: string;

	/**
	 * Sending it twice does harm (wipes, deprovisions, restores, interrupts the user): an answer
	 * that is lost is checked with Graph before any resend and never resent when unknown, and the
	 * editor and the AI tool description say DESTRUCTIVE. Not destructive: a lost answer is
	 * still checked first (no action is sent blindly twice), but the notice is milder.
	 */
	destructive: boolean;
	/** the editor's notice above the action's fields (what it does to the user, when it applies) */
	notice: string;

	/** the body's fields; none: the body is `{}` (Graph's batch needs one on a POST) */
	body: readonly BodyField[];
	/** the collection parameter holding the optional body fields: name and label */
	optionsParameter?: { name: string; displayName: string };

	/** Cloud PC statuses (beta `status`) in which Graph accepts the action: the state guard */
	acceptedStatuses: readonly string[];
	/**
	 * The status a Cloud PC shows while the action runs (Reprovision: `provisioning`), if any. It
	 * lets a Cloud PC already in it count as acted on when its remote action results cannot be
	 * read, and lets Wait for Completion skip reading those still in it. Without it, status says
	 * nothing about the action.
	 */
	runningStatus?: string;

	/** the action's Windows 365 bulk action (beta `bulkActions`), where Graph has one */
	bulk?: {
		/** e.g. '#microsoft.graph.cloudPcBulkReprovision' */
		odataType: string;
		/** body fields of the bulk action beside displayName and cloudPcIds */
		fields: readonly BodyField[];
	};

	/** Graph's refusals explained: hint by Graph error `code` (exact, case-sensitive) */
	hints: Readonly<Record<string, string>>;
	/** what a 400 about the Cloud PC's state means for this action (busy, wrong status) */
	statusHint: string;

	/** Check for an Earlier …: what counts as earlier, and its default per node version */
	earlier: {
		/** the safety option's parameter name */
		parameter: string;
		/** its label, also in skip reasons: 'Check for an Earlier Reprovision' */
		displayName: string;
		/** how far back a running or done action counts: longer than the action takes */
		windowMinutes: number;
		/** the check when unset, by node version (versions above the last take the last) */
		defaultByNodeVersion: Readonly<Record<number, EarlierCheck>>;
		/** the option's description, before "Not set, it is …" */
		description: string;
	};
	/** the state guard's safety option: skip, instead of failing, a Cloud PC not in acceptedStatuses */
	onlyIfReady: { parameter: string; displayName: string; description: string };

	/** how the action reads in sentences: 'reprovision', 'reprovisioned' */
	words: { noun: string; pastParticiple: string };
	/** Wait for Completion: how long an action usually takes, for the option's description */
	typicalDuration: string;
	/**
	 * Outputs as node versions 1 and 2 made them: without `action` and the audit fields. Only
	 * for an action saved workflows already use (Reprovision); a new action leaves it out.
	 */
	outputWithoutAudit?: boolean;
}
