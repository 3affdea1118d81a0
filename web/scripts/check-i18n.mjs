// Fails when a string key is missing in one language, or when the code asks for a key that
// does not exist. Run before every build (npm run build).
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { messages } from '../src/shared/i18n/index.js'

const zh = messages['zh-CN']
const problems = []
for (const [lang, table] of Object.entries(messages)) {
  for (const key of Object.keys(zh)) if (!(key in table)) problems.push(`${lang}: missing ${key}`)
  for (const key of Object.keys(table)) if (!(key in zh)) problems.push(`${lang}: unknown ${key}`)
}

function walk(dir, out = []) {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name)
    if (statSync(p).isDirectory()) walk(p, out)
    else if (/\.(vue|js)$/.test(name) && !p.includes('/i18n/')) out.push(p)
  }
  return out
}

const literal = /\bt\(\s*'([^'$]+)'/g
for (const file of walk(new URL('../src', import.meta.url).pathname)) {
  const text = readFileSync(file, 'utf8')
  for (const m of text.matchAll(literal)) if (!(m[1] in zh)) problems.push(`${file}: unknown key ${m[1]}`)
}

if (problems.length) {
  console.error(problems.join('\n'))
  process.exit(1)
}
console.log(`i18n: ${Object.keys(zh).length} keys in ${Object.keys(messages).length} languages`)
