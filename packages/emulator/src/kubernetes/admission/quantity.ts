/**
 * Kubernetes resource quantities ("2G", "500Mi", "1.5Gi"), as far as the
 * admission checks need them: to compare two sizes and to print one the way
 * Go's `resource.Quantity.String()` does (k8s.io/apimachinery/pkg/api/resource/quantity.go).
 */

const DECIMAL: Record<string, number> = { n: -9, u: -6, m: -3, '': 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };
const BINARY: Record<string, number> = { Ki: 10, Mi: 20, Gi: 30, Ti: 40, Pi: 50, Ei: 60 };
const QUANTITY = /^([+-]?(?:\d+\.?\d*|\.\d+))(?:(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE])|[eE]([+-]?\d+))?$/;

/** A parsed quantity: its value in base units and whether it was written with a binary suffix. */
export interface Quantity {
  value: number;
  binary: boolean;
}

/** Parses a quantity; undefined when it is not one (the API server would have refused it). */
export function parseQuantity(text: unknown): Quantity | undefined {
  const match = typeof text === 'string' ? QUANTITY.exec(text.trim()) : undefined;
  if (!match) return undefined;
  const [, number, suffix = '', exponent] = match;
  const base = Number(number);
  if (suffix in BINARY) return { value: base * 2 ** BINARY[suffix], binary: true };
  return { value: base * 10 ** (exponent !== undefined ? Number(exponent) : DECIMAL[suffix]), binary: false };
}

/** Go's Quantity.Cmp: -1, 0 or 1. */
export function compareQuantities(a: Quantity, b: Quantity): number {
  return Math.sign(a.value - b.value);
}

/** The canonical form Go prints: the largest suffix that keeps the number whole ("1000M" → "1G", "1024Mi" → "1Gi"). */
export function formatQuantity(quantity: Quantity): string {
  const { value, binary } = quantity;
  if (binary && value >= 1024 && Number.isInteger(value)) {
    const suffix = Object.keys(BINARY)
      .reverse()
      .find(s => value % 2 ** BINARY[s] === 0);
    if (suffix) return `${value / 2 ** BINARY[suffix]}${suffix}`;
  }
  const suffixes = Object.keys(DECIMAL).sort((a, b) => DECIMAL[b] - DECIMAL[a]);
  for (const suffix of suffixes) {
    const scaled = value / 10 ** DECIMAL[suffix];
    if (Math.abs(scaled - Math.round(scaled)) < 1e-9 && Math.abs(scaled) >= 1) return `${Math.round(scaled)}${suffix}`;
  }
  return value === 0 ? '0' : `${value}`;
}
