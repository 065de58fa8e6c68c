import vue from '@vitejs/plugin-vue'
import { defineConfig } from 'vite'

// The API and the local control API are served on the same origin by `make run`; `npm run dev` proxies them
// to it (VITE_API_ORIGIN, default http://127.0.0.1:3000).
const apiOrigin = process.env.VITE_API_ORIGIN || 'http://127.0.0.1:3000'

export default defineConfig({
  plugins: [vue()],
  base: '/',
  build: {
    outDir: 'dist',
    chunkSizeWarningLimit: 1200,
    rollupOptions: {
      output: {
        manualChunks(id) {
          if (id.includes('node_modules/echarts') || id.includes('node_modules/zrender')) return 'echarts'
          if (id.includes('node_modules/html5-qrcode')) return 'scanner'
          return undefined
        },
      },
    },
  },
  server: {
    proxy: Object.fromEntries(
      ['/_local', '/regions', '/me', '/residents', '/notifications', '/health-codes', '/.well-known'].map((path) => [
        path,
        { target: apiOrigin, changeOrigin: true },
      ]),
    ),
  },
})
