// A real gRPC upstream (@grpc/grpc-js over h2c) and its client, for the gRPC-through-the-proxy tests. Messages are
// JSON in gRPC's length-prefixed framing: plain serialize/deserialize functions, no .proto file to load.
import * as grpc from '@grpc/grpc-js'

/** One message each way. */
export interface Msg {
  text?: string
  n?: number
  /** What the upstream saw: the identity headers gatehouse set, and the call's deadline (ms since the epoch, or null). */
  email?: string
  user?: string
  deadline?: number | null
}

const serialize = (value: Msg): Buffer => Buffer.from(JSON.stringify(value))
const deserialize = (bytes: Buffer): Msg => JSON.parse(bytes.toString('utf8')) as Msg

function method(name: string, requestStream: boolean, responseStream: boolean): grpc.MethodDefinition<Msg, Msg> {
  return {
    path: `/gatehouse.test.Echo/${name}`,
    requestStream,
    responseStream,
    requestSerialize: serialize,
    requestDeserialize: deserialize,
    responseSerialize: serialize,
    responseDeserialize: deserialize,
    originalName: name,
  }
}

/** Echo (unary), Fail (unary, answers an error), Count (server streaming), Chat (bidi), Hang (unary, never answers). */
export const ECHO_SERVICE = {
  Echo: method('Echo', false, false),
  Fail: method('Fail', false, false),
  Count: method('Count', false, true),
  Chat: method('Chat', true, true),
  Hang: method('Hang', false, false),
} satisfies grpc.ServiceDefinition

/** The running upstream: its address, how many calls reached it, and the calls that ended cancelled. */
export interface GrpcEchoServer {
  /** `127.0.0.1:<port>` */
  address: string
  calls: number
  /** Watches the next Hang call: resolves `started` when it reaches the upstream, `cancelled` when it is cancelled there. */
  expectHang(): { started: Promise<void>; cancelled: Promise<void> }
  close(): Promise<void>
}

const first = (metadata: grpc.Metadata, name: string): string | undefined => {
  const value = metadata.get(name)[0]
  return typeof value === 'string' ? value : undefined
}

/** Starts the upstream on an ephemeral port, cleartext HTTP/2 (what `h2c://` upstreams are). */
export async function startGrpcEcho(): Promise<GrpcEchoServer> {
  const server = new grpc.Server()
  let watcher: { started: () => void; cancelled: () => void } | undefined
  const state = { calls: 0 }
  const seen = (call: grpc.ServerUnaryCall<Msg, Msg> | grpc.ServerWritableStream<Msg, Msg> | grpc.ServerDuplexStream<Msg, Msg>): Msg => {
    state.calls += 1
    const deadline = call.getDeadline()
    const email = first(call.metadata, 'x-forwarded-email')
    const user = first(call.metadata, 'x-forwarded-user')
    return {
      deadline: deadline instanceof Date ? deadline.getTime() : Number.isFinite(deadline) ? deadline : null,
      ...(email === undefined ? {} : { email }),
      ...(user === undefined ? {} : { user }),
    }
  }
  const handlers: grpc.UntypedServiceImplementation = {
    Echo: (call: grpc.ServerUnaryCall<Msg, Msg>, done: grpc.sendUnaryData<Msg>) => done(null, { ...seen(call), text: call.request.text ?? '' }),
    Fail: (call: grpc.ServerUnaryCall<Msg, Msg>, done: grpc.sendUnaryData<Msg>) => {
      seen(call)
      done({ code: grpc.status.INVALID_ARGUMENT, details: 'no such thing: ünïcode % kept' })
    },
    Count: (call: grpc.ServerWritableStream<Msg, Msg>) => {
      const info = seen(call)
      const n = Math.min(call.request.n ?? 0, 100)
      for (let i = 1; i <= n; i += 1) call.write({ ...info, n: i })
      const trailing = new grpc.Metadata()
      trailing.set('x-count', String(n))
      call.end(trailing)
    },
    Chat: (call: grpc.ServerDuplexStream<Msg, Msg>) => {
      const info = seen(call)
      call.on('data', (msg: Msg) => call.write({ ...info, text: `echo: ${msg.text ?? ''}` }))
      call.on('end', () => call.end())
    },
    Hang: (call: grpc.ServerUnaryCall<Msg, Msg>) => {
      seen(call)
      const watch = watcher
      watcher = undefined
      call.once('cancelled', () => watch?.cancelled())
      watch?.started()
    },
  }
  server.addService(ECHO_SERVICE, handlers)
  const port = await new Promise<number>((resolve, reject) => {
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, p) => (err === null ? resolve(p) : reject(err)))
  })
  return {
    address: `127.0.0.1:${port}`,
    get calls() {
      return state.calls
    },
    expectHang() {
      let started: () => void = () => undefined
      let cancelled: () => void = () => undefined
      const promises = { started: new Promise<void>((resolve) => (started = resolve)), cancelled: new Promise<void>((resolve) => (cancelled = resolve)) }
      watcher = { started, cancelled }
      return promises
    },
    close: () => new Promise<void>((resolve) => server.tryShutdown(() => resolve())).then(() => server.forceShutdown()),
  }
}

