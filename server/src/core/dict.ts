// Objects keyed by names from user code (element, class, macro and template parameter names). A
// plain `{}` answers `constructor` and `toString` from its prototype and treats `__proto__` as its
// prototype, so such tables are made without one.

/** A prototype-less copy of `entries`: only its own keys are ever found. */
export function dict<V>(entries: Record<string, V> = {}): Record<string, V> {
  return Object.assign(Object.create(null) as Record<string, V>, entries);
}
