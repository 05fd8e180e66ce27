import { DecodeError, ExtensionCodec } from '@msgpack/msgpack'

/** The msgpack timestamp extension type Go's vmihailenco/msgpack v5 writes for time.Time. */
export const TIMESTAMP_EXT = -1
/** vmihailenco/msgpack also reads timestamps tagged 13 ("NodeJS seems to use extID 13"). */
const LEGACY_TIMESTAMP_EXT = 13
/** Go's zero time.Time (0001-01-01T00:00:00Z) in Unix milliseconds: oauth2-proxy's "unset". */
export const GO_ZERO_TIME_MS = -62135596800000
/** The range of a JavaScript Date, in milliseconds either side of the epoch. */
const MAX_DATE_MS = 8.64e15
const TWO_32 = 0x1_0000_0000
const TWO_34 = 0x4_0000_0000

/**
 * Encodes a Date as Go's msgpack v5 `encodeTime`: 4 bytes (seconds) when there are no nanoseconds and the seconds
 * fit 32 bits, 8 bytes (30-bit nanoseconds ‖ 34-bit seconds) when the seconds fit 34 bits, else 12 bytes
 * (32-bit nanoseconds ‖ signed 64-bit seconds).
 */
export function encodeGoTime(date: Date): Uint8Array {
  const ms = date.getTime()
  const sec = Math.floor(ms / 1000)
  const nsec = (ms - sec * 1000) * 1_000_000
  if (sec >= 0 && sec < TWO_34) {
    if (nsec === 0 && sec < TWO_32) {
      const out = new Uint8Array(4)
      new DataView(out.buffer).setUint32(0, sec)
      return out
    }
    const out = new Uint8Array(8)
    const view = new DataView(out.buffer)
    view.setUint32(0, nsec * 4 + Math.floor(sec / TWO_32))
    view.setUint32(4, sec % TWO_32)
    return out
  }
  const out = new Uint8Array(12)
  const view = new DataView(out.buffer)
  view.setUint32(0, nsec)
  view.setBigInt64(4, BigInt(sec))
  return out
}

/** Builds a Date from seconds and nanoseconds (nanoseconds may exceed one second, as time.Unix allows); throws outside the Date range. */
export function dateFromUnix(sec: number, nsec: number): Date {
  const ms = sec * 1000 + Math.floor(nsec / 1_000_000)
  if (!Number.isFinite(ms) || Math.abs(ms) > MAX_DATE_MS) throw new DecodeError('msgpack: time out of range')
  return new Date(ms)
}

/** Decodes the 4-, 8- or 12-byte timestamp payload. */
export function decodeGoTime(data: Uint8Array): Date {
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength)
  switch (data.length) {
    case 4:
      return dateFromUnix(view.getUint32(0), 0)
    case 8: {
      const high = view.getUint32(0)
      return dateFromUnix((high & 0x3) * TWO_32 + view.getUint32(4), high >>> 2)
    }
    case 12:
      return dateFromUnix(Number(view.getBigInt64(4)), view.getUint32(0))
    default:
      throw new DecodeError(`msgpack: invalid timestamp length ${data.length}`)
  }
}

/** Timestamp extension handling for oauth2-proxy sessions: writes Go's forms, reads ext −1 and 13. */
export function createTimeCodec(): ExtensionCodec {
  const codec = new ExtensionCodec()
  codec.register({
    type: TIMESTAMP_EXT,
    encode: (input: unknown) => (input instanceof Date && !Number.isNaN(input.getTime()) ? encodeGoTime(input) : null),
    decode: (data: Uint8Array) => decodeGoTime(data),
  })
  codec.register({
    type: LEGACY_TIMESTAMP_EXT,
    encode: () => null,
    decode: (data: Uint8Array) => decodeGoTime(data),
  })
  return codec
}
