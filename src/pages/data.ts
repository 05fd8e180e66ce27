import type { Shape } from './template/check.js'
import type { SafeHtml } from './template/values.js'

/** What a sign-in template sees: the fields and types of oauth2-proxy's sign-in page data. */
export type SignInData = {
  ProviderName: string
  SignInMessage: SafeHtml
  StatusCode: number
  CustomLogin: boolean
  Redirect: string
  Version: string
  ProxyPrefix: string
  Footer: SafeHtml
  LogoData: SafeHtml
  /** gatehouse only: the htpasswd form's CSRF token (empty without the form); inserted into POST forms by itself. */
  CSRFToken: string
}

/** What an error template sees: the fields and types of oauth2-proxy's error page data. */
export type ErrorData = {
  Title: string
  Message: string
  ProxyPrefix: string
  StatusCode: number
  Redirect: string
  RequestID: string
  Footer: SafeHtml
  Version: string
}

/** Users' templates from `--custom-templates-dir`; a page without one uses gatehouse's built-in page. */
export interface PageTemplates {
  signIn?: (data: SignInData) => string
  error?: (data: ErrorData) => string
  /** `robots.txt`, served as is. */
  robots?: string
}

const str: Shape = { kind: 'string' }
const html: Shape = { kind: 'html' }
const int: Shape = { kind: 'int' }

/** The sign-in data's shape, for the start-up check of field names. */
export const SIGN_IN_SHAPE: Shape = {
  kind: 'struct',
  name: 'the sign-in page data',
  fields: { ProviderName: str, SignInMessage: html, StatusCode: int, CustomLogin: { kind: 'bool' }, Redirect: str, Version: str, ProxyPrefix: str, Footer: html, LogoData: html, CSRFToken: str },
}

/** The error data's shape, for the start-up check of field names. */
export const ERROR_SHAPE: Shape = {
  kind: 'struct',
  name: 'the error page data',
  fields: { Title: str, Message: str, ProxyPrefix: str, StatusCode: int, Redirect: str, RequestID: str, Footer: html, Version: str },
}
