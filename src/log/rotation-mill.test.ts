import { strict as assert } from 'node:assert'
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import { gunzipSync } from 'node:zlib'
import { createRotatingFile } from './rotating-file.js'
import { backupName, listBackups, millOnce } from './rotation-mill.js'

describe('lumberjack backups', () => {
  it('names backups name-2006-01-02T15-04-05.000.ext, in UTC or local time', () => {
    const t = new Date(Date.UTC(2026, 11, 2, 3, 4, 5, 67))
    assert.equal(backupName('/var/log/gatehouse.log', t, false), '/var/log/gatehouse-2026-12-02T03-04-05.067.log')
    assert.equal(backupName('/var/log/noext', t, false), '/var/log/noext-2026-12-02T03-04-05.067')
    const local = backupName('/l/a.log', t, true)
    assert.match(local, /^\/l\/a-\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d\.067\.log$/)
    assert.equal(local.slice(-10), '05.067.log', 'seconds and milliseconds do not depend on the zone')
  })

  it('removes by count (a .gz twin counts once) and by age, and gzips the rest', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gatehouse-mill-'))
    try {
      const file = join(dir, 'g.log')
      const now = Date.UTC(2026, 11, 2)
      for (const name of ['g-2026-12-01T00-00-00.000.log', 'g-2026-11-30T00-00-00.000.log', 'g-2026-11-30T00-00-00.000.log.gz', 'g-2026-11-29T00-00-00.000.log', 'g-2020-01-01T00-00-00.000.log', 'other.log', 'g-notadate.log']) {
        writeFileSync(join(dir, name), `${name}\n`)
      }
      assert.deepEqual(listBackups(file).map((b) => b.name.slice(dir.length + 1)).slice(0, 2), ['g-2026-12-01T00-00-00.000.log', 'g-2026-11-30T00-00-00.000.log'])
      assert.deepEqual(await millOnce({ filename: file, maxBackups: 3, maxAgeDays: 0, compress: false, now: () => now }), [])
      assert.ok(!existsSync(join(dir, 'g-2020-01-01T00-00-00.000.log')), 'the oldest beyond three goes')
      assert.ok(existsSync(join(dir, 'g-2026-11-29T00-00-00.000.log')), 'the .gz twin did not count twice')
      await millOnce({ filename: file, maxBackups: 0, maxAgeDays: 2, compress: true, now: () => now })
      assert.deepEqual(readdirSync(dir).sort(), ['g-2026-11-30T00-00-00.000.log.gz', 'g-2026-12-01T00-00-00.000.log.gz', 'g-notadate.log', 'other.log'])
      assert.equal(gunzipSync(readFileSync(join(dir, 'g-2026-12-01T00-00-00.000.log.gz'))).toString(), 'g-2026-12-01T00-00-00.000.log\n')
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})

describe('rotating file', () => {
  it('rotates before a line would take the file past the maximum, and never splits a line', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gatehouse-rotate-'))
    try {
      const file = join(dir, 'g.log')
      let t = Date.UTC(2026, 0, 1)
      const problems: string[] = []
      const out = createRotatingFile({ filename: file, maxSizeMb: 1, maxAgeDays: 0, maxBackups: 0, localTime: false, compress: false }, { now: () => (t += 1), onProblem: (m) => problems.push(m) })
      const line = `${'x'.repeat(1023)}\n`
      for (let i = 0; i < 2500; i += 1) out.write(line)
      out.end()
      const backups = listBackups(file)
      assert.equal(backups.length, 2)
      for (const b of backups) assert.equal(readFileSync(b.name).length, 1024 * 1024, b.name)
      assert.equal(readFileSync(file).length, (2500 - 2048) * 1024)
      out.write('y'.repeat(2 * 1024 * 1024))
      out.end()
      assert.equal(readFileSync(file).length, (2500 - 2048) * 1024, 'a line longer than the maximum is dropped')
      assert.match(problems.join('\n'), /longer than --logging-max-size/)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
