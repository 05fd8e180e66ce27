import { strict as assert } from 'node:assert'
import { describe, it } from 'node:test'
import { githubApiUrl, nextLink, orgTeamProblem, repoAllows, repoCheck, splitTeams, type GitHubRules } from './github-rules.js'

const rules = (r: Partial<GitHubRules>): GitHubRules => ({ org: '', teams: [], repo: '', hasToken: false, users: [], ...r })

describe('github rules', () => {
  it('derives the API base from the validate URL as oauth2-proxy (GitHub, GitHub Enterprise /api/v3, Gitea /api/v1)', () => {
    assert.equal(githubApiUrl('https://api.github.com/', '/user/orgs', { per_page: '100', page: '1' }), 'https://api.github.com/user/orgs?per_page=100&page=1')
    assert.equal(githubApiUrl('https://ghe.example.com/api/v3', '/user'), 'https://ghe.example.com/api/v3/user')
    assert.equal(githubApiUrl('https://ghe.example.com/api/v3/', '/user'), 'https://ghe.example.com/api/v3/user')
    assert.equal(githubApiUrl('https://git.example.com/api/v1/user', '/user/emails'), 'https://git.example.com/api/v1/user/emails')
    assert.equal(githubApiUrl('https://proxy.example.com/gh/', '/user'), 'https://proxy.example.com/gh/user')
  })

  it('finds rel="next" in a Link header, and nothing on the last page', () => {
    const link = '<https://api.github.com/user/teams?per_page=100&page=2>; rel="next", <https://api.github.com/user/teams?per_page=100&page=5>; rel="last"'
    assert.equal(nextLink(link, 'https://api.github.com/user/teams?per_page=100&page=1'), 'https://api.github.com/user/teams?per_page=100&page=2')
    assert.equal(nextLink('<https://api.github.com/user/teams?page=1>; rel="first", <https://api.github.com/user/teams?page=4>; rel="prev"', 'https://api.github.com/'), undefined)
    assert.equal(nextLink(null, 'https://api.github.com/'), undefined)
    assert.equal(nextLink('</api/v1/user/orgs?page=3&limit=50>; rel="next"', 'https://git.example.com/api/v1/user/orgs?page=2'), 'https://git.example.com/api/v1/user/orgs?page=3&limit=50')
  })

  it('org + team: case-insensitive, any listed team; says whether the org or the team is missing', () => {
    const groups = ['acme', 'acme:core', 'other:docs']
    assert.equal(orgTeamProblem(rules({ org: 'ACME', teams: splitTeams(' infra , Core') }), groups), undefined)
    assert.equal(orgTeamProblem(rules({ org: 'acme', teams: ['docs'] }), groups), 'user is missing required team')
    assert.equal(orgTeamProblem(rules({ org: 'nope', teams: ['core'] }), groups), 'user is missing required organization')
  })

  it('org only compares the org login exactly; team only needs org:team', () => {
    assert.equal(orgTeamProblem(rules({ org: 'acme' }), ['acme']), undefined)
    assert.equal(orgTeamProblem(rules({ org: 'Acme' }), ['acme']), 'user is missing required organization')
    assert.equal(orgTeamProblem(rules({ org: 'acme' }), ['acme:core']), 'user is missing required organization')
    assert.equal(orgTeamProblem(rules({ teams: ['other:DOCS'] }), ['other:docs']), undefined)
    assert.equal(orgTeamProblem(rules({ teams: ['acme:docs'] }), ['acme', 'other:docs']), 'user is missing required team')
    assert.equal(orgTeamProblem(rules({}), []), undefined)
  })

  it('repository check: none with an org, permissions without a token, collaborator with one', () => {
    assert.equal(repoCheck(rules({ repo: 'a/b', org: 'acme' })), 'none')
    assert.equal(repoCheck(rules({ repo: 'a/b' })), 'repository-permissions')
    assert.equal(repoCheck(rules({ repo: 'a/b', hasToken: true })), 'collaborator')
    assert.equal(repoCheck(rules({})), 'none')
    assert.equal(repoAllows({ private: false, permissions: { pull: true, push: false } }), false)
    assert.equal(repoAllows({ private: true, permissions: { pull: true, push: false } }), true)
    assert.equal(repoAllows({ private: false, permissions: { pull: true, push: true } }), true)
    assert.equal(repoAllows({}), false)
  })
})
