import { strict as assert } from 'node:assert'
import { describe, it } from 'node:test'
import { camelFromCfg, OPTION_GROUPS } from './option-meta.js'
import { isDefaultValue, optionByCfg, optionByFlag, optionRegistry, OPTIONS } from './schema.js'
import { configObject, configShape } from './shape.js'
import { SUPPORTED_OPTIONS } from './supported.js'

describe('config schema metadata', () => {
  it('derives the Config field and env var from the cfg key', () => {
    for (const o of OPTIONS) {
      assert.equal(o.key, camelFromCfg(o.cfg), o.cfg)
      assert.equal(o.env, `OAUTH2_PROXY_${o.cfg.toUpperCase()}`)
      assert.match(o.cfg, /^[a-z][a-z0-9_]*$/)
      assert.match(o.flag, /^[a-z][a-z0-9-]*$/)
      assert.ok(o.description.length > 10 && !o.description.includes('\n'), o.flag)
    }
  })

  it('has unique flags, cfg keys and env vars', () => {
    for (const field of ['flag', 'cfg', 'env', 'key'] as const) {
      assert.equal(new Set(OPTIONS.map((o) => o[field])).size, OPTIONS.length, field)
    }
  })

  it('attaches the complete metadata to each zod schema', () => {
    for (const [key, schema] of Object.entries(configShape)) {
      assert.equal(optionRegistry.get(schema)?.key, key)
    }
  })

  it("maps oauth2-proxy's singular list flags to plural cfg keys", () => {
    const pairs: Record<string, string> = {
      upstream: 'upstreams',
      'email-domain': 'email_domains',
      'cookie-domain': 'cookie_domains',
      'whitelist-domain': 'whitelist_domains',
      'skip-auth-route': 'skip_auth_routes',
      'api-route': 'api_routes',
      'trusted-ip': 'trusted_ips',
      'trusted-proxy-ip': 'trusted_proxy_ips',
      'allowed-group': 'allowed_groups',
      'allowed-role': 'allowed_roles',
      'oidc-audience-claim': 'oidc_audience_claims',
      'oidc-extra-audience': 'oidc_extra_audiences',
      'oidc-public-key-file': 'oidc_public_key_files',
      'oidc-enabled-signing-alg': 'oidc_enabled_signing_algs',
      'provider-ca-file': 'provider_ca_files',
      'tls-cipher-suite': 'tls_cipher_suites',
      'exclude-logging-path': 'exclude_logging_paths',
      'htpasswd-user-group': 'htpasswd_user_groups',
      'keycloak-group': 'keycloak_groups',
      'gitlab-group': 'gitlab_groups',
      'gitlab-project': 'gitlab_projects',
      'github-user': 'github_users',
      'entra-id-allowed-tenant': 'entra_id_allowed_tenants',
      'google-group': 'google_groups',
      'jwt-key': 'jwt_key',
    }
    for (const [flag, cfg] of Object.entries(pairs)) assert.equal(optionByFlag.get(flag)?.cfg, cfg, flag)
  })

  it('lists only real cfg keys as supported, and marks the rest unsupported', () => {
    for (const cfg of SUPPORTED_OPTIONS) assert.ok(optionByCfg.has(cfg), cfg)
    // Every oauth2-proxy option is implemented.
    assert.deepEqual([...optionByCfg.values()].filter((m) => !m.supported).map((m) => m.cfg), [])
    for (const cfg of ['custom_templates_dir', 'bearer_token_login_fallback', 'skip_jwt_bearer_tokens', 'extra_jwt_issuers', 'htpasswd_file', 'provider', 'allowed_roles', 'github_org', 'gitlab_groups', 'entra_id_allowed_tenants', 'cookie_csrf_samesite', 'skip_auth_regex', 'gcp_healthchecks', 'request_id_header', 'metrics_address', 'metrics_secure_address', 'tls_cipher_suites', 'oidc_public_key_files', 'allow_query_semicolons', 'google_use_application_default_credentials', 'google_target_principal', 'entra_id_federated_token_auth', 'signature_key']) {
      assert.equal(optionByCfg.get(cfg)?.supported, true, cfg)
    }
  })

  it('puts options in every group', () => {
    for (const group of OPTION_GROUPS) assert.ok(OPTIONS.some((o) => o.group === group), group)
  })

  it('gives zod defaults equal to the documented ones', () => {
    const defaults = configObject.parse({}) as Record<string, unknown>
    for (const o of OPTIONS) assert.ok(isDefaultValue(o, defaults[o.key]), `${o.cfg}: ${JSON.stringify(defaults[o.key])}`)
    assert.equal(defaults.cookieExpire, 168 * 3_600_000)
    assert.equal(defaults.provider, 'google')
  })
})
