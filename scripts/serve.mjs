// `npm run serve`: builds what is out of date, then serves in this same process.
await import('./ensure-built.mjs');
await import('../main/browser/serve.ts');
