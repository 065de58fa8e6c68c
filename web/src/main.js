import { createApp } from 'vue'
import Vant from 'vant'
import 'vant/lib/index.css'
import './styles.css'
import App from './App.vue'
import { i18n } from './i18n'
import './prefs'
import { router } from './router'

createApp(App).use(Vant).use(i18n).use(router).mount('#app')

if ('serviceWorker' in navigator && import.meta.env.PROD) {
  window.addEventListener('load', () => navigator.serviceWorker.register('/sw.js').catch(() => {}))
}
