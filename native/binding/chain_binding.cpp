// streamChain: a live chunk's whole path in one engine call.
#include <napi.h>

#include <algorithm>
#include <memory>

#include "args.hpp"
#include "async_job.hpp"
#include "exports.hpp"
#include "filter_ops.hpp"
#include "phase_shift.hpp"
#include "reference_args.hpp"
#include "scale.hpp"
#include "sosfilt.hpp"

namespace probedeck::binding {

// streamChain(input, channels, gain?, offset?, uv, sos?, filterState, precision, filtered, kernels?, taps, history, shifted,
//             workers, operator?, setMembers?, setOffsets?, setOfChannel?) → Promise<0 | 1 | 2>
// Scaling (with a gain) into uv, then the stream filter into filtered, then the FIR shift (re-referencing
// its rows with a plan) into shifted, or with no shift the plan applied to filtered in place. Each step is
// skipped when its first argument is undefined; without scaling the input (float32) is the µV rows.
// Resolves to where the result is: 0 uv (or the input), 1 filtered, 2 shifted. Separate calls cost a
// round trip each through libuv and the inner pool (~0.1 ms on a 20 ms arrival, more than its filtering);
// here the pool's workers go from step to step without sleeping.
Napi::Value StreamChainJs(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  ArrayArg<float> gain, offset, uv, filtered, kernels, history, shifted;
  ArrayArg<double> sos, state;
  double channels, precision, taps, workers;
  const bool scaled = present(info, 2), filtering = present(info, 5), shifting = present(info, 9);
  if (!channels_arg(info, 1, channels) || !array_arg(info, 4, "uv", uv) || !number_arg(info, 7, "precision", precision) ||
      !array_arg(info, 8, "filtered", filtered) || !number_arg(info, 10, "taps", taps) || !array_arg(info, 12, "shifted", shifted) ||
      !number_arg(info, 13, "workers", workers))
    return env.Null();
  if (scaled && (!array_arg(info, 2, "gain", gain) || !array_arg(info, 3, "offset", offset))) return env.Null();
  if (filtering && (!array_arg(info, 5, "sos", sos) || !array_arg(info, 6, "filterState", state))) return env.Null();
  if (shifting && (!array_arg(info, 9, "kernels", kernels) || !array_arg(info, 11, "history", history))) return env.Null();
  auto plan = std::make_shared<ReferencePlan>();
  const bool referenced = present(info, 14);
  if (referenced && !reference_plan_arg(info, 14, *plan)) return env.Null();
  const size_t C = size_t(channels);
  const int W = int(workers), K = int(taps);
  const Precision p = precision == 1 ? Precision::f32 : Precision::f64;
  SosFilter f{std::vector<double>(sos.data, sos.data + sos.length)};
  if (filtering && state.length != size_t(stream_state_rows(f.n_sections())) * C) {
    Napi::RangeError::New(env, "Expected \"filterState\" to hold " + std::to_string(stream_state_rows(f.n_sections())) + " values per channel").ThrowAsJavaScriptException();
    return env.Null();
  }
  auto where = std::make_shared<int>(0);
  // After scaling, the rest reads float32 µV: uv, or the input itself when it already is.
  auto rest = [=](const float* in, size_t n) {
    const size_t rows = n / C;
    const float* cur = in;
    int at = 0;
    if (filtering) {
      filter_stream(cur, rows, C, f, state.data, filtered.data, W, p);
      cur = filtered.data, at = 1;
    }
    if (shifting) {
      phase_shift_fir(cur, rows, C, kernels.data, K, size_t(K / 2), size_t(K / 2 - 1), shifted.data, W, history.data, history.length / C,
                      referenced ? plan.get() : nullptr);
      at = 2;
    } else if (referenced) {
      if (at == 0) std::copy(cur, cur + n, filtered.data);
      common_reference(filtered.data, rows, C, *plan, W);
      at = 1;
    }
    *where = at;
  };
  std::vector<Napi::Value> keep;
  for (size_t i = 0; i < info.Length(); i++) keep.push_back(info[i]);
  auto result = [where](Napi::Env e) { return Napi::Number::New(e, *where); };
  if (scaled) {
    return with_input(info, [=](auto in) {
      scale_to_float(in.data, in.length / C, C, gain.data, offset.data, uv.data, W);
      rest(uv.data, in.length);
    }, keep, result);
  }
  ArrayArg<float> in;
  if (!array_arg(info, 0, "input", in)) return env.Null();
  return AsyncJob::Start(env, [=] { rest(in.data, in.length); }, result, keep);
}

}  // namespace probedeck::binding
