// Service worker of the 线上三门峡 app: the app shell works offline; API calls always go to the network.
const CACHE = 'sanmenxia-shell-v1'
const SHELL = ['/', '/index.html', '/icon.svg', '/manifest.webmanifest']

self.addEventListener('install', (event) => {
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(SHELL)).then(() => self.skipWaiting()))
})

self.addEventListener('activate', (event) => {
  event.waitUntil(
    caches.keys().then((keys) => Promise.all(keys.filter((key) => key !== CACHE).map((key) => caches.delete(key)))),
  )
  self.clients.claim()
})

self.addEventListener('fetch', (event) => {
  const url = new URL(event.request.url)
  // Only the static shell and hashed assets are cached; API data, tokens and config are never cached.
  const cacheable = event.request.method === 'GET' && url.origin === self.location.origin &&
    (url.pathname.startsWith('/assets/') || SHELL.includes(url.pathname))
  if (!cacheable) return
  event.respondWith(
    fetch(event.request)
      .then((response) => {
        const copy = response.clone()
        caches.open(CACHE).then((cache) => cache.put(event.request, copy))
        return response
      })
      .catch(() => caches.match(event.request).then((hit) => hit || caches.match('/index.html'))),
  )
})
