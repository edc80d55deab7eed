// phaseShiftKernels, phaseShiftFir, phaseShiftFft.
#include <napi.h>

#include <memory>

#include "args.hpp"
#include "async_job.hpp"
#include "exports.hpp"
#include "phase_shift.hpp"
#include "reference_args.hpp"

namespace probedeck::binding {

namespace {

void throw_dsp(Napi::Env env, const DspError& e) {
  Napi::Error err = Napi::Error::New(env, e.what());
  err.Set("code", e.code);
  err.ThrowAsJavaScriptException();
}

}  // namespace

// phaseShiftKernels(shifts, taps, beta) → Float32Array (taps × channels)
Napi::Value PhaseShiftKernelsJs(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  ArrayArg<double> shifts;
  double taps, beta;
  if (!array_arg(info, 0, "shifts", shifts) || !number_arg(info, 1, "taps", taps) || !number_arg(info, 2, "beta", beta)) return env.Null();
  try {
    std::vector<float> h = fir_phase_kernels(shifts.data, shifts.length, int(taps), beta);
    auto out = Napi::Float32Array::New(env, h.size());
    std::copy(h.begin(), h.end(), out.Data());
    return out;
  } catch (const DspError& e) {
    throw_dsp(env, e);
    return env.Null();
  }
}

// phaseShiftFir(input, channels, kernels, taps, left, right, out, workers, before?, operator?, setMembers?, setOffsets?, setOfChannel?) → Promise<void>
// `before` (float32 input only): rows that precede the input in the window, a stream's history.
// With a reference plan (arguments 9–12, float32 input with `before`), each output row is re-referenced too.
Napi::Value PhaseShiftFirJs(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  ArrayArg<float> kernels, out, before;
  double channels, taps, left, right, workers;
  if (!channels_arg(info, 1, channels) || !array_arg(info, 2, "kernels", kernels) || !number_arg(info, 3, "taps", taps) ||
      !number_arg(info, 4, "left", left) || !number_arg(info, 5, "right", right) || !array_arg(info, 6, "out", out) ||
      !number_arg(info, 7, "workers", workers))
    return env.Null();
  const size_t C = size_t(channels), L = size_t(left), R = size_t(right);
  const int K = int(taps), W = int(workers);
  if (present(info, 8)) {
    if (!array_arg(info, 8, "before", before)) return env.Null();
    ArrayArg<float> in;
    if (!array_arg(info, 0, "input", in)) return env.Null();
    auto plan = std::make_shared<ReferencePlan>();
    const bool referenced = present(info, 9);
    if (referenced && !reference_plan_arg(info, 9, *plan)) return env.Null();
    return AsyncJob::Start(
        env,
        [=] { phase_shift_fir(in.data, in.length / C, C, kernels.data, K, L, R, out.data, W, before.data, before.length / C, referenced ? plan.get() : nullptr); },
        nullptr, {info[0], info[2], info[6], info[8]});
  }
  return with_input(
      info, [=](auto in) { phase_shift_fir(in.data, in.length / C, C, kernels.data, K, L, R, out.data, W); }, {info[0], info[2], info[6]});
}

// phaseShiftFft(input, channels, shifts, left, right, margin, out, workers) → Promise<void>
Napi::Value PhaseShiftFftJs(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  ArrayArg<double> shifts;
  ArrayArg<float> out;
  double channels, left, right, margin, workers;
  if (!channels_arg(info, 1, channels) || !array_arg(info, 2, "shifts", shifts) || !number_arg(info, 3, "left", left) ||
      !number_arg(info, 4, "right", right) || !number_arg(info, 5, "margin", margin) || !array_arg(info, 6, "out", out) ||
      !number_arg(info, 7, "workers", workers))
    return env.Null();
  const size_t C = size_t(channels), L = size_t(left), R = size_t(right), M = size_t(margin);
  const int W = int(workers);
  return with_input(
      info, [=](auto in) { phase_shift_fft(in.data, in.length / C, C, shifts.data, L, R, M, out.data, W); }, {info[0], info[2], info[6]});
}

}  // namespace probedeck::binding
