// file:// upstreams: mount-prefix stripping, index pages, content types, conditional and range
// requests, and every way out of the directory (dot segments, encoded dots, backslashes, symlinks).
import { strict as assert } from 'node:assert'
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { createFileServer } from '../../src/upstream/file-server.js'
import { send, startMiniProxy, type MiniProxy } from '../helpers/echo.js'

const SECRET = 'top secret outside the root'
let base: string
let site: string
let proxy: MiniProxy
let bare: { server: Server; url: string }

before(async () => {
  base = await mkdtemp(join(tmpdir(), 'gatehouse-files-'))
  site = join(base, 'site')
  await mkdir(join(site, 'sub'), { recursive: true })
  await mkdir(join(site, 'empty'))
  await mkdir(join(base, 'site-secret'))
  await writeFile(join(site, 'index.html'), '<h1>home</h1>')
  await writeFile(join(site, 'a.txt'), 'hello, files')
  await writeFile(join(site, 'style.css'), 'body{}')
  await writeFile(join(site, 'data.json'), '{"ok":true}')
  await writeFile(join(site, 'blob.bin'), Buffer.from([1, 2, 3]))
  await writeFile(join(site, 'sub', 'index.html'), '<h1>sub</h1>')
  await writeFile(join(site, 'sub', 'x y.txt'), 'spaced')
  await writeFile(join(base, 'site-secret', 'secret.txt'), SECRET)
  await writeFile(join(base, 'secret.txt'), SECRET)
  await symlink(join(base, 'secret.txt'), join(site, 'leak.txt'))
  await symlink(join(base, 'site-secret'), join(site, 'leakdir'))
  await symlink(join(site, 'a.txt'), join(site, 'alias.txt'))

  proxy = await startMiniProxy({ upstreams: [`file://${site}#/static/`, `file://${join(site, 'a.txt')}#/one-file`], extra: { responseHeaders: { 'X-Auth-Request-User': 'alice' } } })

  // The file server alone, without the table's path cleaning in front, for traversal attempts.
  const files = createFileServer()
  const server = createServer((req, res) => {
    files.serve(req, res, { path: '/static/', dir: site }, {}).catch(() => res.destroy())
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  bare = { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` }
})

after(async () => {
  await proxy.close()
  bare.server.closeAllConnections()
  await new Promise<void>((resolve) => bare.server.close(() => resolve()))
  await rm(base, { recursive: true, force: true })
})

describe('file:// upstreams', () => {
  it('serves a file with the mount prefix stripped, its type, length, date and the caller headers', async () => {
    const res = await send(proxy.url, '/static/a.txt')
    assert.equal(res.status, 200)
    assert.equal(res.text, 'hello, files')
    assert.equal(res.headers['content-type'], 'text/plain; charset=utf-8')
    assert.equal(res.headers['content-length'], '12')
    assert.equal(res.headers['accept-ranges'], 'bytes')
    assert.ok(!Number.isNaN(Date.parse(String(res.headers['last-modified']))))
    assert.equal(res.headers['x-auth-request-user'], 'alice')
  })

  it('picks the content type from the extension', async () => {
    const types: Record<string, string> = {
      '/static/style.css': 'text/css; charset=utf-8',
      '/static/data.json': 'application/json',
      '/static/blob.bin': 'application/octet-stream',
      '/static/': 'text/html; charset=utf-8',
    }
    for (const [path, type] of Object.entries(types)) assert.equal((await send(proxy.url, path)).headers['content-type'], type, path)
  })

  it('serves index.html for a directory and 404 for a directory without one', async () => {
    assert.equal((await send(proxy.url, '/static/')).text, '<h1>home</h1>')
    assert.equal((await send(proxy.url, '/static/sub/')).text, '<h1>sub</h1>')
    assert.equal((await send(proxy.url, '/static/empty/')).status, 404)
    assert.equal((await send(proxy.url, '/static/missing.txt')).status, 404)
  })

  it('redirects like Go: directory without slash, file with slash, explicit index.html', async () => {
    const dir = await send(proxy.url, '/static/sub?x=1')
    assert.equal(dir.status, 301)
    assert.equal(dir.headers.location, 'sub/?x=1')
    const file = await send(proxy.url, '/static/a.txt/')
    assert.equal(file.status, 301)
    assert.equal(file.headers.location, '../a.txt')
    const index = await send(proxy.url, '/static/sub/index.html')
    assert.equal(index.status, 301)
    assert.equal(index.headers.location, './')
  })

  it('decodes the request path and serves a single-file mount', async () => {
    assert.equal((await send(proxy.url, '/static/sub/x%20y.txt')).text, 'spaced')
    assert.equal((await send(proxy.url, '/one-file')).text, 'hello, files')
    assert.equal((await send(proxy.url, '/one-file/more')).status, 404)
  })

  it('answers HEAD with the headers only', async () => {
    const res = await send(proxy.url, '/static/a.txt', { method: 'HEAD' })
    assert.equal(res.status, 200)
    assert.equal(res.headers['content-length'], '12')
    assert.equal(res.body.length, 0)
  })

  it('answers 304 to a fresh If-Modified-Since', async () => {
    const first = await send(proxy.url, '/static/a.txt')
    const again = await send(proxy.url, '/static/a.txt', { headers: { 'If-Modified-Since': String(first.headers['last-modified']) } })
    assert.equal(again.status, 304)
    assert.equal(again.body.length, 0)
    const stale = await send(proxy.url, '/static/a.txt', { headers: { 'If-Modified-Since': 'Thu, 01 Jan 1970 00:00:00 GMT' } })
    assert.equal(stale.status, 200)
  })

  it('serves single byte ranges and refuses unsatisfiable ones', async () => {
    const head = await send(proxy.url, '/static/a.txt', { headers: { Range: 'bytes=0-4' } })
    assert.equal(head.status, 206)
    assert.equal(head.text, 'hello')
    assert.equal(head.headers['content-range'], 'bytes 0-4/12')
    const tail = await send(proxy.url, '/static/a.txt', { headers: { Range: 'bytes=-5' } })
    assert.equal(tail.text, 'files')
    const open = await send(proxy.url, '/static/a.txt', { headers: { Range: 'bytes=7-' } })
    assert.equal(open.text, 'files')
    const out = await send(proxy.url, '/static/a.txt', { headers: { Range: 'bytes=100-' } })
    assert.equal(out.status, 416)
    assert.equal(out.headers['content-range'], 'bytes */12')
    const multi = await send(proxy.url, '/static/a.txt', { headers: { Range: 'bytes=0-1,3-4' } })
    assert.equal(multi.status, 200, 'multiple ranges fall back to the whole file')
  })

  it('follows symlinks that stay inside the root and refuses those that leave it', async () => {
    assert.equal((await send(proxy.url, '/static/alias.txt')).text, 'hello, files')
    for (const path of ['/static/leak.txt', '/static/leakdir/secret.txt', '/static/leakdir/']) {
      const res = await send(proxy.url, path)
      assert.equal(res.status, 404, path)
      assert.ok(!res.text.includes(SECRET), path)
    }
  })

  it('never serves anything outside the root, through the proxy or to the file server directly', async () => {
    const attempts = [
      '/static/../secret.txt',
      '/static/../../secret.txt',
      '/static/%2e%2e/secret.txt',
      '/static/%2E%2E/%2e%2e/secret.txt',
      '/static/..%2fsecret.txt',
      '/static/%2e%2e%2fsite-secret%2fsecret.txt',
      '/static/..%5csecret.txt',
      '/static/..\\secret.txt',
      '/static/sub/../../secret.txt',
      '/static/%2e%2e%2f%2e%2e%2f%2e%2e%2f%2e%2e%2fetc%2fpasswd',
      '/static/....//secret.txt',
      '/static/%00../secret.txt',
      '/static/a.txt%00.html',
      '/static//etc/passwd',
      '/static/%2fetc%2fpasswd',
    ]
    for (const base of [proxy.url, bare.url]) {
      for (const path of attempts) {
        const res = await send(base, path)
        assert.ok(!res.text.includes(SECRET), `${base}${path} leaked the secret`)
        assert.ok(!res.text.includes('root:'), `${base}${path} leaked /etc/passwd`)
        assert.ok([301, 400, 403, 404].includes(res.status), `${base}${path} gave ${res.status}`)
      }
    }
  })
})
