import { createHash } from 'node:crypto'
import { readFile, stat } from 'node:fs/promises'
import { ConfigError } from '../errors.js'
import type { Logger } from '../log/logger.js'
import { generateSigningKey, parseKeyFile, type AssertionAlg, type SigningKey } from './signing-key.js'

/** How often the key file is checked for a change (its modification time and size). */
const POLL_MS = 2_000

export interface KeyRingOptions {
  /** `--assertion-key-file`; empty: one key is generated for this process. */
  file: string
  /** `--assertion-signing-alg`, for the generated key. */
  generatedAlg: AssertionAlg
  /** `--assertion-key-publish-ahead`. */
  publishAheadMs: number
  clock: () => number
  log: Logger
}

/** The published JWKS document and its validator. */
export interface JwksDocument {
  body: string
  etag: string
}

/**
 * The assertion keys of this process. With a key file, every key in it is published; the first signs once the
 * file is `publishAheadMs` old (its modification time, which replicas sharing the file agree on), and until then
 * the second key, the one that signed before the new key was put first. A key that leaves the file stays published
 * while an assertion it signed here may still be in use.
 */
export interface KeyRing {
  /** The key that signs now. */
  signer(): SigningKey
  /** Tells the ring an assertion signed by `kid` is valid until `expiresAt` (ms), so the key outlives it in the JWKS. */
  signed(kid: string, expiresAt: number): void
  jwks(): JwksDocument
  close(): void
}

interface FileState {
  keys: SigningKey[]
  mtimeMs: number
  size: number
}

async function readKeys(file: string): Promise<FileState> {
  const [text, info] = await Promise.all([readFile(file, 'utf8'), stat(file)])
  return { keys: await parseKeyFile(text), mtimeMs: info.mtimeMs, size: info.size }
}

/** Loads (or generates) the keys; a bad key file is a ConfigError naming the option, the file and the fix. */
export async function createKeyRing(options: KeyRingOptions): Promise<KeyRing> {
  let state: FileState
  if (options.file === '') {
    state = { keys: [await generateSigningKey(options.generatedAlg)], mtimeMs: 0, size: 0 }
    options.log.warn(
      { event: 'assertion.key.generated', kid: state.keys[0]?.kid, alg: options.generatedAlg },
      'identity assertions are signed with a key generated at start-up: other replicas will not share it, and it changes on restart; set --assertion-key-file',
    )
  } else {
    try {
      state = await readKeys(options.file)
    } catch (err) {
      const detail = err instanceof Error ? err.message : String(err)
      throw new ConfigError([{ option: '--assertion-key-file', value: options.file, message: `cannot load the assertion keys: ${detail}` }])
    }
  }
  /** Keys that left the file after signing here, published until their last assertion expires. */
  const retired = new Map<string, { key: SigningKey; until: number }>()
  /** When each key's last assertion signed here expires. */
  const lastExpiry = new Map<string, number>()
  let document: JwksDocument | undefined
  let documentUntil = Number.POSITIVE_INFINITY

  function buildDocument(now: number): JwksDocument {
    const keys = [...state.keys]
    documentUntil = Number.POSITIVE_INFINITY
    for (const [kid, entry] of retired) {
      if (entry.until <= now) {
        retired.delete(kid)
        continue
      }
      if (!keys.some((k) => k.kid === kid)) keys.push(entry.key)
      documentUntil = Math.min(documentUntil, entry.until)
    }
    const body = JSON.stringify({ keys: keys.map((k) => k.jwk) })
    return { body, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"` }
  }

  async function reload(): Promise<void> {
    const info = await stat(options.file)
    if (info.mtimeMs === state.mtimeMs && info.size === state.size) return
    const next = await readKeys(options.file)
    const now = options.clock()
    for (const key of state.keys) {
      const until = lastExpiry.get(key.kid)
      if (until !== undefined && until > now && !next.keys.some((k) => k.kid === key.kid)) retired.set(key.kid, { key, until })
    }
    state = next
    document = undefined
    options.log.info({ event: 'assertion.keys.reloaded', kids: next.keys.map((k) => k.kid) }, 'assertion key file changed: keys reloaded')
  }

  let polling = false
  const timer = options.file === ''
    ? undefined
    : setInterval(() => {
        if (polling) return
        polling = true
        reload()
          .catch((err: unknown) => {
            options.log.error({ event: 'assertion.keys.reload_failed', error: err instanceof Error ? err.message : String(err) }, 'assertion key file not reloaded; the previous keys stay in use')
          })
          .finally(() => {
            polling = false
          })
      }, POLL_MS)
  timer?.unref()

  return {
    signer() {
      const [first, second] = state.keys as [SigningKey, SigningKey | undefined]
      if (second !== undefined && options.clock() < state.mtimeMs + options.publishAheadMs) return second
      return first
    },
    signed(kid, expiresAt) {
      if ((lastExpiry.get(kid) ?? 0) < expiresAt) lastExpiry.set(kid, expiresAt)
    },
    jwks() {
      const now = options.clock()
      if (document === undefined || now >= documentUntil) document = buildDocument(now)
      return document
    },
    close() {
      if (timer !== undefined) clearInterval(timer)
    },
  }
}
