import { matchesRequirements, parseLabelSelector } from './label-selector';

type Obj = { metadata?: { name?: string; namespace?: string; labels?: Record<string, string> } };

/** Whether the object's labels satisfy a label selector in the API server's syntax (throws when it does not parse). */
export function matchesLabelSelector(obj: Obj, selector: string | null): boolean {
  return matchesRequirements(obj.metadata?.labels, parseLabelSelector(selector));
}

/** `metadata.name=X` and `metadata.namespace=Y` field selectors, the ones every resource supports. */
export function matchesFieldSelector(obj: Obj, selector: string | null): boolean {
  if (!selector) return true;
  return selector.split(',').every((term) => {
    const [field, value] = term.split('=').map((s) => s.trim());
    if (field === 'metadata.name') return obj.metadata?.name === value;
    if (field === 'metadata.namespace') return obj.metadata?.namespace === value;
    return true;
  });
}

export function status(code: number, reason: string, message: string, details?: Record<string, unknown>): Record<string, unknown> {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code, ...(details ? { details } : {}) };
}
