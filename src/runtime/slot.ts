import type { RequestPlan } from '../http/server.js'
import type { Runtime } from './runtime.js'

/**
 * The one reference to the runtime in force. The server reads `current` once per request; `swap` installs a new
 * runtime for the requests that arrive next, and retires the old one once its last request (or WebSocket) is done.
 */
export interface RuntimeSlot {
  /** The request plan of the runtime in force, with its in-flight count attached: what the server reads. */
  readonly current: RequestPlan
  readonly runtime: Runtime
  /** Every runtime that may still serve a request: the one in force and the replaced ones still draining. */
  live(): readonly Runtime[]
  swap(next: Runtime): void
}

/** Called once a replaced runtime has no request left, with the runtimes still live (for pool pruning). */
export type OnDrained = (drained: Runtime, live: readonly Runtime[]) => void

interface Entry {
  runtime: Runtime
  plan: RequestPlan
  retire(): void
}

/** Creates the slot holding `first`; `onDrained` runs once for each runtime `swap` replaced, after its last request. */
export function createRuntimeSlot(first: Runtime, onDrained: OnDrained): RuntimeSlot {
  const live = new Set<Entry>()

  function track(runtime: Runtime): Entry {
    let inFlight = 0
    let retired = false
    let done = false
    const finish = (): void => {
      if (done) return
      done = true
      live.delete(entry)
      onDrained(runtime, [...live].map((e) => e.runtime))
    }
    const entry: Entry = {
      runtime,
      // Counting on the plan itself keeps the hot path to one increment and one decrement, no allocation.
      plan: Object.freeze({
        ...runtime.plan,
        enter: () => {
          inFlight++
        },
        leave: () => {
          inFlight--
          if (retired && inFlight === 0) finish()
        },
      }),
      retire() {
        retired = true
        if (inFlight === 0) finish()
      },
    }
    live.add(entry)
    return entry
  }

  let active = track(first)
  // Plain data properties, not getters: the server reads `current` on every request.
  const slot: { current: RequestPlan; runtime: Runtime } & Pick<RuntimeSlot, 'live' | 'swap'> = {
    current: active.plan,
    runtime: first,
    live: () => [...live].map((e) => e.runtime),
    swap(next) {
      const previous = active
      active = track(next)
      slot.current = active.plan
      slot.runtime = next
      previous.retire()
    },
  }
  return slot
}
