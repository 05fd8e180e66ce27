// Ways to reach Redis, each through the real process: TLS (rediss://) with --redis-ca-path and an ACL user and
// password, a unix socket, and a wrong password (not ready, no crash, the password never logged).
import { strict as assert } from 'node:assert'
import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { freeRedisPort, startRedis, type RedisServer } from '../helpers/redis.js'
import { getWith, startRedisStack, type RedisStack } from '../helpers/redis-stack.js'

const PASSWORD = 'redis-s3cret-pw'

/** A throwaway CA and a server certificate for 127.0.0.1, made with the openssl command. */
function makeCertificates(dir: string): { ca: string; cert: string; key: string } {
  const f = (n: string) => join(dir, n)
  const ssl = (...args: string[]) => execFileSync('openssl', args, { stdio: 'ignore' })
  ssl('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', f('ca.key'), '-out', f('ca.pem'), '-days', '1', '-subj', '/CN=gatehouse test CA')
  ssl('req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', f('srv.key'), '-out', f('srv.csr'), '-subj', '/CN=127.0.0.1')
  writeFileSync(f('ext'), 'subjectAltName=IP:127.0.0.1\n')
  ssl('x509', '-req', '-in', f('srv.csr'), '-CA', f('ca.pem'), '-CAkey', f('ca.key'), '-CAcreateserial', '-out', f('srv.pem'), '-days', '1', '-extfile', f('ext'))
  return { ca: f('ca.pem'), cert: f('srv.pem'), key: f('srv.key') }
}

async function signInAndUse(stack: RedisStack): Promise<void> {
  const { client, result } = await stack.signIn('alice')
  assert.equal(result.status, 302)
  const res = await getWith(client, stack, stack.proxy, '/via-redis')
  assert.equal(res.status, 200)
  assert.equal((await stack.client().get(`${stack.proxy.url}/ready`)).status, 200)
}

describe('Redis connections', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-redis-tls-'))
  const certs = makeCertificates(dir)
  const servers: RedisServer[] = []
  const stacks: RedisStack[] = []
  let tlsRedis: RedisServer
  let socketRedis: RedisServer
  let socket: string
  before(async () => {
    const tlsPort = await freeRedisPort()
    tlsRedis = await startRedis({
      port: tlsPort,
      extra: ['--port', '0', '--tls-port', String(tlsPort), '--tls-cert-file', certs.cert, '--tls-key-file', certs.key, '--tls-ca-cert-file', certs.ca, '--tls-auth-clients', 'no', '--user', 'gate', 'on', `>${PASSWORD}`, '~*', '&*', '+@all'],
      cliArgs: ['--tls', '--cacert', certs.ca, '--user', 'gate', '--pass', PASSWORD, '--no-auth-warning'],
    })
    servers.push(tlsRedis)
    socket = join(dir, 'redis.sock')
    socketRedis = await startRedis({ extra: ['--unixsocket', socket, '--unixsocketperm', '700'] })
    servers.push(socketRedis)
  })
  after(async () => {
    await Promise.allSettled(stacks.map((s) => s.close()))
    await Promise.allSettled(servers.map((s) => s.stop()))
    rmSync(dir, { recursive: true, force: true })
  })

  it('connects over TLS with --redis-ca-path and an ACL user whose password overrides the URL', async () => {
    const stack = await startRedisStack([`--redis-connection-url=rediss://gate:wrong@127.0.0.1:${tlsRedis.port}`, `--redis-password=${PASSWORD}`, `--redis-ca-path=${certs.ca}`])
    stacks.push(stack)
    await signInAndUse(stack)
  })

  it('connects through a unix socket', async () => {
    const stack = await startRedisStack([`--redis-connection-url=unix://${socket}`])
    stacks.push(stack)
    await signInAndUse(stack)
  })

  it('stays up but not ready with a wrong password, and never logs it', async () => {
    const stack = await startRedisStack([`--redis-connection-url=rediss://gate@127.0.0.1:${tlsRedis.port}`, '--redis-password=not-the-password', `--redis-ca-path=${certs.ca}`])
    stacks.push(stack)
    assert.equal((await stack.client().get(`${stack.proxy.url}/ready`)).status, 500)
    assert.equal((await stack.client().get(`${stack.proxy.url}/ping`)).status, 200)
    await stack.proxy.waitForLog('session.redis.error')
    assert.doesNotMatch(stack.proxy.logs(), /not-the-password/)
  })
})
