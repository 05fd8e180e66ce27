import { createReadStream, type Stats } from 'node:fs'
import { realpath, stat } from 'node:fs/promises'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { basename, join, sep } from 'node:path'
import { pipeline } from 'node:stream/promises'
import { contentTypeFor } from './content-type.js'
import { appendHeaders, sendText, type ResponseHeaders } from './local-response.js'
import { cleanPath, decodePath } from './path.js'

/** A `file://` upstream: files under `dir`, the mount path `path` stripped from the request path. */
export interface FileMount {
  path: string
  dir: string
}

/** Serves files for `file://` upstreams (Go's `http.StripPrefix` + `http.FileServer`, without directory listings). */
export interface FileServer {
  serve(req: IncomingMessage, res: ServerResponse, mount: FileMount, headers: ResponseHeaders): Promise<void>
}

type Resolved = { kind: 'file'; real: string; stats: Stats } | { kind: 'missing' } | { kind: 'forbidden' }

/** Creates the file server; resolved root directories are cached (a missing root is looked up again next time). */
export function createFileServer(): FileServer {
  const roots = new Map<string, string>()

  async function rootOf(dir: string): Promise<string> {
    const known = roots.get(dir)
    if (known !== undefined) return known
    const real = await realpath(dir)
    roots.set(dir, real)
    return real
  }

  /** Resolves `name` (a clean absolute path) inside the root, following symlinks only while they stay inside it. */
  async function resolve(dir: string, name: string): Promise<Resolved> {
    try {
      const root = await rootOf(dir)
      const real = name === '/' ? root : await realpath(join(root, name))
      // A symlink that leads outside the root is treated as absent (Go's http.Dir would follow it).
      if (real !== root && !real.startsWith(root.endsWith(sep) ? root : root + sep)) return { kind: 'missing' }
      return { kind: 'file', real, stats: await stat(real) }
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code
      if (code === 'EACCES' || code === 'EPERM') return { kind: 'forbidden' }
      if (code === 'ENOENT' || code === 'ENOTDIR' || code === 'ENAMETOOLONG' || code === 'ELOOP') return { kind: 'missing' }
      throw err
    }
  }

  return {
    async serve(req, res, mount, headers) {
      const target = req.url ?? '/'
      const q = target.indexOf('?')
      const query = q === -1 ? '' : target.slice(q)
      const decoded = decodePath(q === -1 ? target : target.slice(0, q))
      if (decoded === undefined || !decoded.startsWith(mount.path) || decoded.includes('\0')) {
        sendText(req, res, 404, '404 page not found', headers)
        return
      }
      const stripped = decoded.slice(mount.path.length)
      const upath = stripped.startsWith('/') ? stripped : `/${stripped}`
      // Go redirects any `.../index.html` request to its directory.
      if (upath.endsWith('/index.html')) return redirect(res, `./${query}`, headers)
      const clean = cleanPath(upath)
      const name = clean.length > 1 && clean.endsWith('/') ? clean.slice(0, -1) : clean

      let found = await resolve(mount.dir, name)
      if (found.kind === 'file' && found.stats.isDirectory()) {
        if (!upath.endsWith('/')) return redirect(res, `${encodeURIComponent(basename(name))}/${query}`, headers)
        found = await resolve(mount.dir, join(name, 'index.html'))
      } else if (found.kind === 'file' && upath.endsWith('/') && upath !== '/') {
        return redirect(res, `../${encodeURIComponent(basename(name))}${query}`, headers)
      }
      if (found.kind === 'forbidden') return sendText(req, res, 403, '403 Forbidden', headers)
      if (found.kind === 'missing' || !found.stats.isFile()) return sendText(req, res, 404, '404 page not found', headers)
      await sendFile(req, res, found.real, found.stats, headers)
    },
  }
}

/** A relative 301, as Go's `localRedirect`. */
function redirect(res: ServerResponse, location: string, headers: ResponseHeaders): void {
  res.setHeader('Location', location)
  appendHeaders(res, headers)
  res.writeHead(301)
  res.end()
}

/** Sends one regular file: Last-Modified / If-Modified-Since, a single byte range, HEAD. */
async function sendFile(req: IncomingMessage, res: ServerResponse, file: string, stats: Stats, headers: ResponseHeaders): Promise<void> {
  const lastModified = new Date(Math.floor(stats.mtimeMs / 1000) * 1000)
  const ims = req.headers['if-modified-since']
  res.setHeader('Last-Modified', lastModified.toUTCString())
  if (ims !== undefined && req.headers['if-none-match'] === undefined) {
    const since = Date.parse(ims)
    if (!Number.isNaN(since) && lastModified.getTime() <= since) {
      appendHeaders(res, headers)
      res.writeHead(304)
      res.end()
      return
    }
  }
  res.setHeader('Content-Type', contentTypeFor(file))
  res.setHeader('Accept-Ranges', 'bytes')
  const size = stats.size
  let start = 0
  let end = size - 1
  let status = 200
  const range = rangeOf(req, lastModified, size)
  if (range === 'unsatisfiable') {
    res.setHeader('Content-Range', `bytes */${size}`)
    sendText(req, res, 416, 'invalid range: failed to overlap', headers)
    return
  }
  if (range !== undefined) {
    ;({ start, end } = range)
    status = 206
    res.setHeader('Content-Range', `bytes ${start}-${end}/${size}`)
  }
  res.setHeader('Content-Length', size === 0 ? 0 : end - start + 1)
  appendHeaders(res, headers)
  res.writeHead(status)
  if (req.method === 'HEAD' || size === 0) {
    res.end()
    return
  }
  try {
    await pipeline(createReadStream(file, { start, end, highWaterMark: 64 * 1024 }), res)
  } catch {
    // The client went away or the file vanished mid-read: the socket is already torn down.
    res.destroy()
  }
}

/** Parses a single `bytes=` range (RFC 9110 §14.1.2); multi-range and stale If-Range fall back to the full file. */
function rangeOf(req: IncomingMessage, lastModified: Date, size: number): { start: number; end: number } | 'unsatisfiable' | undefined {
  const header = req.headers.range
  if (header === undefined || !header.startsWith('bytes=')) return undefined
  const ifRange = req.headers['if-range']
  if (ifRange !== undefined && ifRange !== lastModified.toUTCString()) return undefined
  const spec = header.slice(6).trim()
  if (spec.includes(',')) return undefined
  const m = /^(\d*)-(\d*)$/.exec(spec)
  if (m === null || (m[1] === '' && m[2] === '')) return undefined
  if (m[1] === '') {
    const suffix = Number(m[2])
    if (suffix === 0 || size === 0) return 'unsatisfiable'
    return { start: Math.max(0, size - suffix), end: size - 1 }
  }
  const start = Number(m[1])
  if (start >= size) return 'unsatisfiable'
  const end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1)
  if (end < start) return undefined
  return { start, end }
}
