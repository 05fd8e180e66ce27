// A server of the bench in a child process of its own: started, waited for until it answers, stopped.
import type { ChildProcess } from 'node:child_process'
import { request } from 'undici'

/** A running child server. */
export interface ChildServer {
  pid: number
  url: string
  stop(): Promise<void>
}

/**
 * Waits until `proc` answers `GET /` on 127.0.0.1:`port` (with `headers`, and 200 when `needOk`), for at most about
 * 5 s; throws naming `what` if it exits or never answers.
 */
export async function childServer(proc: ChildProcess, port: number, what: string, options: { headers?: Record<string, string>; needOk?: boolean } = {}): Promise<ChildServer> {
  const url = `http://127.0.0.1:${port}`
  for (let i = 0; ; i++) {
    try {
      const res = await request(`${url}/`, { headers: options.headers ?? {} })
      await res.body.dump()
      if (options.needOk === true && res.statusCode !== 200) throw new Error(`${what} answered ${res.statusCode}`)
      break
    } catch (err) {
      if (i >= 200 || proc.exitCode !== null) throw new Error(`${what} did not start: ${(err as Error).message}`)
      await new Promise((r) => setTimeout(r, 25))
    }
  }
  return {
    pid: proc.pid ?? 0,
    url,
    stop: () =>
      new Promise<void>((resolve) => {
        if (proc.exitCode !== null) return resolve()
        proc.once('exit', () => resolve())
        proc.kill('SIGTERM')
      }),
  }
}
