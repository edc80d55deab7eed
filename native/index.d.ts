// The addon's exports, declared once. main/engine/ is the only importer.

export interface NativeEngineInfo {
  version: string;
  simdCompiled: string;
  simdDetected: string;
  hardwareThreads: number;
  napiVersion: number;
}

export interface NativeAddon {
  engineInfo(): NativeEngineInfo;
}
