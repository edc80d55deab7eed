// Engine calls (export chunk jobs, live chunks) and file reads and writes all run on libuv's
// threadpool, 4 threads unless sized before its first use: on a bigger machine a plan of more jobs
// ran at most 4 at once, and a live view's reads waited behind them. Each entry point (the command
// line, the Electron shell, browser mode) imports this before anything that could use the pool.
import { availableParallelism } from 'node:os';

process.env.UV_THREADPOOL_SIZE ??= String(Math.max(4, availableParallelism() + 2));
