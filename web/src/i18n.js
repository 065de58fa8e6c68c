import { createI18n } from 'vue-i18n'
import { Locale } from 'vant'
import vantEn from 'vant/es/locale/lang/en-US'
import vantZh from 'vant/es/locale/lang/zh-CN'
import en from './locales/en'
import zh from './locales/zh'

const STORAGE_KEY = 'sanmenxia.locale'
export const LOCALES = ['zh-CN', 'en']

function initialLocale() {
  const saved = localStorage.getItem(STORAGE_KEY)
  return LOCALES.includes(saved) ? saved : 'zh-CN' // Chinese first, whatever the browser says
}

export const i18n = createI18n({
  legacy: false,
  locale: initialLocale(),
  fallbackLocale: 'zh-CN',
  messages: { 'zh-CN': zh, en },
  missingWarn: false,
  fallbackWarn: false,
})

function applyVant(locale) {
  Locale.use(locale, locale === 'en' ? vantEn : vantZh)
  document.documentElement.lang = locale
}

applyVant(i18n.global.locale.value)

export function setLocale(locale) {
  i18n.global.locale.value = locale
  localStorage.setItem(STORAGE_KEY, locale)
  applyVant(locale)
}
