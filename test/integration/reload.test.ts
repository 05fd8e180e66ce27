// Reload on SIGHUP through the real process: a valid cfg change (allowed domains, a header option, the upstream, an
// htpasswd file, a template) takes effect in the same process and the signed-in session stays valid; an invalid one
// (TOML syntax, bad values, a restart-only option) is refused with the start-up messages, all at once, and the
// configuration in force keeps serving. Each reload logs one config.reload line and counts in the metrics.
import { strict as assert } from 'node:assert'
import { createHash } from 'node:crypto'
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { request } from 'undici'
import type { EchoReply } from '../../src/dev/echo-app.js'
import { freePort } from '../helpers/process.js'
import { reloadLines, sighup, startCfgStack, type CfgStack } from '../helpers/reload.js'

const sha = (password: string): string => `{SHA}${createHash('sha1').update(password).digest('base64')}`
const basic = (user: string, password: string): string => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`

describe('configuration reload on SIGHUP', () => {
  let s: CfgStack
  let url: string
  let cookie: string
  let metricsUrl: string
  let files: { htpasswd1: string; htpasswd2: string; templates: string }

  before(async () => {
    const metricsPort = await freePort()
    metricsUrl = `http://127.0.0.1:${metricsPort}/metrics`
    s = await startCfgStack({ cfg: { metrics_address: `127.0.0.1:${metricsPort}` } })
    files = { htpasswd1: join(s.dir, 'one.htpasswd'), htpasswd2: join(s.dir, 'two.htpasswd'), templates: join(s.dir, 'templates') }
    writeFileSync(files.htpasswd1, `dave:${sha('dave-pw')}\n`)
    writeFileSync(files.htpasswd2, `dave:${sha('dave-pw')}\nerin:${sha('erin-pw')}\n`)
    mkdirSync(files.templates)
    writeFileSync(join(files.templates, 'robots.txt'), 'User-agent: *\nDisallow: /first\n')
    url = s.stack.proxy.url
    const { client, result } = await s.stack.signIn('alice')
    assert.equal(result.status, 302)
    cookie = client.jar.header(url) ?? ''
    assert.notEqual(cookie, '')
  })
  after(() => s.close())

  /** A request with alice's session cookie (sent as is: a refusal that clears it cannot drop it from a jar). */
  async function asAlice(path = '/app', headers: Record<string, string> = {}): Promise<{ status: number; echo?: EchoReply }> {
    const res = await request(`${url}${path}`, { headers: { cookie, accept: 'application/json', ...headers } })
    const text = await res.body.text()
    return { status: res.statusCode, ...(res.statusCode === 200 ? { echo: JSON.parse(text) as EchoReply } : {}) }
  }

  async function reloadOk(): Promise<void> {
    const [line] = await sighup(s.stack.proxy)
    assert.equal(line?.outcome, 'ok', JSON.stringify(line))
    assert.equal(line?.trigger, 'SIGHUP')
  }

  it('applies a new --email-domain without a restart, and the session is valid again once it is allowed back', async () => {
    const pid = s.stack.proxy.proc.pid
    assert.equal((await asAlice()).status, 200)
    s.write({ email_domains: ['example.org'] })
    await reloadOk()
    assert.equal((await asAlice()).status, 403, 'alice@example.com is outside the new domain')
    s.write()
    await reloadOk()
    const back = await asAlice()
    assert.equal(back.status, 200, 'the same session cookie still opens')
    assert.equal(back.echo?.headers['x-forwarded-email'], 'alice@example.com')
    assert.equal(s.stack.proxy.proc.pid, pid)
    assert.equal(s.stack.proxy.proc.exitCode, null)
  })

  it('applies a header option and a new upstream', async () => {
    s.write({ pass_user_headers: false, pass_basic_auth: false })
    await reloadOk()
    const quiet = await asAlice()
    assert.equal(quiet.status, 200)
    assert.equal(quiet.echo?.headers['x-forwarded-email'], undefined)

    s.write({ upstreams: ['static://202'] })
    await reloadOk()
    assert.equal((await asAlice()).status, 202, 'the static upstream answers now')
    s.write()
    await reloadOk()
    assert.equal((await asAlice()).echo?.headers['x-forwarded-email'], 'alice@example.com')
  })

  it('reads the htpasswd file and the templates the new configuration names', async () => {
    s.write({ htpasswd_file: files.htpasswd1, custom_templates_dir: files.templates })
    await reloadOk()
    assert.equal((await asAlice('/app', { authorization: basic('dave', 'dave-pw') })).echo?.headers['x-forwarded-user'], 'dave')
    assert.equal((await request(`${url}/app`, { headers: { authorization: basic('erin', 'erin-pw'), accept: 'application/json' } })).statusCode, 401)
    assert.equal(await (await request(`${url}/robots.txt`)).body.text(), 'User-agent: *\nDisallow: /first\n')

    writeFileSync(join(files.templates, 'robots.txt'), 'User-agent: *\nDisallow: /second\n')
    assert.equal(await (await request(`${url}/robots.txt`)).body.text(), 'User-agent: *\nDisallow: /first\n', 'templates are read by a reload, not on every request')
    s.write({ htpasswd_file: files.htpasswd2, custom_templates_dir: files.templates })
    await reloadOk()
    const erin = await request(`${url}/app`, { headers: { authorization: basic('erin', 'erin-pw'), accept: 'application/json' } })
    assert.equal(erin.statusCode, 200)
    assert.equal((JSON.parse(await erin.body.text()) as EchoReply).headers['x-forwarded-user'], 'erin')
    assert.equal(await (await request(`${url}/robots.txt`)).body.text(), 'User-agent: *\nDisallow: /second\n')
    s.write()
    await reloadOk()
  })

  it('refuses a cfg file that is not TOML, and keeps serving the configuration in force', async () => {
    writeFileSync(s.cfgPath, 'email_domains = [\n')
    const [line] = await sighup(s.stack.proxy)
    assert.equal(line?.outcome, 'refused')
    assert.match(line?.problems?.join('\n') ?? '', /--config="[^"]+gatehouse\.cfg": not valid TOML at line/)
    assert.equal((await asAlice()).status, 200)
    assert.equal(s.stack.proxy.proc.exitCode, null)
    s.write()
    await reloadOk()
  })

  it('refuses bad values with every problem at once, in the start-up wording', async () => {
    s.write({ cookie_expire: 'soon', upstreams: ['ftp://nowhere/'], email_domain_typo: 'x' })
    const [line] = await sighup(s.stack.proxy)
    assert.equal(line?.outcome, 'refused')
    const problems = line?.problems?.join('\n') ?? ''
    assert.match(problems, /cfg key "cookie_expire" in [^:]+: /)
    assert.match(problems, /unknown key "email_domain_typo"/)
    assert.match(problems, /ftp:\/\/nowhere\/.*unsupported scheme "ftp"/)
    assert.match(line?.msg ?? '', /invalid configuration:\n/, 'the log carries the same text a failed start prints')
    assert.equal((await asAlice()).status, 200, 'the old configuration keeps serving')

    // A problem only the compile finds (a bad htpasswd line) is refused the same way, with the line number.
    writeFileSync(join(s.dir, 'bad.htpasswd'), `dave:${sha('dave-pw')}\nno-colon-here\n`)
    s.write({ htpasswd_file: join(s.dir, 'bad.htpasswd') })
    const [compiled] = await sighup(s.stack.proxy)
    assert.equal(compiled?.outcome, 'refused')
    assert.match(compiled?.problems?.join('\n') ?? '', /--htpasswd-file="[^"]+bad\.htpasswd": .*line 2/)
    assert.equal((await asAlice()).status, 200)
  })

  it('refuses a change to an option only a restart can change, naming it', async () => {
    s.write({ metrics_address: '127.0.0.1:1', cookie_secret: 'b'.repeat(32) })
    const [line] = await sighup(s.stack.proxy)
    assert.equal(line?.outcome, 'refused')
    const problems = line?.problems ?? []
    assert.ok(problems.some((p) => p.includes('--metrics-address="127.0.0.1:1": a reload cannot change it: restart gatehouse to change --metrics-address')), problems.join('\n'))
    assert.ok(problems.some((p) => p.startsWith('--cookie-secret: ') && p.includes('restart gatehouse to change --cookie-secret')), problems.join('\n'))
    assert.doesNotMatch(s.stack.proxy.logs(), /bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb/, 'a secret is never logged')
    assert.equal((await asAlice()).status, 200)
    s.write()
    await reloadOk()
  })

  it('counts every reload by outcome in gatehouse_config_reloads_total', async () => {
    const text = await (await request(metricsUrl)).body.text()
    const count = (outcome: string): number => Number(new RegExp(`^gatehouse_config_reloads_total\\{outcome="${outcome}"\\} (\\d+)`, 'm').exec(text)?.[1] ?? -1)
    const lines = reloadLines(s.stack.proxy)
    assert.equal(count('ok'), lines.filter((l) => l.outcome === 'ok').length)
    assert.equal(count('refused'), lines.filter((l) => l.outcome === 'refused').length)
    assert.equal(count('failed'), 0)
    assert.ok(count('refused') >= 4)
  })
})
