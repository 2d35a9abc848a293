import { defineConfig } from 'vite'

export default defineConfig({
  // Relative asset paths, so dist works from any folder a server puts it in.
  base: './',
  build: { outDir: 'dist', target: 'es2022' },
})
