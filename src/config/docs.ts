import { CLI_OPTIONS } from './cli-options.js'
import { describeChoices } from './define.js'
import { LEGACY_KEYS } from './legacy.js'
import { OPTION_GROUPS, envFromCfg } from './option-meta.js'
import { formatDefault, GROUP_TITLES } from './presentation.js'
import { OPTIONS } from './schema.js'

/** Escapes text for a Markdown table cell. */
function cell(text: string): string {
  return text.replace(/\|/g, '\\|')
}

function code(text: string): string {
  return cell(text.includes('`') ? `\`\` ${text} \`\`` : `\`${text}\``)
}

const INTRO = `# Configuration reference

Generated from \`src/config/schema.ts\` by \`npm run docs:config\`; do not edit by hand.

gatehouse reads oauth2-proxy's legacy configuration unchanged: the same command-line flags, the same
\`OAUTH2_PROXY_*\` environment variables and the same TOML cfg file keys.

## How options are read

- **Alpha configuration.** \`--alpha-config FILE\` reads upstreams, injected headers, listeners and providers from
  oauth2-proxy's structured YAML instead of the options that file replaces (which are then refused by name);
  \`--convert-config-to-alpha\` prints the current options in that form. See docs/alpha-config.md.
- **Precedence.** A flag beats an environment variable, which beats the cfg file given with \`--config\`, which
  beats the default.
- **Names.** The cfg key is the flag name with \`_\` for \`-\`, in the plural for lists (\`--upstream\` →
  \`upstreams\`). The environment variable is \`OAUTH2_PROXY_\` followed by the upper-cased cfg key
  (\`OAUTH2_PROXY_UPSTREAMS\`), never the flag name. Empty variables count as unset. Unknown \`OAUTH2_PROXY_*\`
  variables are ignored with a warning; unknown flags and unknown cfg keys stop the start.
- **Booleans.** \`--flag\` alone means true; otherwise write \`--flag=false\` (a separate \`false\` argument is not
  read as the value: oauth2-proxy sets the flag to true and ignores the word, gatehouse refuses to start and names
  the fix). Accepted words: \`true\`, \`false\`, \`1\`, \`0\`, \`t\`, \`f\`, \`TRUE\`, \`FALSE\`, \`True\`,
  \`False\`. The cfg file also accepts quoted booleans (\`cookie_secure = "false"\`).
- **Arguments that are not flags.** Words that are neither a flag nor a flag's value (\`--scope=openid profile
  email\` unquoted in a shell gives \`profile\` and \`email\`), and everything after \`--\`, are ignored as
  oauth2-proxy's flag parser does, with one \`config.warning\` naming each word. After a list option the warning says
  that the option got only its first word and shows the quoted form. A word after a secret option is not shown.
- **Lists.** Repeat the flag or separate items with commas (\`--email-domain=a.com,b.com --email-domain c.com\`);
  a flag item may be double-quoted to hold a comma. Environment lists are split on every comma. In the cfg
  file write a TOML array; a single string is split on commas.
- **Durations.** Go syntax: \`300ms\`, \`30s\`, \`15m\`, \`1h30m\`, \`1.5h\`, \`168h\`, or \`0\`. A number without a
  unit is refused (oauth2-proxy would read a TOML number as nanoseconds).
- **Secret files.** \`cookie_secret_file\` and \`client_secret_file\` are read once at start, byte for byte: a
  trailing newline is part of the secret, as in oauth2-proxy. They are used only when the secret itself is empty.
- **Cookie secret.** It must give a 16, 24 or 32-byte key, raw or base64url. Create one with
  \`openssl rand -base64 32 | tr -- '+/' '-_'\`.
- **Public clients.** Unlike oauth2-proxy, a client secret is optional when \`--code-challenge-method\` is set.
- **Every option works.** Every oauth2-proxy option, every \`--provider\` type and both \`--session-store-type\`
  values (\`cookie\`, \`redis\`) are implemented; an unknown option stops the start with its name, so nothing is
  silently ignored.
- **Deprecated names.** \`skip_auth_regex\` is added to \`skip_auth_routes\`; \`force_code_challenge_method\` fills an
  empty \`code_challenge_method\`; the cfg key ${[...LEGACY_KEYS].map(([old, now]) => `\`${old}\` (\`${envFromCfg(old)}\`) is added to \`${now}\``).join(', ')}.
  Each gives a warning at start.
- **Validation.** Every problem is reported at once, naming the flag, variable or cfg key as you wrote it.

## Deliberate differences in what the options allow

- **Sessions need an identity.** A session with neither a user nor an email is refused, and with an
  \`--email-domain\` or \`--authenticated-emails-file\` rule other than \`*\` a session without an email is refused
  too (oauth2-proxy skips the email rule for an empty email). Bearer JWTs must carry \`sub\`. htpasswd users are
  judged by the file, as in oauth2-proxy. See docs/security.md, "Sessions without an identity".
- **The htpasswd form has a CSRF token.** With \`--htpasswd-file\`, a post to \`/sign_in\` without the \`csrf_token\`
  its page was given is refused with 403 (oauth2-proxy has none: login CSRF). See docs/security.md, "Login CSRF".
`

/** The Markdown reference of every option, generated from the schema so it cannot drift from the code. */
export function renderConfigDocs(): string {
  const out: string[] = [INTRO, '## Command line only', '', '| Flag | Type | Description | Supported |', '|---|---|---|---|']
  for (const o of CLI_OPTIONS) out.push(`| ${code(`--${o.flag}`)} | ${o.kind} | ${cell(o.description)} | ${o.supported ? 'yes' : 'not yet'} |`)
  for (const group of OPTION_GROUPS) {
    out.push('', `## ${GROUP_TITLES[group]}`, '', '| Flag | cfg key | Environment variable | Type | Default | Description | Supported |', '|---|---|---|---|---|---|---|')
    for (const o of OPTIONS.filter((m) => m.group === group)) {
      const choices = o.choices === undefined ? '' : ` One of: ${describeChoices(o.choices)}.`
      const cells = [code(`--${o.flag}`), code(o.cfg), code(o.env), o.kind, code(formatDefault(o)), cell(o.description + choices), o.supported ? 'yes' : 'not yet']
      out.push(`| ${cells.join(' | ')} |`)
    }
  }
  return `${out.join('\n')}\n`
}
