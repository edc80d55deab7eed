// engineStats and the pool-lifecycle probe used by the contract tests.
#include <napi.h>

#include <thread>

#include "exports.hpp"
#include "thread_pool.hpp"
#include "work_buffer.hpp"

namespace probedeck::binding {

Napi::Value EngineStatsJs(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() > 0 && info[0].IsBoolean() && info[0].As<Napi::Boolean>()) memory_counters().peak = memory_counters().live.load();
  const PoolStats p = pool_stats();
  Napi::Object out = Napi::Object::New(env);
  out.Set("poolsCreated", double(p.created));
  out.Set("poolsAlive", double(p.alive));
  out.Set("workBytesLive", double(memory_counters().live.load()));
  out.Set("workBytesPeak", double(memory_counters().peak.load()));
  return out;
}

// Runs a pool on a short-lived std::thread and reports pools alive while it runs and after it exits.
Napi::Value PoolLifecycleProbeJs(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  uint64_t during = 0;
  std::thread t([&] {
    pool_for_this_thread(2).parallel_for(4, [](int) {});
    during = pool_stats().alive;
  });
  t.join();
  Napi::Object out = Napi::Object::New(env);
  out.Set("aliveDuring", double(during));
  out.Set("aliveAfter", double(pool_stats().alive));
  return out;
}

}  // namespace probedeck::binding
