// Loads the copy-paste configurations under docs/examples/ for the tests that run them, replacing only the
// addresses a test chooses at run time. Every placeholder must be present, so a doc edit that drops one
// fails the test instead of silently testing something else.
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { lookup as dnsLookup } from 'node:dns'
import { Agent } from 'undici'
import { REPO_ROOT } from './process.js'

/** Reads `docs/examples/<example>/<file>` and replaces each key of `replace` (all occurrences) with its value. */
export async function loadExample(example: string, file: string, replace: Record<string, string> = {}): Promise<string> {
  let text = await readFile(join(REPO_ROOT, 'docs', 'examples', example, file), 'utf8')
  for (const [from, to] of Object.entries(replace)) {
    if (!text.includes(from)) throw new Error(`docs/examples/${example}/${file} no longer contains ${JSON.stringify(from)}`)
    text = text.split(from).join(to)
  }
  return text
}

/**
 * An undici dispatcher that connects every host name to 127.0.0.1 (a test's /etc/hosts), so clients can use
 * real-looking names (app.example.com) against servers listening on loopback ports.
 */
export function loopbackDispatcher(options: { localAddress?: string } = {}): Agent {
  return new Agent({
    connect: { lookup: (_host: string, opts: object, cb: (...args: never[]) => void) => dnsLookup('127.0.0.1', opts, cb as never) } as never,
    ...(options.localAddress === undefined ? {} : { localAddress: options.localAddress }),
  })
}

/** A dispatcher whose connections come from `localAddress` (e.g. 127.0.0.2: a loopback peer outside --trusted-proxy-ip). */
export function fromAddress(localAddress: string): Agent {
  return new Agent({ localAddress })
}
