import { fstatSync, writeSync } from 'node:fs'

/** Bytes a pipe writes atomically (Linux's PIPE_BUF): two processes sharing one pipe (`--workers`) never split a line. */
const PIPE_ATOMIC_BYTES = 4096
/** The largest single write to a file. */
const FILE_WRITE_BYTES = 64 * 1024
/** While the reader of a full pipe catches up, how long to wait before trying again. */
const RETRY_MS = 10
/** Lines held while the output is blocked; past this, new lines are counted and dropped rather than kept. */
const MAX_HELD_CHARS = 16 * 1024 * 1024
/** At exit, how long to wait in all for a full pipe before the rest is given up. */
const EXIT_WAIT_MS = 2000

/** What a batched writer tells the operator about (dropped lines, a broken output); stderr by default. */
export type ProblemSink = (message: string) => void

function isStream(fd: number): boolean {
  try {
    const st = fstatSync(fd)
    return st.isFIFO() || st.isSocket()
  } catch {
    return false
  }
}

function sleepMs(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms)
}

/**
 * The log destination for an inherited descriptor (stdout, stderr): the lines of one turn of the event loop are
 * written together with one write(2) from the main thread, instead of one asynchronous write per burst through
 * libuv's thread pool. Nothing is in flight between turns, so `flushSync` at exit writes every line still held.
 * A pipe gets writes of at most PIPE_BUF bytes cut at line ends, so `--workers` sharing it never interleave a line.
 */
export function createBatchedFd(fd: number, onProblem: ProblemSink = (m) => void process.stderr.write(`gatehouse: ${m}\n`)) {
  const maxWrite = isStream(fd) ? PIPE_ATOMIC_BYTES : FILE_WRITE_BYTES
  let lines: string[] = []
  let heldChars = 0
  /** Bytes of an earlier turn that the output did not take yet (a full non-blocking pipe). */
  let stalled: Buffer | undefined
  let scheduled = false
  let retry: NodeJS.Timeout | undefined
  let dropped = 0
  let broken = false

  /** Writes what the output takes now; returns false when it would block (EAGAIN), keeping the rest in `stalled`. */
  function writeOut(buf: Buffer): boolean {
    let off = 0
    try {
      while (off < buf.length) {
        let end = buf.length
        if (end - off > maxWrite) {
          const nl = buf.lastIndexOf(10, off + maxWrite - 1)
          // A single line longer than one write goes whole, in as few writes as the output takes.
          end = nl >= off ? nl + 1 : buf.indexOf(10, off + maxWrite) + 1 || buf.length
        }
        off += writeSync(fd, buf, off, end - off)
      }
      stalled = undefined
      return true
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code
      if (code === 'EAGAIN' || code === 'EWOULDBLOCK') {
        stalled = buf.subarray(off)
        return false
      }
      // EPIPE (nobody reads any more) or a closed descriptor: later lines could not be written either.
      broken = true
      stalled = undefined
      lines = []
      heldChars = 0
      onProblem(`log output (fd ${fd}) failed: ${(err as Error).message}; further lines are dropped`)
      return true
    }
  }

  /** Writes the held lines; false when the output is full and a retry is needed. */
  function drain(): boolean {
    scheduled = false
    if (stalled !== undefined && !writeOut(stalled)) return false
    if (lines.length === 0 || broken) return true
    const text = lines.length === 1 ? (lines[0] as string) : lines.join('')
    lines = []
    heldChars = 0
    if (dropped > 0) {
      onProblem(`${dropped} log lines were dropped while the log output was blocked`)
      dropped = 0
    }
    return writeOut(Buffer.from(text, 'utf8'))
  }

  function drainOrRetry(): void {
    retry = undefined
    if (!drain()) retry = setTimeout(drainOrRetry, RETRY_MS)
  }

  return {
    /** pino's destination interface: one or more whole lines. */
    write(chunk: string): boolean {
      if (broken) return true
      if (heldChars + chunk.length > MAX_HELD_CHARS) {
        dropped++
        return true
      }
      lines.push(chunk)
      heldChars += chunk.length
      if (!scheduled && retry === undefined) {
        scheduled = true
        setImmediate(drainOrRetry)
      }
      return true
    },
    /** Writes every held line before returning, waiting a bounded time for a full pipe (at exit). */
    flushSync(): void {
      const until = Date.now() + EXIT_WAIT_MS
      while (!drain() && Date.now() < until) sleepMs(RETRY_MS)
    },
    /** pino's `logger.flush(cb)`. */
    flush(cb?: (err?: Error) => void): void {
      this.flushSync()
      cb?.()
    },
  }
}

/** A batched writer of a descriptor (see createBatchedFd). */
export type BatchedFd = ReturnType<typeof createBatchedFd>
