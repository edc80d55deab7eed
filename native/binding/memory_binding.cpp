// addressAlignment, pageSize.
#include <napi.h>

#include <cstdint>

#if defined(__unix__) || defined(__APPLE__)
#include <unistd.h>
#endif

#include "exports.hpp"

namespace probedeck::binding {

// addressAlignment(view) → the view's first byte's address modulo 65536 (the largest page size in
// use). A direct (uncached) write needs its memory on a block boundary, and only the addon can see
// where V8 put the bytes; an ArrayBuffer's backing store never moves.
Napi::Value AddressAlignmentJs(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!info[0].IsTypedArray()) {
    Napi::TypeError::New(env, "Expected a typed array for \"view\"").ThrowAsJavaScriptException();
    return env.Null();
  }
  const auto view = info[0].As<Napi::TypedArray>();
  const auto* base = static_cast<const uint8_t*>(view.ArrayBuffer().Data()) + view.ByteOffset();
  return Napi::Number::New(env, double(reinterpret_cast<uintptr_t>(base) % 65536));
}

// pageSize() → the memory page size (4 KiB on x86-64; 16 or 64 KiB on some arm64 kernels): direct
// writes keep whole pages, so that no page cache page holds both cached and direct bytes.
Napi::Value PageSizeJs(const Napi::CallbackInfo& info) {
#if defined(__unix__) || defined(__APPLE__)
  const long size = sysconf(_SC_PAGESIZE);
  return Napi::Number::New(info.Env(), double(size > 0 ? size : 4096));
#else
  return Napi::Number::New(info.Env(), 4096.0);
#endif
}

}  // namespace probedeck::binding
