import {
	isSafeObjectProperty,
	type IExecuteFunctions,
	type IGetNodeParameterOptions,
	type INodeExecutionData,
	type INodeParameters,
	type NodeParameterValueType,
} from 'n8n-workflow';

/*
 * Where the operations read a parameter for one item. n8n 2.x evaluates every expression in an
 * isolated VM, 0.7 ms per item on a quiet 2-core machine (more than the whole network time of
 * 1,000 reprovisions at 50 ms), and even a fixed value costs a full parameter resolution per item.
 * Two kinds of value cannot differ from what n8n would give, so they skip that:
 * - a value with no expression in it is the same for every item: n8n resolves it once;
 * - `{{ $json.field }}` (or `$json["field"]`) is the field of the item's own input item: when it
 *   holds text, that text is what n8n's expression gives, unless n8n refuses or reads the name
 *   otherwise (see readsOwnField).
 * Anything else (any other expression, a field that is not text) goes to n8n for every item.
 */

interface Reader {
	items: INodeExecutionData[];
	/** the node's parameters as saved (getNode() copies the whole node on every call) */
	raw: INodeParameters;
	/** n8n's answer for parameters without an expression, by name, fallback and options */
	fixed: Map<string, unknown>;
}

const readers = new WeakMap<IExecuteFunctions, Reader>();

// `={{ $json.name }}`, `={{ $json["name"] }}` or `={{ $json['name'] }}`, spaces allowed inside the
// braces. A quoted name has no escapes, control characters or line separators: n8n's parser
// fails a raw line break in a string, and the rest are left to n8n rather than proven equal.
const JSON_FIELD =
	/^=\{\{\s*\$json(?:\.([A-Za-z_$][\w$]*)|\[\s*(?:'([^'\\\p{Cc}\u2028\u2029]*)'|"([^"\\\p{Cc}\u2028\u2029]*)")\s*\])\s*\}\}$/u;

// n8n-workflow's Expression.resolveSimpleParameterValue (expression.js) fails any expression
// that matches this, wherever in the text
const CONSTRUCTOR_CALL = /\.\s*constructor/;

/** Whether n8n 2.x evaluates `expression`, which names `field` of $json, to that own field. */
function readsOwnField(expression: string, field: string): boolean {
	return (
		// the names n8n's expression sandbox refuses: PrototypeSanitizer and `sanitizer`
		// (n8n-workflow expression-sandboxing.js) ask utils.js's isSafeObjectProperty
		isSafeObjectProperty(field) &&
		// n8n's VM engine answers these from the isolate's own object, not from the item
		// (@n8n/expression-runtime runtime/lazy-proxy.js, the `get` trap)
		!(field in Object.prototype) &&
		!CONSTRUCTOR_CALL.test(expression) &&
		// ThisSanitizer (expression-sandboxing.js) replaces this identifier even after `$json.`
		field !== 'globalThis' &&
		// @n8n/tournament's splitExpression ends the expression at the first `}}`, even in quotes
		!field.includes('}}')
	);
}

/** The input item field a parameter value names as its whole expression, if that is all it is. */
export function jsonFieldOf(value: unknown): string | undefined {
	if (typeof value !== 'string') return undefined;
	const match = JSON_FIELD.exec(value);
	const field = match ? (match[1] ?? match[2] ?? match[3]) : undefined;
	return field !== undefined && readsOwnField(value, field) ? field : undefined;
}

function hasExpression(value: unknown): boolean {
	if (typeof value === 'string') return value.startsWith('=');
	if (Array.isArray(value)) return value.some(hasExpression);
	if (value !== null && typeof value === 'object') return Object.values(value).some(hasExpression);
	return false;
}

function readerOf(ctx: IExecuteFunctions): Reader {
	let reader = readers.get(ctx);
	if (!reader) {
		reader = { items: ctx.getInputData(), raw: ctx.getNode().parameters, fixed: new Map() };
		readers.set(ctx, reader);
	}
	return reader;
}

/**
 * The expression text a resource locator or plain parameter holds, as getNodeParameter would
 * evaluate it: the locator's `value` when its value is extracted (our modes have no extraction
 * pattern), else the parameter itself.
 */
function expressionOf(raw: unknown, options?: IGetNodeParameterOptions): unknown {
	if (options?.extractValue && raw !== null && typeof raw === 'object' && '__rl' in raw) {
		const { mode, value } = raw as { mode?: unknown; value?: unknown };
		return mode === 'id' || mode === 'list' ? value : undefined;
	}
	return options?.extractValue ? undefined : raw;
}

/** getNodeParameter for item `itemIndex`, without n8n's per-item cost where it cannot matter. */
export function readParameter(
	ctx: IExecuteFunctions,
	name: string,
	itemIndex: number,
	fallback?: unknown,
	options?: IGetNodeParameterOptions,
): unknown {
	const reader = readerOf(ctx);
	const raw: unknown = reader.raw[name];
	const n8nValue = (): unknown =>
		ctx.getNodeParameter(name, itemIndex, fallback as NodeParameterValueType, options);
	const field = jsonFieldOf(expressionOf(raw, options));
	if (field !== undefined) {
		const text = reader.items[itemIndex]?.json[field];
		if (typeof text === 'string') return text;
	} else if (!hasExpression(raw)) {
		const key = JSON.stringify([name, fallback, options ?? null]);
		if (!reader.fixed.has(key)) reader.fixed.set(key, n8nValue());
		return reader.fixed.get(key);
	}
	return n8nValue();
}
