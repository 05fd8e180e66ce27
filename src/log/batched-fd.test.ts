import { strict as assert } from 'node:assert'
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs'
import { createServer, connect, type Server, type Socket } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import { createBatchedFd } from './batched-fd.js'

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve))

/** The descriptor under a connected net.Socket (libuv made it non-blocking). */
function fdOf(socket: Socket): number {
  const fd = (socket as unknown as { _handle: { fd: number } })._handle.fd
  assert.ok(fd > 2)
  return fd
}

/** Both ends of a unix socket connection. */
async function socketPair(path: string): Promise<{ server: Server; client: Socket; peer: Socket }> {
  const server = createServer()
  const accepted = new Promise<Socket>((resolve) => server.once('connection', resolve))
  await new Promise<void>((resolve) => server.listen(path, resolve))
  const client = connect({ path, allowHalfOpen: true })
  await new Promise<void>((resolve) => client.once('connect', () => resolve()))
  return { server, client, peer: await accepted }
}

describe('batched log writer', () => {
  it('writes the lines of one turn, in order, by the next turn', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gatehouse-batched-'))
    const file = join(dir, 'out.log')
    const fd = openSync(file, 'a')
    try {
      const out = createBatchedFd(fd)
      for (let i = 0; i < 3; i++) out.write(`{"n":${i}}\n`)
      assert.equal(readFileSync(file, 'utf8'), '', 'nothing is written within the turn')
      await nextTurn()
      assert.equal(readFileSync(file, 'utf8'), '{"n":0}\n{"n":1}\n{"n":2}\n')
      out.write('{"n":3}\n')
      out.flushSync()
      assert.equal(readFileSync(file, 'utf8').split('\n').length, 5)
    } finally {
      closeSync(fd)
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it('keeps the lines while a socket is full and delivers all of them, whole and in order, once it is read', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gatehouse-batched-'))
    const path = join(dir, 's.sock')
    const { server, client, peer } = await socketPair(path)
    peer.pause()
    const problems: string[] = []
    try {
      const out = createBatchedFd(fdOf(client), (m) => problems.push(m))
      // About 4 MiB in 64 turns: far more than a unix socket's buffers, so writes meet EAGAIN while the reader waits.
      const count = 16_384
      const pad = 'x'.repeat(240)
      for (let i = 0; i < count; i++) {
        out.write(`{"n":${i},"pad":"${pad}"}\n`)
        if (i % 256 === 255) await nextTurn()
      }
      let received = ''
      peer.setEncoding('utf8').on('data', (d: string) => (received += d))
      peer.resume()
      for (let i = 0; i < 2000 && received.split('\n').length <= count; i++) await new Promise((r) => setTimeout(r, 10))
      const lines = received.split('\n').filter((l) => l !== '')
      assert.equal(lines.length, count)
      lines.forEach((l, i) => assert.equal((JSON.parse(l) as { n: number }).n, i))
      assert.deepEqual(problems, [])
    } finally {
      client.destroy()
      peer.destroy()
      server.close()
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it('reports once and drops later lines when nobody reads the output any more', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gatehouse-batched-'))
    const { server, client, peer } = await socketPair(join(dir, 's.sock'))
    peer.destroy()
    await new Promise((r) => client.once('end', r).resume())
    const problems: string[] = []
    try {
      const out = createBatchedFd(fdOf(client), (m) => problems.push(m))
      out.write('a\n')
      await nextTurn()
      out.write('b\n')
      out.flushSync()
      await nextTurn()
      assert.equal(problems.length, 1)
      assert.match(problems[0] ?? '', /^log output \(fd \d+\) failed: .*EPIPE.*; further lines are dropped$/)
    } finally {
      client.destroy()
      server.close()
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
