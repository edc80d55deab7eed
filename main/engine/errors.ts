// Engine failures reach callers as ProbeDeckErrors with the code C++ gave and the JS stack of the
// call site (captured before the native call, as sharp does), not a stack inside the addon.
import { ProbeDeckError } from '../util/is.ts';

export async function withCallerStack<T>(run: () => Promise<T>, site: Error = new Error()): Promise<T> {
  try {
    return await run();
  } catch (err) {
    const e = err as Error & { code?: string };
    const wrapped = new ProbeDeckError(e.code ?? 'ENGINE_ERROR', e.message);
    wrapped.stack = `${wrapped.name}: ${wrapped.message}\n${site.stack?.split('\n').slice(1).join('\n') ?? ''}`;
    throw wrapped;
  }
}