/** How a call ended: its status, message and trailing metadata (grpc-status and grpc-message are read from the trailers). */
export interface CallEnd {
  code: grpc.status
  details: string
  trailers: Record<string, string>
}

/** The calls the tests make through gatehouse. */
export interface EchoCalls {
  unary(name: 'Echo' | 'Fail', msg: Msg, metadata?: grpc.Metadata, options?: grpc.CallOptions): Promise<{ reply: Msg | undefined; end: CallEnd }>
  count(n: number, metadata?: grpc.Metadata): Promise<{ replies: Msg[]; end: CallEnd }>
  chat(texts: readonly string[], metadata?: grpc.Metadata): Promise<{ replies: Msg[]; end: CallEnd }>
  /** A Hang call, cancelled by the client once `cancelWhen` resolves, or ended by its deadline. */
  hang(options: { cancelWhen?: Promise<void>; deadline?: Date }, metadata?: grpc.Metadata): Promise<CallEnd>
  close(): void
}

/** Metadata carrying one header (a bearer token, a cookie). */
export function metadataWith(name: string, value: string): grpc.Metadata {
  const metadata = new grpc.Metadata()
  metadata.set(name, value)
  return metadata
}

function plain(metadata: grpc.Metadata): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [name, values] of Object.entries(metadata.getMap())) out[name] = String(values)
  return out
}

/** A client of the echo service through gatehouse's TLS listener (`127.0.0.1:<port>`), trusting the test certificate. */
export function echoCalls(target: string, ca: Buffer): EchoCalls {
  const client = new grpc.Client(target, grpc.credentials.createSsl(ca), { 'grpc.ssl_target_name_override': 'localhost' })
  const collect = (call: grpc.ClientReadableStream<Msg> | grpc.ClientDuplexStream<Msg, Msg>): Promise<{ replies: Msg[]; end: CallEnd }> =>
    new Promise((resolve) => {
      const replies: Msg[] = []
      call.on('data', (msg: Msg) => replies.push(msg))
      call.on('error', () => undefined)
      call.on('status', (st: grpc.StatusObject) => resolve({ replies, end: { code: st.code, details: st.details, trailers: plain(st.metadata) } }))
    })
  return {
    unary: (name, msg, metadata = new grpc.Metadata(), options = {}) =>
      new Promise((resolve) => {
        let reply: Msg | undefined
        const call = client.makeUnaryRequest(ECHO_SERVICE[name].path, serialize, deserialize, msg, metadata, options, (_err, value) => {
          reply = value
        })
        call.on('status', (st: grpc.StatusObject) => setImmediate(() => resolve({ reply, end: { code: st.code, details: st.details, trailers: plain(st.metadata) } })))
      }),
    count: (n, metadata = new grpc.Metadata()) => collect(client.makeServerStreamRequest(ECHO_SERVICE.Count.path, serialize, deserialize, { n }, metadata, {})),
    chat: (texts, metadata = new grpc.Metadata()) => {
      const call = client.makeBidiStreamRequest(ECHO_SERVICE.Chat.path, serialize, deserialize, metadata, {})
      const done = collect(call)
      for (const text of texts) call.write({ text })
      call.end()
      return done
    },
    hang: (options, metadata = new grpc.Metadata()) =>
      new Promise((resolve) => {
        const call = client.makeUnaryRequest(ECHO_SERVICE.Hang.path, serialize, deserialize, {}, metadata, options.deadline === undefined ? {} : { deadline: options.deadline }, () => undefined)
        call.on('status', (st: grpc.StatusObject) => resolve({ code: st.code, details: st.details, trailers: plain(st.metadata) }))
        void options.cancelWhen?.then(() => call.cancel())
      }),
    close: () => client.close(),
  }
}
