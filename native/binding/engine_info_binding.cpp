#include <napi.h>

#include "engine_info.hpp"

namespace probedeck::binding {

Napi::Value EngineInfoJs(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const EngineInfo e = engine_info();
  Napi::Object out = Napi::Object::New(env);
  out.Set("version", e.version);
  out.Set("simdCompiled", e.simd_compiled);
  out.Set("simdDetected", e.simd_detected);
  out.Set("simdUsed", e.simd_used);
  out.Set("hardwareThreads", e.hardware_threads);
  out.Set("napiVersion", NAPI_VERSION);
  return out;
}

}  // namespace probedeck::binding
