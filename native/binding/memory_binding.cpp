// addressAlignment, pageSize, adviseHugePages.
#include <napi.h>

#include <cstdint>

#if defined(__unix__) || defined(__APPLE__)
#include <unistd.h>
#endif
#if defined(__linux__)
#include <sys/mman.h>
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

// adviseHugePages(buffer) → whether the buffer's whole 2 MiB pages were marked for transparent huge
// pages (Linux takes the advice even where they are off, which then changes nothing; elsewhere
// false). Given before a fresh buffer's pages are touched: a batch job's buffers (~100 MB a job)
// are then mapped 2 MiB at a time instead of 4 KiB, and their ~25,000 page faults a job, which on a
// VM cost more than the first chunk's filtering, become ~50 (an export of 10 s × 384: 0.23 → 0.17
// s). A buffer the allocator takes from memory already mapped (and zeroes) gains nothing, and has
// no faults to save.
Napi::Value AdviseHugePagesJs(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!info[0].IsArrayBuffer()) {
    Napi::TypeError::New(env, "Expected an ArrayBuffer for \"buffer\"").ThrowAsJavaScriptException();
    return env.Null();
  }
#if defined(__linux__) && defined(MADV_HUGEPAGE)
  auto b = info[0].As<Napi::ArrayBuffer>();
  constexpr uintptr_t kHuge = uintptr_t(2) << 20;
  const uintptr_t a = reinterpret_cast<uintptr_t>(b.Data()), z = a + b.ByteLength();
  const uintptr_t a2 = (a + kHuge - 1) & ~(kHuge - 1), z2 = z & ~(kHuge - 1);
  if (z2 > a2) return Napi::Boolean::New(env, madvise(reinterpret_cast<void*>(a2), z2 - a2, MADV_HUGEPAGE) == 0);
#endif
  return Napi::Boolean::New(env, false);
}

}  // namespace probedeck::binding
