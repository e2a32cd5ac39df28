/** A DNS-1123 label: lowercase alphanumerics and '-', starting and ending with an alphanumeric. */
export const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
export const DNS_LABEL_MAX_LENGTH = 63;

/**
 * What is wrong with a name that must be a DNS-1123 label (cluster and region names, in the API and in the stored
 * pool), or undefined when it is one.
 */
export function checkDnsLabel(field: string, value: string): string | undefined {
  if (value.length > DNS_LABEL_MAX_LENGTH) return `${field} must be at most ${DNS_LABEL_MAX_LENGTH} characters, got ${value.length}`;
  if (!DNS_LABEL.test(value)) return `${field} ${JSON.stringify(value)} must be a DNS-1123 label (lowercase letters, digits and '-', starting and ending with a letter or digit)`;
  return undefined;
}
