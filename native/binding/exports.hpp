// One declaration per exported function or class; addon.cpp only registers them.
#pragma once
#include <napi.h>

namespace probedeck::binding {

Napi::Value EngineInfoJs(const Napi::CallbackInfo& info);

}  // namespace probedeck::binding
