// designSos, filterWindow, filterStream.
#include <napi.h>

#include "args.hpp"
#include "async_job.hpp"
#include "exports.hpp"
#include "filter_design.hpp"
#include "filter_ops.hpp"
#include "reference_args.hpp"
#include "sosfilt.hpp"
#include "thread_pool.hpp"

namespace probedeck::binding {

namespace {

Napi::Value pool_result(Napi::Env env, uint64_t pool_id, int workers) {
  Napi::Object r = Napi::Object::New(env);
  r.Set("poolId", double(pool_id));
  r.Set("workers", workers);
  return r;
}

}  // namespace

// designSos(kind, order, f1, f2, fs, q) → Float64Array (n_sections × 6)
Napi::Value DesignSosJs(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  double kind, order, f1, f2, fs, q;
  if (!number_arg(info, 0, "kind", kind) || !number_arg(info, 1, "order", order) || !number_arg(info, 2, "f1", f1) ||
      !number_arg(info, 3, "f2", f2) || !number_arg(info, 4, "fs", fs) || !number_arg(info, 5, "q", q))
    return env.Null();
  try {
    std::vector<double> sos = kind == 4 ? notch_sos(f1, q, fs) : butter_sos(int(order), BandType(int(kind)), f1, f2, fs);
    auto out = Napi::Float64Array::New(env, sos.size());
    std::copy(sos.begin(), sos.end(), out.Data());
    return out;
  } catch (const DspError& e) {
    Napi::Error err = Napi::Error::New(env, e.what());
    err.Set("code", e.code);
    err.ThrowAsJavaScriptException();
    return env.Null();
  }
}

// filterWindow(input, channels, sos, mode, left, right, out, workers, precision[, op, setMembers, setOffsets, setOfChannel])
//   → Promise<{poolId, workers}>; with a reference plan, out is re-referenced as commonReference would.
Napi::Value FilterWindowJs(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  ArrayArg<double> sos;
  ArrayArg<float> out;
  double channels, mode, left, right, workers, precision;
  if (!channels_arg(info, 1, channels) || !array_arg(info, 2, "sos", sos) || !number_arg(info, 3, "mode", mode) ||
      !number_arg(info, 4, "left", left) || !number_arg(info, 5, "right", right) || !array_arg(info, 6, "out", out) ||
      !number_arg(info, 7, "workers", workers) || !number_arg(info, 8, "precision", precision))
    return env.Null();
  const Precision p = precision == 1 ? Precision::f32 : Precision::f64;
  SosFilter f{std::vector<double>(sos.data, sos.data + sos.length)};
  const size_t C = size_t(channels);
  auto m = mode == 0 ? FilterMode::zero_phase : FilterMode::causal;
  const int W = int(workers);
  auto plan = std::make_shared<ReferencePlan>();
  const bool referenced = present(info, 9);
  if (referenced && !reference_plan_arg(info, 9, *plan)) return env.Null();
  auto shared = std::make_shared<uint64_t>(0);
  auto result = [shared, W](Napi::Env e) { return pool_result(e, *shared, W); };
  std::vector<Napi::Value> keep{info[0], info[6]};
  return with_input(info, [=](auto in) {
    filter_window(in.data, in.length / C, C, f, m, size_t(left), size_t(right), out.data, W, p, referenced ? plan.get() : nullptr);
    *shared = pool_for_this_thread(W).id();
  }, keep, result);
}

// filterStream(input, channels, sos, state, out, workers, precision) → Promise<{poolId, workers}>
Napi::Value FilterStreamJs(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  ArrayArg<double> sos, state;
  ArrayArg<float> out;
  double channels, workers, precision;
  if (!channels_arg(info, 1, channels) || !array_arg(info, 2, "sos", sos) || !array_arg(info, 3, "state", state) ||
      !array_arg(info, 4, "out", out) || !number_arg(info, 5, "workers", workers) || !number_arg(info, 6, "precision", precision))
    return env.Null();
  const Precision p = precision == 1 ? Precision::f32 : Precision::f64;
  SosFilter f{std::vector<double>(sos.data, sos.data + sos.length)};
  const size_t C = size_t(channels);
  const int W = int(workers);
  // A state too short would be written past its end: the facade sizes it, this only guards the boundary.
  if (state.length != size_t(stream_state_rows(f.n_sections())) * C) {
    Napi::RangeError::New(env, "Expected \"state\" to hold " + std::to_string(stream_state_rows(f.n_sections())) + " values per channel").ThrowAsJavaScriptException();
    return env.Null();
  }
  auto shared = std::make_shared<uint64_t>(0);
  auto result = [shared, W](Napi::Env e) { return pool_result(e, *shared, W); };
  std::vector<Napi::Value> keep{info[0], info[3], info[4]};
  return with_input(info, [=](auto in) {
    filter_stream(in.data, in.length / C, C, f, state.data, out.data, W, p);
    *shared = pool_for_this_thread(W).id();
  }, keep, result);
}

}  // namespace probedeck::binding
