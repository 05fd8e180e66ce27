import { readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { ERROR_SHAPE, SIGN_IN_SHAPE, type ErrorData, type PageTemplates, type SignInData } from './data.js'
import { TemplateError } from './template/errors.js'
import { createTemplateSet } from './template/template-set.js'
import { safeHtml } from './template/values.js'

/** oauth2-proxy's file names in `--custom-templates-dir`; each one is optional. */
const SIGN_IN = 'sign_in.html'
const ERROR = 'error.html'
const ROBOTS = 'robots.txt'

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile()
  } catch {
    return false
  }
}

/** Sample data that walks the branches a page takes at run time, so a template that would fail does so at start. */
function signInSamples(): SignInData[] {
  return [true, false].flatMap((login) =>
    ['', '-', 'Footer'].map((footer) => ({
      ProviderName: 'OpenID Connect', SignInMessage: safeHtml(login ? 'Authenticate using example.com' : ''), StatusCode: login ? 200 : 403,
      CustomLogin: login, Redirect: login ? '/' : '', Version: '0.0.0', ProxyPrefix: '/oauth2', Footer: safeHtml(footer), LogoData: safeHtml(login ? '<svg></svg>' : ''), CSRFToken: login ? 'sample-token' : '',
    })),
  )
}

function errorSamples(): ErrorData[] {
  return [403, 500].flatMap((status) =>
    ['', '-', 'Footer'].map((footer) => ({
      Title: status === 403 ? 'Forbidden' : 'Internal Server Error', Message: status === 403 ? 'You do not have permission to access this resource.' : '',
      ProxyPrefix: '/oauth2', StatusCode: status, Redirect: status === 403 ? '/' : '', RequestID: status === 403 ? 'id' : '', Footer: safeHtml(footer), Version: '0.0.0',
    })),
  )
}

/**
 * Reads `sign_in.html`, `error.html` and `robots.txt` from `dir` (Go html/template syntax, oauth2-proxy's data fields) and checks
 * them by parsing, checking every field name and rendering sample data. Throws a TemplateError (file, line, reason)
 * on the first problem, or an Error when the directory cannot be read.
 */
export function readPageTemplates(dir: string): PageTemplates {
  try {
    if (!statSync(dir).isDirectory()) throw new Error('it is not a directory')
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    throw new Error(`cannot read the templates directory: ${code === 'ENOENT' ? 'no such directory' : (err as Error).message}`)
  }
  const files = [SIGN_IN, ERROR].filter((name) => isFile(join(dir, name))).map((name) => ({ file: name, text: readFileSync(join(dir, name), 'utf8') }))
  const set = createTemplateSet(files)
  const templates: PageTemplates = {}
  if (files.some((f) => f.file === SIGN_IN)) {
    set.check(SIGN_IN, SIGN_IN_SHAPE)
    for (const sample of signInSamples()) set.render(SIGN_IN, sample)
    templates.signIn = (data) => set.render(SIGN_IN, data)
  }
  if (files.some((f) => f.file === ERROR)) {
    set.check(ERROR, ERROR_SHAPE)
    for (const sample of errorSamples()) set.render(ERROR, sample)
    templates.error = (data) => set.render(ERROR, data)
  }
  if (isFile(join(dir, ROBOTS))) templates.robots = readFileSync(join(dir, ROBOTS), 'utf8')
  return templates
}

/** The start-up check of `--custom-templates-dir`: what is wrong (`sign_in.html:12: reason`), or undefined. */
export function templatesProblem(dir: string): string | undefined {
  try {
    readPageTemplates(dir)
    return undefined
  } catch (err) {
    if (err instanceof TemplateError) return `template ${err.file} line ${err.line}: ${err.reason}`
    return (err as Error).message
  }
}
