/**
 * An object (an ObjectBackend, an ArtifactStore, …) whose every method call first runs
 * `before(method, firstArgument)`: tests use it to log calls, inject a failure (throw) or change the
 * world in between (return a promise, which is awaited before the call goes through). Synchronous
 * methods stay synchronous unless `before` returns a promise.
 */
export function interceptCalls<T extends object>(
  target: T,
  before: (method: string, firstArgument: unknown) => void | Promise<unknown>,
): T {
  return new Proxy(target, {
    get(object, prop, receiver) {
      const value = Reflect.get(object, prop, receiver) as unknown;
      if (typeof value !== 'function' || typeof prop !== 'string') return value;
      const method = value as (...args: unknown[]) => unknown;
      return (...args: unknown[]) => {
        const pending = before(prop, args[0]);
        return pending ? pending.then(() => method.apply(object, args)) : method.apply(object, args);
      };
    },
  });
}
