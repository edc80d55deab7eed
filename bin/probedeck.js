#!/usr/bin/env node
// The `probedeck` command. In a checkout Node runs the TypeScript sources directly (Node ≥ 22.18
// strips types); an installed package uses the bundle in out/.
import { existsSync } from 'node:fs';

const bundled = new URL('../out/main/cli.js', import.meta.url);
await import(existsSync(new URL('../main/cli/main.ts', import.meta.url)) ? '../main/cli/main.ts' : bundled.href);
