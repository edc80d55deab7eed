// Registers the engine's exports. No logic lives here.
#include <napi.h>

#include "exports.hpp"

static Napi::Object Init(Napi::Env env, Napi::Object exports) {
  using namespace probedeck::binding;
  exports.Set("engineInfo", Napi::Function::New(env, EngineInfoJs, "engineInfo"));
  return exports;
}

NODE_API_MODULE(probedeck, Init)
