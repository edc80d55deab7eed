// The engine domain: what the C++ addon is and what it can do on this machine.

export interface EngineInfo {
  version: string;
  simdCompiled: string;
  simdDetected: string;
  /** The kernels' builds in use: avx512vl, avx2 or baseline. */
  simdUsed: 'avx512vl' | 'avx2' | 'baseline';
  hardwareThreads: number;
  napiVersion: number;
}

export interface EngineMethods {
  'engine.info': { params: void; result: EngineInfo };
}
