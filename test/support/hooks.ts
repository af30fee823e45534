import { afterAll, afterEach, beforeAll, beforeEach } from "vitest";

/**
 * A value a test file can name at its top but that exists only while its tests run: `create` runs
 * before them (before each one with `each`), `destroy` after, in the reverse order of registration.
 * What it returns stands for the current value; touching it outside a test or hook throws.
 */
export function heldByHooks<T extends object>(
  what: string,
  create: () => Promise<T>,
  destroy: (value: T) => Promise<unknown>,
  { each = false } = {},
): T {
  let current: T | undefined;
  (each ? beforeEach : beforeAll)(async () => {
    current = await create();
  });
  (each ? afterEach : afterAll)(async () => {
    const value = current;
    current = undefined;
    if (value) await destroy(value);
  });
  return new Proxy({} as T, {
    get(_, key) {
      if (!current) throw new Error(`${what} exists only inside the file's tests and hooks`);
      const member = Reflect.get(current, key);
      return typeof member === "function" ? member.bind(current) : member;
    },
  });
}
