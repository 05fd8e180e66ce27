/**
 * A value, or a promise of it: what a step of the request path returns when it can usually answer at once (a cookie
 * session is decoded from memory) but sometimes has to wait (Redis, a refresh at the IdP). Answering at once spares
 * the request a promise, a suspended async frame and a microtask per step.
 */
export type Awaitable<T> = T | Promise<T>

/** Passes the value to `next` at once, or once the promise has settled (a rejection passes through untouched). */
export function andThen<T, U>(value: Awaitable<T>, next: (value: T) => Awaitable<U>): Awaitable<U> {
  return value instanceof Promise ? value.then(next) : next(value)
}
