// A test HTTP client with a cookie jar on undici's `request`. It never follows redirects unless
// asked (`follow`), so tests see every 302 and Set-Cookie the proxy sends.
import { request } from 'undici'
import type { Dispatcher } from 'undici'
import { createCookieJar } from './cookie-jar.js'
import type { CookieJar } from './cookie-jar.js'

/** A complete response: status, headers, body read to the end. */
export interface HttpResponse {
  status: number
  /** The URL requested. */
  url: string
  method: string
  headers: Record<string, string | string[] | undefined>
  body: string
  bytes: Buffer
  /** The Location header resolved against `url`, when present. */
  location: string | undefined
  /** Every Set-Cookie header line, in order. */
  setCookies: string[]
  /** One header, multiple values joined with ", ". */
  header(name: string): string | undefined
  /** The body parsed as JSON. */
  json<T = unknown>(): T
}

/** Per-request options. */
export interface RequestOptions {
  headers?: Record<string, string>
  body?: string | Buffer
  /** Send and store jar cookies (default true). */
  cookies?: boolean
}

/** Options of `follow`: the first request's method and body, and the redirect budget. */
export interface FollowOptions extends RequestOptions {
  method?: string
  /** Redirects to follow at most (default 20). */
  max?: number
}

/** A followed chain: the last response plus every response on the way. */
export interface FollowResult extends HttpResponse {
  chain: HttpResponse[]
}

/** Form data for `post`: an object, URLSearchParams or an encoded string. */
export type FormInput = Record<string, string> | URLSearchParams | string

/** The client: one cookie jar, requests that never follow redirects unless `follow` is used. */
export interface HttpClient {
  jar: CookieJar
  request(method: string, url: string | URL, options?: RequestOptions): Promise<HttpResponse>
  get(url: string | URL, options?: RequestOptions): Promise<HttpResponse>
  /** POSTs an application/x-www-form-urlencoded body. */
  post(url: string | URL, form: FormInput, options?: RequestOptions): Promise<HttpResponse>
  /** Requests `url` and follows 301/302/303/307/308 across hosts, storing cookies on the way. */
  follow(url: string | URL, options?: FollowOptions): Promise<FollowResult>
}

/** Options of `createClient`. */
export interface ClientOptions {
  /** Headers sent on every request unless a request overrides them. */
  headers?: Record<string, string>
  /** Share cookies between ports of one host, as browsers do (default false: one jar per host:port). */
  shareCookiesAcrossPorts?: boolean
  dispatcher?: Dispatcher
}

const REDIRECTS = new Set([301, 302, 303, 307, 308])

/** Creates a client with an empty jar. */
export function createClient(options: ClientOptions = {}): HttpClient {
  const jar = createCookieJar({ shareAcrossPorts: options.shareCookiesAcrossPorts ?? false })

  const send = async (method: string, target: string | URL, opts: RequestOptions = {}): Promise<HttpResponse> => {
    const url = new URL(target)
    const headers: Record<string, string> = lowerKeys({ ...options.headers, ...opts.headers })
    const cookieUrl = headers.host === undefined ? url : new URL(`${url.protocol}//${headers.host}${url.pathname}${url.search}`)
    if (opts.cookies !== false && headers.cookie === undefined) {
      const cookie = jar.header(cookieUrl)
      if (cookie !== undefined) headers.cookie = cookie
    }
    const res = await request(url, {
      method: method as Dispatcher.HttpMethod,
      headers,
      ...(opts.body === undefined ? {} : { body: opts.body }),
      headersTimeout: 30_000,
      bodyTimeout: 30_000,
      ...(options.dispatcher === undefined ? {} : { dispatcher: options.dispatcher }),
    })
    const bytes = Buffer.from(await res.body.arrayBuffer())
    const raw = res.headers['set-cookie']
    const setCookies = raw === undefined ? [] : Array.isArray(raw) ? raw : [raw]
    if (opts.cookies !== false) jar.store(cookieUrl, setCookies)
    const resHeaders = res.headers
    const header = (name: string): string | undefined => {
      const v = resHeaders[name.toLowerCase()]
      return Array.isArray(v) ? v.join(', ') : v
    }
    const location = header('location')
    const body = bytes.toString('utf8')
    return {
      status: res.statusCode,
      url: url.href,
      method,
      headers: resHeaders,
      body,
      bytes,
      location: location === undefined ? undefined : new URL(location, url).href,
      setCookies,
      header,
      json: <T>() => JSON.parse(body) as T,
    }
  }

  return {
    jar,
    request: send,
    get: (url, opts) => send('GET', url, opts),
    post: (url, form, opts = {}) =>
      send('POST', url, {
        ...opts,
        headers: { 'content-type': 'application/x-www-form-urlencoded', ...opts.headers },
        body: encodeForm(form),
      }),
    async follow(url, opts = {}) {
      const max = opts.max ?? 20
      const chain: HttpResponse[] = []
      let method = opts.method ?? 'GET'
      let body = opts.body
      let headers = { ...opts.headers }
      let next = new URL(url)
      for (;;) {
        const res = await send(method, next, { ...opts, headers, ...(body === undefined ? {} : { body }) })
        chain.push(res)
        if (!REDIRECTS.has(res.status) || res.location === undefined || chain.length > max) return { ...res, chain }
        const target = new URL(res.location)
        if (res.status === 303 || ((res.status === 301 || res.status === 302) && method === 'POST')) {
          if (method !== 'HEAD') method = 'GET'
          body = undefined
          headers = withoutKeys(headers, ['content-type', 'content-length'])
        }
        // Credentials and a Host override belong to the origin they were meant for.
        if (target.origin !== next.origin) headers = withoutKeys(headers, ['authorization', 'host', 'cookie'])
        next = target
      }
    },
  }
}

/** Encodes form input as application/x-www-form-urlencoded. */
export function encodeForm(form: FormInput): string {
  if (typeof form === 'string') return form
  return (form instanceof URLSearchParams ? form : new URLSearchParams(form)).toString()
}

function lowerKeys(headers: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [k, v] of Object.entries(headers)) out[k.toLowerCase()] = v
  return out
}

function withoutKeys(headers: Record<string, string>, names: string[]): Record<string, string> {
  const out = lowerKeys(headers)
  for (const name of names) delete out[name]
  return out
}
