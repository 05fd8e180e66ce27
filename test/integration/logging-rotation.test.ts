// --logging-filename rotated with lumberjack's rules through the real process (reference §1.10): past
// --logging-max-size (1 MB here) the file moves to name-<UTC time>.ext and gzips (--logging-compress); backups past
// --logging-max-backups or older than --logging-max-age (judged by the time in the name) are removed.
import { strict as assert } from 'node:assert'
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { gunzipSync } from 'node:zlib'
import { request } from 'undici'
import { startStack, type Stack } from '../helpers/stack.js'

const MB = 1024 * 1024
const BACKUP = /^gatehouse-(\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d\.\d{3})\.log(\.gz)?$/

describe('log file rotation', () => {
  let dir: string
  let file: string
  let stack: Stack
  const startedAt = Date.now()

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'gatehouse-rotation-'))
    file = join(dir, 'gatehouse.log')
    // A backup from 2020 (past --logging-max-age) and an unrelated file that must stay.
    writeFileSync(join(dir, 'gatehouse-2020-01-01T00-00-00.000.log'), 'old\n')
    writeFileSync(join(dir, 'notes.txt'), 'keep\n')
    stack = await startStack({
      args: [`--logging-filename=${file}`, '--logging-max-size=1', '--logging-max-backups=2', '--logging-max-age=7', '--logging-compress', '--logging-local-time=false'],
    })
  })
  after(async () => {
    await stack.close()
    rmSync(dir, { recursive: true, force: true })
  })

  const backups = (): string[] => readdirSync(dir).filter((n) => BACKUP.test(n)).sort()

  it('rotates past the maximum size, gzips the backups, and keeps only the newest two', async () => {
    // Each request logs one access line of about 3 KB (its path); 1400 of them write about 4 MB: three rotations.
    const path = `/${'p'.repeat(3000)}`
    for (let i = 0; i < 1400; i += 50) {
      await Promise.all(Array.from({ length: 50 }, async () => {
        const res = await request(`${stack.proxy.url}${path}`, { headers: { accept: 'application/json' } })
        await res.body.dump()
      }))
    }
    let names: string[] = []
    for (let i = 0; i < 100; i += 1) {
      names = backups()
      if (names.length === 2 && names.every((n) => n.endsWith('.gz'))) break
      await new Promise((r) => setTimeout(r, 100))
    }
    assert.equal(names.length, 2, readdirSync(dir).join(', '))
    assert.ok(readdirSync(dir).includes('notes.txt'))
    for (const name of names) {
      const [, stamp, gz] = BACKUP.exec(name) ?? []
      assert.equal(gz, '.gz', `${name} is compressed`)
      // UTC names (--logging-local-time=false) from this run, not the 2020 one (removed by age and count).
      const t = Date.parse(`${stamp?.replace(/T(\d\d)-(\d\d)-(\d\d)/, 'T$1:$2:$3')}Z`)
      assert.ok(t >= startedAt - 1000 && t <= Date.now() + 1000, `${name} is from this run`)
      const text = gunzipSync(readFileSync(join(dir, name))).toString('utf8')
      assert.ok(text.length <= MB && text.length > MB - 8 * 1024, `${name} holds ${text.length} bytes, just under 1 MB`)
      assert.ok(text.endsWith('\n'))
      for (const line of text.trimEnd().split('\n')) assert.doesNotThrow(() => JSON.parse(line), 'whole JSON lines, never split')
    }
    assert.ok(statSync(file).size <= MB, 'the current file is under the maximum')
    assert.match(readFileSync(file, 'utf8'), /"event":"http.request"/)
  })
})
