import { createApp } from 'vue'
import Vant from 'vant'
import 'vant/lib/index.css'
import './styles.css'
import { ApiError, showError } from './api'
import App from './App.vue'
import { i18n } from './i18n'
import './prefs'
import { router } from './router'
import { SCREENS } from './screens'
import { installVantAria } from './vant-aria'

const app = createApp(App).use(Vant).use(i18n).use(router)

// A failure no screen handled is still shown in words (API errors already on screen are not repeated).
app.config.errorHandler = (error) => {
  console.error(error)
  if (error instanceof ApiError && error.shown) return
  showError(i18n.global.t('errors.unexpected', { detail: error && error.message ? error.message : String(error) }))
}

app.mount('#app')
installVantAria()

// The router's screens and who may open them, read by the browser tests' accessibility sweep (tests/e2e/
// test_web_a11y.py) so that it covers every route the router holds; nothing here that the bundle does not hold.
window.smxRoutes = () =>
  router.getRoutes().map((route) => ({
    path: route.path,
    roles: route.meta.roles || null,
    public: !!route.meta.public,
    only: (route.meta.screen && SCREENS[route.meta.screen] && SCREENS[route.meta.screen].only) || {},
  }))

if ('serviceWorker' in navigator && import.meta.env.PROD) {
  window.addEventListener('load', () => navigator.serviceWorker.register('/sw.js').catch(() => {}))
}
