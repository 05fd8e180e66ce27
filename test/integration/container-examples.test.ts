// docs/examples/container: compose.yaml and kubernetes.yaml parse, and what they hand gatehouse (environment and
// arguments, secrets filled in as an operator would) passes `gatehouse --config-test`. The probes, ports and user
// they name agree with the Dockerfile.
import { strict as assert } from 'node:assert'
import { randomBytes } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import { parse, parseAllDocuments } from 'yaml'
import { readDockerfile } from '../helpers/dockerfile.js'
import { REPO_ROOT, runGatehouse } from '../helpers/process.js'

const DIR = join(REPO_ROOT, 'docs/examples/container')
const read = (file: string): string => readFileSync(join(DIR, file), 'utf8')
const secret = (): string => randomBytes(32).toString('base64url')

async function configTest(env: Record<string, string>, args: string[]): Promise<void> {
  const run = await runGatehouse({ args: [...args, '--config-test'], env })
  assert.equal(run.code, 0, run.logs)
  assert.match(run.logs, /configuration is valid/)
}

/** The Dockerfile's runtime USER, `uid:gid`. */
function imageUser(): string[] {
  const user = readDockerfile(REPO_ROOT).at(-1)?.instructions.find((i) => i.keyword === 'USER')
  return (user?.text ?? '').split(':')
}

type Json = Record<string, unknown>

describe('docs/examples/container', () => {
  it('compose.yaml: gatehouse, nginx and the app; its environment and command pass --config-test', async () => {
    const compose = parse(read('compose.yaml')) as { services: Record<string, Json> }
    assert.deepEqual(Object.keys(compose.services).sort(), ['app', 'gatehouse', 'nginx'])
    const gatehouse = compose.services['gatehouse'] as { environment: Record<string, string>; command: string[]; image: string }
    assert.match(gatehouse.image, /gatehouse/)
    // docker compose interpolation: ${NAME:?message} from .env, as the comment asks the operator to fill it.
    const dotEnv: Record<string, string> = { GATEHOUSE_CLIENT_SECRET: 'client-secret', GATEHOUSE_COOKIE_SECRET: secret() }
    const env = Object.fromEntries(Object.entries(gatehouse.environment).map(([k, v]) => [k, String(v).replace(/\$\{(\w+):\?[^}]*\}/g, (_, name: string) => dotEnv[name] ?? '')]))
    assert.equal(env['OAUTH2_PROXY_HTTP_ADDRESS'], '0.0.0.0:4180', 'reachable from nginx')
    await configTest(env, gatehouse.command)
    const nginx = compose.services['nginx'] as { volumes: string[]; depends_on: Record<string, { condition: string }> }
    assert.equal(nginx.depends_on['gatehouse']?.condition, 'service_healthy', "waits for the image's health check")
    assert.ok(nginx.volumes.some((v) => v.startsWith('./nginx.conf:')))
    assert.match(read('nginx.conf'), /auth_request \/oauth2\/auth;/)
  })

  it('kubernetes.yaml: a Deployment probed on /ping and /ready, its args and secret env pass --config-test', async () => {
    const docs = parseAllDocuments(read('kubernetes.yaml')).map((d) => d.toJS() as { kind: string; metadata: { name: string }; [k: string]: unknown })
    assert.deepEqual(docs.map((d) => d.kind), ['Secret', 'Deployment', 'Service', 'Ingress', 'Ingress'])
    const deployment = docs[1] as unknown as {
      spec: { template: { spec: { securityContext: { runAsNonRoot: boolean; runAsUser: number }; containers: Array<{ args: string[]; env: Array<{ name: string; valueFrom: { secretKeyRef: { name: string; key: string } } }>; ports: Array<{ containerPort: number }>; livenessProbe: { httpGet: { path: string } }; readinessProbe: { httpGet: { path: string } } }> } } }
    }
    const pod = deployment.spec.template.spec
    const container = pod.containers[0]
    assert.ok(container !== undefined)
    assert.equal(container.livenessProbe.httpGet.path, '/ping')
    assert.equal(container.readinessProbe.httpGet.path, '/ready')
    assert.equal(container.ports[0]?.containerPort, 4180)
    assert.equal(pod.securityContext.runAsNonRoot, true)
    assert.equal(String(pod.securityContext.runAsUser), imageUser()[0], "the image's user")
    // The operator fills the Secret in; the values shipped are placeholders.
    const filled: Record<string, string> = { 'client-secret': 'client-secret', 'cookie-secret': secret() }
    const env = Object.fromEntries(container.env.map((e) => [e.name, filled[e.valueFrom.secretKeyRef.key] ?? '']))
    await configTest(env, container.args)
    const app = docs[4] as unknown as { metadata: { annotations: Record<string, string> } }
    assert.match(app.metadata.annotations['nginx.ingress.kubernetes.io/auth-url'] ?? '', /^http:\/\/gatehouse\.auth\.svc\.cluster\.local:4180\/oauth2\/auth$/)
    assert.match(app.metadata.annotations['nginx.ingress.kubernetes.io/auth-signin'] ?? '', /\/oauth2\/start\?rd=/)
  })
})
