import { strict as assert } from 'node:assert'
import { spawnSync } from 'node:child_process'
import { describe, it } from 'node:test'
import { heapGrowthFlag, HEAP_GROWING_PERCENT } from './heap-growth.js'

describe('heap growth flag', () => {
  it('asks V8 for gatehouse\'s growth factor unless the operator set one', () => {
    assert.equal(heapGrowthFlag([], undefined), `--heap-growing-percent=${HEAP_GROWING_PERCENT}`)
    assert.equal(heapGrowthFlag(['--max-old-space-size=512'], '--enable-source-maps'), `--heap-growing-percent=${HEAP_GROWING_PERCENT}`)
    assert.equal(heapGrowthFlag(['--heap-growing-percent=100'], undefined), undefined)
    assert.equal(heapGrowthFlag([], '--max-old-space-size=512 --heap_growing_percent=50'), undefined)
    assert.equal(heapGrowthFlag(['--heap-growing-percent', '10'], undefined), undefined)
    assert.equal(heapGrowthFlag([], '--heap-growing-percentage=3'), `--heap-growing-percent=${HEAP_GROWING_PERCENT}`)
  })

  it('is a flag this Node accepts while running', () => {
    // An unknown flag is ignored by setFlagsFromString with a warning on stderr; a known one is silent.
    const r = spawnSync(process.execPath, ['-e', `require('node:v8').setFlagsFromString(${JSON.stringify(heapGrowthFlag([], undefined))})`], { encoding: 'utf8' })
    assert.equal(r.status, 0)
    assert.equal(r.stderr, '')
  })
})
