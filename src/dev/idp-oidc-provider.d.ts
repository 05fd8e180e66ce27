// Type declarations for the parts of oidc-provider 9 that the development IdP uses.
// oidc-provider ships no types and @types/oidc-provider is not installed; this covers only
// what src/dev/idp*.ts calls, with `unknown` wherever the library's value is not inspected.

declare module 'oidc-provider' {
  import type { IncomingMessage, ServerResponse } from 'node:http'

  /** A registered client as oidc-provider models it (camelCase metadata). */
  export interface OidcClient {
    clientId: string
    clientAuthMethod: string
    clientName?: string
    redirectUriAllowed(value: string): boolean
    postLogoutRedirectUriAllowed(value: string): boolean
    grantTypeAllowed(type: string): boolean
  }

  /** The end-user session at the provider. */
  export interface OidcSession {
    accountId?: string
    grantIdFor(clientId: string): string | undefined
  }

  /** A grant: what one account allowed one client. */
  export interface OidcGrant {
    jti?: string
    accountId?: string
    clientId?: string
    addOIDCScope(scope: string): void
    addOIDCClaims(claims: string[]): void
    addResourceScope(resource: string, scope: string): void
    save(): Promise<string>
  }

  export interface GrantClass {
    new (properties: { accountId: string; clientId: string }): OidcGrant
    find(id: string): Promise<OidcGrant | undefined>
  }

  /** The per-request OpenID context oidc-provider hangs on the Koa context. */
  export interface OidcRequestContext {
    route?: string
    params?: Record<string, unknown>
    client?: OidcClient
    session?: OidcSession
    account?: { accountId: string }
    result?: { consent?: { grantId?: string } } & Record<string, unknown>
    /** The requested scopes that the provider knows. */
    readonly requestParamOIDCScopes?: Set<string>
    provider: Provider
  }

  /** The Koa context, reduced to what our hooks touch. */
  export interface KoaContextWithOIDC {
    oidc?: OidcRequestContext
    status: number
    body: unknown
    type: string
    host: string
    path: string
    method: string
  }

  export type KoaNext = () => Promise<void>

  /** An account as findAccount returns it. */
  export interface OidcAccount {
    accountId: string
    claims(use: string, scope: string, claims: unknown, rejected: unknown): Promise<Record<string, unknown>>
  }

  /** What `interactionDetails` returns: the pending interaction. */
  export interface InteractionDetails {
    uid: string
    prompt: { name: string; reasons: string[]; details: Record<string, unknown> }
    params: Record<string, unknown>
    session?: { accountId?: string; uid?: string }
    grantId?: string
    returnTo: string
  }

  /** The provider configuration; each key is checked by oidc-provider itself at construction. */
  export type Configuration = Record<string, unknown>

  /** The OpenID provider: a Koa application. */
  export class Provider {
    constructor(issuer: string, configuration?: Configuration)
    readonly issuer: string
    readonly Grant: GrantClass
    readonly Client: { prototype: OidcClient }
    callback(): (req: IncomingMessage, res: ServerResponse) => Promise<void>
    use(middleware: (ctx: KoaContextWithOIDC, next: KoaNext) => Promise<void>): this
    on(event: string, listener: (...args: unknown[]) => void): this
    pathFor(name: string): string
    urlFor(name: string): string
    interactionDetails(req: IncomingMessage, res: ServerResponse): Promise<InteractionDetails>
    interactionFinished(
      req: IncomingMessage,
      res: ServerResponse,
      result: Record<string, unknown>,
      options?: { mergeWithLastSubmission?: boolean },
    ): Promise<void>
  }

  export default Provider
}
