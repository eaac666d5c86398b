/** A timestamp as Kubernetes writes them: RFC 3339, second precision. */
export function kubeTime(date = new Date()): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}
