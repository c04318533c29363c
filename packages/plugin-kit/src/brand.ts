/**
 * Brands made with `Symbol.for` mark a value as made by this project, so
 * that a check still holds when two copies of a package are loaded (where
 * `instanceof` fails).
 */

/** Marks `target` with `brand`, non-enumerable. */
export function setBrand(target: object, brand: symbol): void {
  Object.defineProperty(target, brand, { value: true });
}

/** True when `value` carries `brand`. */
export function hasBrand(value: unknown, brand: symbol): boolean {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as Record<symbol, unknown>)[brand] === true
  );
}
