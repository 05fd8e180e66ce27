import { strict as assert } from 'node:assert'
import { spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import { fileURLToPath } from 'node:url'

const LINES = 5000
const here = (name: string): string => fileURLToPath(new URL(name, import.meta.url))

/**
 * A process that logs LINES access lines and an error line through the real outputs within one turn of the event
 * loop, then ends at once: by process.exit, or by an uncaught exception. Nothing has been written when it ends.
 */
const CHILD = `
import { createLogOutput } from ${JSON.stringify(here('./output.ts'))}
import { createLoggers, JSON_LOG_SETTINGS } from ${JSON.stringify(here('./logger.ts'))}
const { log, access } = createLoggers(JSON_LOG_SETTINGS, createLogOutput(process.env.LOG_FILE ?? ''))
for (let n = 0; n < ${LINES}; n++) access.info({ event: 'http.request', n })
log.error({ event: 'test.failed' }, 'last words')
if (process.env.HOW === 'throw') throw new Error('boom')
process.exit(3)
`

async function runChild(env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const proc = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', CHILD], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] })
  let stdout = ''
  let stderr = ''
  proc.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d))
  proc.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d))
  const code = await new Promise<number | null>((resolve) => proc.once('close', resolve))
  return { code, stdout, stderr }
}

/** The `n` of every http.request line, checked to be 0..LINES-1 in order. */
function assertEveryLine(text: string): void {
  const ns = text
    .split('\n')
    .filter((l) => l.includes('"http.request"'))
    .map((l) => (JSON.parse(l) as { n: number }).n)
  assert.equal(ns.length, LINES)
  ns.forEach((n, i) => assert.equal(n, i))
}

describe('log outputs at exit', () => {
  it('writes every line still held when the process calls process.exit', async () => {
    const r = await runChild({ HOW: 'exit' })
    assert.equal(r.code, 3)
    assertEveryLine(r.stdout)
    assert.match(r.stderr, /"event":"test\.failed".*"msg":"last words"/)
  })

  it('writes every line still held when the process dies of an uncaught exception', async () => {
    const r = await runChild({ HOW: 'throw' })
    assert.equal(r.code, 1)
    assertEveryLine(r.stdout)
    assert.match(r.stderr, /"event":"test\.failed"/)
    assert.match(r.stderr, /Error: boom/)
  })

  it('writes every line still held to --logging-filename when the process calls process.exit', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gatehouse-output-'))
    try {
      const file = join(dir, 'gatehouse.log')
      const r = await runChild({ HOW: 'exit', LOG_FILE: file })
      assert.equal(r.code, 3)
      assertEveryLine(readFileSync(file, 'utf8'))
      assert.equal(r.stdout, '')
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
