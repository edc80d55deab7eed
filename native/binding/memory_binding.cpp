// addressAlignment.
#include <napi.h>

#include <cstdint>

#include "exports.hpp"

namespace probedeck::binding {

// addressAlignment(view) → the view's first byte's address modulo 4096. A direct (uncached) write
// needs its memory on a block boundary; only the addon can see where V8 put the bytes, and an
// ArrayBuffer's backing store never moves, so JS places its views by this once per buffer.
Napi::Value AddressAlignmentJs(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!info[0].IsTypedArray()) {
    Napi::TypeError::New(env, "Expected a typed array for \"view\"").ThrowAsJavaScriptException();
    return env.Null();
  }
  const auto view = info[0].As<Napi::TypedArray>();
  const auto* base = static_cast<const uint8_t*>(view.ArrayBuffer().Data()) + view.ByteOffset();
  return Napi::Number::New(env, double(reinterpret_cast<uintptr_t>(base) % 4096));
}

}  // namespace probedeck::binding
