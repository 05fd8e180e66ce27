import { loadAlphaFile } from './config/alpha/load-alpha.js'
import { readYamlFile, routesFromRaw } from './config/routes.js'
import { parseCases, runCase } from './policy/cases.js'
import { compileRouteTable } from './policy/route-table.js'

const USAGE = 'usage: gatehouse policy test CONFIG.yaml CASES.yaml'

/**
 * `gatehouse policy test CONFIG CASES`: loads the routes of CONFIG (an --alpha-config file) with the server's
 * loader, runs each sample request of CASES through the same compiled route table, and prints one line per case
 * and a summary. Resolves with the exit code: 0 when every case holds, 1 when one fails, 2 on bad input.
 */
export function runPolicyCommand(args: readonly string[], out: (line: string) => void, err: (line: string) => void): number {
  const [verb, configPath, casesPath, ...extra] = args
  if (verb !== 'test' || configPath === undefined || casesPath === undefined || extra.length > 0) {
    err(USAGE)
    return 2
  }
  // Upstream and provider ids are not checked: the options that define them are not all read here.
  const alpha = loadAlphaFile(configPath, process.env)
  const routes = alpha.issues.length > 0 ? { spec: undefined, issues: [...alpha.issues], warnings: [] } : routesFromRaw(alpha.extensions.routes, {}, configPath)
  const cases = readYamlFile(casesPath, 'cases file', 'CASES')
  const parsedCases = cases.issues.length > 0 ? { cases: [], issues: [] } : parseCases(cases.value)
  const problems = [
    ...routes.issues.map((i) => `${i.option}${i.value === undefined ? '' : `=${JSON.stringify(i.value)}`}: ${i.message}`),
    ...cases.issues.map((i) => `${i.option}${i.value === undefined ? '' : `=${JSON.stringify(i.value)}`}: ${i.message}`),
    ...parsedCases.issues.map((i) => `${casesPath}: ${i.path}: ${i.message}`),
  ]
  if (routes.spec === undefined && routes.issues.length === 0) problems.push(`${configPath}: the file has no routes`)
  if (problems.length > 0 || routes.spec === undefined) {
    for (const p of problems) err(p)
    return 2
  }
  for (const w of routes.warnings) err(`warning: ${w}`)
  const table = compileRouteTable(routes.spec)
  const results = parsedCases.cases.map((c) => runCase(table, c))
  for (const r of results) out(r.line)
  const failed = results.filter((r) => !r.pass).length
  out(`${results.length - failed} passed, ${failed} failed`)
  return failed === 0 ? 0 : 1
}
