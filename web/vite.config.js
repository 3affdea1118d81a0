import { fileURLToPath, URL } from 'node:url'
import { resolve } from 'node:path'
import { defineConfig } from 'vite'
import vue from '@vitejs/plugin-vue'

const root = fileURLToPath(new URL('.', import.meta.url))

// Three pages, one build: the desk console (/), the inspectors' mobile app (/m/) and public
// reporting (/public/). `static/` is copied as is (the PWA manifest and service worker).
export default defineConfig({
  root,
  base: '/',
  publicDir: 'static',
  plugins: [vue()],
  resolve: { alias: { '@': resolve(root, 'src') } },
  build: {
    outDir: resolve(root, '../src/cityops/web/dist'),
    emptyOutDir: true,
    chunkSizeWarningLimit: 2500,
    rollupOptions: {
      input: {
        desk: resolve(root, 'index.html'),
        mobile: resolve(root, 'm/index.html'),
        public: resolve(root, 'public/index.html'),
      },
    },
  },
  server: {
    // `CITYOPS_API=http://127.0.0.1:8001 npx vite` points the dev server at another API
    proxy: { '/api': process.env.CITYOPS_API || 'http://127.0.0.1:8000' },
  },
})
