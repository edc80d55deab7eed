// One engine call on a libuv worker thread, resolving a Promise. Execute() makes no N-API calls:
// it runs a plain C++ closure and catches every failure into a message and a code. The JS
// TypedArrays the closure reads and writes stay referenced until the job ends (they are JS-owned;
// Electron forbids external buffers).
#pragma once
#include <napi.h>

#include <functional>
#include <string>
#include <vector>

#include "args.hpp"
#include "dsp_error.hpp"

namespace probedeck::binding {

class AsyncJob : public Napi::AsyncWorker {
 public:
  using Work = std::function<void()>;
  using Result = std::function<Napi::Value(Napi::Env)>;

  AsyncJob(Napi::Env env, Work work, Result result, const std::vector<Napi::Value>& keep)
      : Napi::AsyncWorker(env, "probedeck.engine"), deferred_(Napi::Promise::Deferred::New(env)), work_(std::move(work)), result_(std::move(result)) {
    for (const auto& v : keep)
      if (v.IsObject()) refs_.push_back(Napi::Persistent(v.As<Napi::Object>()));
  }

  static Napi::Promise Start(Napi::Env env, Work work, Result result, const std::vector<Napi::Value>& keep) {
    auto* job = new AsyncJob(env, std::move(work), std::move(result), keep);
    Napi::Promise p = job->deferred_.Promise();
    job->Queue();
    return p;
  }

 protected:
  void Execute() override {
    try {
      work_();
    } catch (const DspError& e) {
      code_ = e.code;
      SetError(e.what());
    } catch (const std::bad_alloc&) {
      code_ = "OUT_OF_MEMORY";
      SetError("the engine could not allocate its work buffers");
    } catch (const std::exception& e) {
      code_ = "ENGINE_ERROR";
      SetError(e.what());
    }
  }
  void OnOK() override { deferred_.Resolve(result_ ? result_(Env()) : Env().Undefined()); }
  void OnError(const Napi::Error& e) override {
    Napi::Error err = Napi::Error::New(Env(), e.Message());
    err.Set("code", Napi::String::New(Env(), code_));
    err.Set("name", Napi::String::New(Env(), "DspError"));
    deferred_.Reject(err.Value());
  }

 private:
  Napi::Promise::Deferred deferred_;
  Work work_;
  Result result_;
  std::vector<Napi::ObjectReference> refs_;
  std::string code_;
};

/** Starts `run(typed input)` on a worker thread for an Int16Array or Float32Array first argument. */
template <class Run>
Napi::Value with_input(const Napi::CallbackInfo& info, Run run, const std::vector<Napi::Value>& keep, AsyncJob::Result result = nullptr) {
  if (is_array_of<int16_t>(info[0])) {
    ArrayArg<int16_t> in;
    array_arg(info, 0, "input", in);
    return AsyncJob::Start(info.Env(), [=] { run(in); }, result, keep);
  }
  ArrayArg<float> in;
  if (!array_arg(info, 0, "input", in)) return info.Env().Null();
  return AsyncJob::Start(info.Env(), [=] { run(in); }, result, keep);
}

}  // namespace probedeck::binding
