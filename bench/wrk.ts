// Runs Debian's wrk against one URL and reads its summary: requests/s, p50 and p99 latency, errors.
import { execFile } from 'node:child_process'

export interface WrkResult {
  requestsPerSec: number
  /** Requests completed in the run. */
  requests: number
  p50Ms: number
  p99Ms: number
  /** Responses outside 2xx/3xx plus socket errors: a run with any is not a valid measurement. */
  errors: number
}

export interface WrkOptions {
  url: string
  seconds: number
  connections: number
  threads: number
  headers?: Record<string, string>
  /** A wrk Lua script (`-s`) that shapes the requests (bench/memory.ts cycles cookies with one). */
  script?: string
}

/** Runs one bounded wrk run; rejects when wrk fails or its output cannot be read. */
export function runWrk(options: WrkOptions): Promise<WrkResult> {
  const args = ['-t', String(options.threads), '-c', String(options.connections), '-d', `${options.seconds}s`, '--latency', '--timeout', '5s']
  for (const [name, value] of Object.entries(options.headers ?? {})) args.push('-H', `${name}: ${value}`)
  if (options.script !== undefined) args.push('-s', options.script)
  args.push(options.url)
  return new Promise((resolve, reject) => {
    execFile('wrk', args, { timeout: (options.seconds + 30) * 1000 }, (err, stdout) => {
      if (err) return reject(new Error(`wrk failed: ${err.message}`))
      try {
        resolve(parseWrk(stdout))
      } catch (parseErr) {
        reject(parseErr)
      }
    })
  })
}

/** Parses wrk's text summary. */
export function parseWrk(text: string): WrkResult {
  const rps = /Requests\/sec:\s+([\d.]+)/.exec(text)?.[1]
  const p50 = /^\s+50%\s+([\d.]+)(us|ms|s)/m.exec(text)
  const p99 = /^\s+99%\s+([\d.]+)(us|ms|s)/m.exec(text)
  if (rps === undefined || p50 === null || p99 === null) throw new Error(`unreadable wrk output:\n${text}`)
  const non2xx = Number(/Non-2xx or 3xx responses:\s+(\d+)/.exec(text)?.[1] ?? 0)
  const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(text)
  const socketErrors = socket === null ? 0 : socket.slice(1).reduce((sum, n) => sum + Number(n), 0)
  const requests = Number(/(\d+) requests in /.exec(text)?.[1] ?? 0)
  return { requestsPerSec: Number(rps), requests, p50Ms: toMs(p50), p99Ms: toMs(p99), errors: non2xx + socketErrors }
}

function toMs(match: RegExpExecArray): number {
  const value = Number(match[1])
  return match[2] === 'us' ? value / 1000 : match[2] === 's' ? value * 1000 : value
}
