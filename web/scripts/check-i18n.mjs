// Build check: every literal message key used in src/ exists in both locales (zh-CN first, then en), the two
// locales have the same keys, and every message compiles in vue-i18n's syntax (a stray `@`, `|` or `{` would
// break the screen that shows it). Keys built at run time (`colors.${c}`) are checked by their prefix.
import { baseCompile } from '@intlify/message-compiler'
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import en from '../src/locales/en.js'
import zh from '../src/locales/zh.js'

const src = join(dirname(fileURLToPath(import.meta.url)), '..', 'src')

function files(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name)
    if (statSync(path).isDirectory()) return name === 'locales' || name === 'generated' ? [] : files(path)
    return /\.(vue|js)$/.test(name) ? [path] : []
  })
}

function flatten(tree, prefix = '') {
  return Object.entries(tree).flatMap(([key, value]) =>
    typeof value === 'object' ? flatten(value, `${prefix}${key}.`) : [`${prefix}${key}`],
  )
}

function messages(tree, prefix = '') {
  return Object.entries(tree).flatMap(([key, value]) =>
    typeof value === 'object' ? messages(value, `${prefix}${key}.`) : [[`${prefix}${key}`, value]],
  )
}

const zhKeys = new Set(flatten(zh))
const enKeys = new Set(flatten(en))
const problems = []
for (const key of zhKeys) if (!enKeys.has(key)) problems.push(`en lacks ${key}`)
for (const key of enKeys) if (!zhKeys.has(key)) problems.push(`zh-CN lacks ${key}`)

for (const [name, locale] of [['zh-CN', zh], ['en', en]]) {
  for (const [key, text] of messages(locale)) {
    baseCompile(String(text), { onError: (error) => problems.push(`${name} ${key}: ${error.message} in "${text}"`) })
  }
}

const literal = /\bt\(\s*'([a-zA-Z0-9_.]+)'/g
const dynamic = /\bt\(\s*`([a-zA-Z0-9_.]+)\.\$\{/g
for (const file of files(src)) {
  const text = readFileSync(file, 'utf8')
  for (const [, key] of text.matchAll(literal)) {
    if (!zhKeys.has(key)) problems.push(`${file.slice(src.length + 1)}: missing key ${key}`)
  }
  for (const [, prefix] of text.matchAll(dynamic)) {
    if (![...zhKeys].some((key) => key.startsWith(`${prefix}.`))) problems.push(`${file.slice(src.length + 1)}: missing group ${prefix}`)
  }
}
// Home-tile labels of the staff screens (web/src/screens.json).
const screens = JSON.parse(readFileSync(join(src, 'screens.json'), 'utf8')).screens
for (const [name, entry] of Object.entries(screens)) {
  if (entry.label && !zhKeys.has(entry.label)) problems.push(`screens.json ${name}: missing key ${entry.label}`)
}
// Server texts sent as codes (sanmenxia.texts, the gate's advice): each has its words in both locales.
const vocabulary = JSON.parse(readFileSync(join(src, 'vocabulary.json'), 'utf8'))
for (const code of vocabulary.texts) if (!zhKeys.has(`texts.${code}`)) problems.push(`vocabulary.json texts: missing key texts.${code}`)
for (const code of vocabulary.gate_advice) if (!zhKeys.has(`texts.advice.${code}`)) problems.push(`vocabulary.json gate_advice: missing key texts.advice.${code}`)
for (const code of vocabulary.field_errors) if (!zhKeys.has(`texts.fieldErrors.${code}`)) problems.push(`vocabulary.json field_errors: missing key texts.fieldErrors.${code}`)
if (problems.length) {
  console.error(problems.join('\n'))
  process.exit(1)
}
console.log(`i18n: ${zhKeys.size} keys in zh-CN and en, all compile, all used keys present`)
