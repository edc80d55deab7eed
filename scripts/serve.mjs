// `npm run serve`: builds what is out of date, then serves in this same process.
await import('../main/util/threadpool.ts'); // before the build's file work first uses the pool
await import('./ensure-built.mjs');
await import('../main/browser/serve.ts');
