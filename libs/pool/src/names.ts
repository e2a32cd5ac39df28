import { ValidationError } from '@ci-stack/service-kit';

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** Cluster and region names are DNS-1123 labels: lowercase alphanumerics and '-', at most 63 characters. */
export function checkDnsLabel(field: string, value: string): string | undefined {
  if (value.length > 63) return `${field} must be at most 63 characters, got ${value.length}`;
  if (!DNS_LABEL.test(value)) return `${field} ${JSON.stringify(value)} must be a DNS-1123 label (lowercase letters, digits and '-', starting and ending with a letter or digit)`;
  return undefined;
}

export function assertDnsLabel(field: string, value: string): void {
  const problem = checkDnsLabel(field, value);
  if (problem) throw new ValidationError(problem);
}
