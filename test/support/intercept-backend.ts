/**
 * An ObjectBackend whose every method call first runs `before(method, firstArgument)`: tests use it
 * to log writes, inject a failure (throw) or change the world in between (return a promise, which is
 * awaited before the call goes through). Synchronous methods stay synchronous unless `before`
 * returns a promise.
 */
import type { ObjectBackend } from '../../src/store/backends/backend';

export function interceptBackend(
  backend: ObjectBackend,
  before: (method: string, key: unknown) => void | Promise<void>,
): ObjectBackend {
  return new Proxy(backend, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver) as unknown;
      if (typeof value !== 'function' || typeof prop !== 'string') return value;
      const method = value as (...args: unknown[]) => unknown;
      return (...args: unknown[]) => {
        const pending = before(prop, args[0]);
        return pending ? pending.then(() => method.apply(target, args)) : method.apply(target, args);
      };
    },
  });
}
