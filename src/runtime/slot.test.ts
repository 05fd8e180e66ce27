import { strict as assert } from 'node:assert'
import { describe, it } from 'node:test'
import type { RequestPlan } from '../http/server.js'
import type { Runtime } from './runtime.js'
import { createRuntimeSlot } from './slot.js'

/** A runtime with only what the slot reads: its plan (told apart by the request id header) and its pools. */
function fakeRuntime(name: string): Runtime {
  const plan = { requestIdHeader: name } as unknown as RequestPlan
  return { plan, poolIds: [`pool-${name}`] } as unknown as Runtime
}

describe('the runtime slot', () => {
  it('serves the new plan at once and retires the old one only after its last request', () => {
    const drained: string[] = []
    let liveAtDrain: string[] = []
    const slot = createRuntimeSlot(fakeRuntime('a'), (rt, live) => {
      drained.push(rt.plan.requestIdHeader)
      liveAtDrain = live.map((r) => r.plan.requestIdHeader)
    })
    const first = slot.current
    first.enter?.()
    first.enter?.()
    slot.swap(fakeRuntime('b'))
    assert.equal(slot.current.requestIdHeader, 'b')
    assert.equal(slot.runtime.plan.requestIdHeader, 'b')
    assert.deepEqual(slot.live().map((r) => r.plan.requestIdHeader).sort(), ['a', 'b'])
    first.leave?.()
    assert.deepEqual(drained, [], 'one request of the old plan is still running')
    first.leave?.()
    assert.deepEqual(drained, ['a'])
    assert.deepEqual(liveAtDrain, ['b'])
  })

  it('retires an idle runtime at the swap, and never drains the one in force', () => {
    const drained: string[] = []
    const slot = createRuntimeSlot(fakeRuntime('a'), (rt) => drained.push(rt.plan.requestIdHeader))
    slot.current.enter?.()
    slot.current.leave?.()
    assert.deepEqual(drained, [])
    slot.swap(fakeRuntime('b'))
    slot.swap(fakeRuntime('c'))
    assert.deepEqual(drained, ['a', 'b'])
    assert.deepEqual(slot.live().map((r) => r.plan.requestIdHeader), ['c'])
  })
})
