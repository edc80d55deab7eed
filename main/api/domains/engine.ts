// The engine domain: what the C++ addon is and what it can do on this machine.

export interface EngineInfo {
  version: string;
  simdCompiled: string;
  simdDetected: string;
  hardwareThreads: number;
  napiVersion: number;
}

export interface EngineMethods {
  'engine.info': { params: void; result: EngineInfo };
}
