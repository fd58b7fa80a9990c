/**
 * The options a caller actually gave. Options explicitly set to undefined (an unused CLI flag,
 * a seed left open) are dropped, so they keep their defaults: a plain spread over the defaults
 * would overwrite them with undefined.
 */
export function givenOptions<T extends object>(options: Partial<T>): Partial<T> {
  return Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** Defaults overridden by the options a caller gave (see givenOptions). */
export function withDefaults<T extends object>(defaults: T, options: Partial<T>): T {
  return { ...defaults, ...givenOptions(options) };
}
