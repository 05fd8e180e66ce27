import { DecodeError, Decoder } from '@msgpack/msgpack'
import { ProxyError } from '../../errors.js'
import { createTimeCodec, dateFromUnix, GO_ZERO_TIME_MS } from './msgpack-time.js'

/** Go's struct and `map[string]interface{}` decoding accept only string keys. */
function stringKeysOnly(key: unknown): string {
  if (typeof key !== 'string') throw new DecodeError('msgpack: map keys must be strings')
  return key
}

const timeCodec = createTimeCodec()
/** Strings come back as bytes, so UTF-8 can be checked as Go's session validation does. */
const rawDecoder = new Decoder({ extensionCodec: timeCodec, rawStrings: true, mapKeyConverter: stringKeysOnly })
const textDecoder = new Decoder({ extensionCodec: timeCodec, mapKeyConverter: stringKeysOnly })
const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true })
const lenientUtf8 = new TextDecoder('utf-8', { ignoreBOM: true })

/** The error for bytes that are not a valid encoded value of the expected shape. */
export function badMsgpack(detail: string, cause?: unknown): ProxyError {
  return new ProxyError('ERR_BAD_REQUEST', 400, `malformed msgpack data: ${detail}`, cause === undefined ? undefined : { cause })
}

/**
 * Decodes the first msgpack value of `bytes` (trailing bytes are ignored, as Go's msgpack.Unmarshal does).
 * With `rawStrings`, str values come back as Uint8Array. Throws ProxyError on malformed data.
 */
export function decodeFirst(bytes: Uint8Array, rawStrings: boolean): unknown {
  try {
    for (const value of (rawStrings ? rawDecoder : textDecoder).decodeMulti(bytes)) return value
  } catch (error) {
    throw badMsgpack(error instanceof Error ? error.message : 'undecodable', error)
  }
  throw badMsgpack('no value')
}

/** A decoded msgpack map (plain object), as opposed to arrays, bytes, dates and extension values. */
export function isMap(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === Object.prototype
}

/** A str/bin field as Go reads it into a string: UTF-8 checked (oauth2-proxy rejects sessions with non-UTF-8 strings); nil and "" are unset. */
export function readText(value: unknown, key: string): string | undefined {
  if (value === null || value === undefined) return undefined
  if (!(value instanceof Uint8Array)) throw badMsgpack(`"${key}" is not a string`)
  let text: string
  try {
    text = strictUtf8.decode(value)
  } catch (error) {
    throw badMsgpack(`"${key}" is not valid UTF-8`, error)
  }
  return text === '' ? undefined : text
}

/** A bin/str field as Go reads it into []byte (copied out of the decode buffer); nil is unset. */
export function readBytes(value: unknown, key: string): Uint8Array | undefined {
  if (value === null || value === undefined) return undefined
  if (!(value instanceof Uint8Array)) throw badMsgpack(`"${key}" is not bytes`)
  return Uint8Array.from(value)
}

/** A []string field; nil elements read as "" as in Go. */
export function readTextList(value: unknown, key: string): string[] | undefined {
  if (value === null || value === undefined) return undefined
  if (!Array.isArray(value)) throw badMsgpack(`"${key}" is not an array`)
  return value.map((item) => {
    if (item === null) return ''
    if (!(item instanceof Uint8Array)) throw badMsgpack(`"${key}" holds a non-string`)
    return lenientUtf8.decode(item)
  })
}

const RFC3339 = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d+))?(Z|[+-]\d{2}:\d{2})$/

/**
 * A *time.Time field as vmihailenco/msgpack v5 reads it: timestamp extension (−1 or 13), the legacy
 * `[sec, nsec]` array, or an RFC 3339 string. Go's zero time and nil are unset.
 */
export function readTime(value: unknown, key: string): Date | undefined {
  let date: Date
  if (value === null || value === undefined) return undefined
  if (value instanceof Date) date = value
  else if (Array.isArray(value) && value.length === 2 && value.every((n) => Number.isInteger(n))) {
    try {
      date = dateFromUnix(value[0] as number, value[1] as number)
    } catch (error) {
      throw badMsgpack(`"${key}" is out of range`, error)
    }
  } else if (value instanceof Uint8Array) {
    const match = RFC3339.exec(lenientUtf8.decode(value))
    const ms = match === null ? Number.NaN : Date.parse(`${match[1]}.${(match[2] ?? '').padEnd(3, '0').slice(0, 3)}${match[3]}`)
    if (Number.isNaN(ms)) throw badMsgpack(`"${key}" is not an RFC 3339 time`)
    date = new Date(ms)
  } else throw badMsgpack(`"${key}" is not a time`)
  return date.getTime() === GO_ZERO_TIME_MS ? undefined : date
}
