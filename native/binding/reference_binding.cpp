// commonReference, scaleToFloat, roundToInt16.
#include <napi.h>

#include "args.hpp"
#include "async_job.hpp"
#include "exports.hpp"
#include "reference.hpp"
#include "reference_args.hpp"
#include "scale.hpp"

namespace probedeck::binding {

// commonReference(data, channels, op, setMembers, setOffsets, setOfChannel, workers) → Promise<void>
// Sets arrive flattened: set k is setMembers[setOffsets[k] .. setOffsets[k+1]).
Napi::Value CommonReferenceJs(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  ArrayArg<float> data;
  double channels, workers;
  ReferencePlan plan;
  if (!array_arg(info, 0, "data", data) || !channels_arg(info, 1, channels) || !reference_plan_arg(info, 2, plan) ||
      !number_arg(info, 6, "workers", workers))
    return env.Null();
  const size_t C = size_t(channels);
  const int W = int(workers);
  return AsyncJob::Start(env, [=] { common_reference(data.data, data.length / C, C, plan, W); }, nullptr, {info[0]});
}

// scaleToFloat(input: Int16Array | Float32Array, channels, gain, offset, out, workers) → Promise<void>
Napi::Value ScaleToFloatJs(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  ArrayArg<float> gain, offset, out;
  double channels, workers;
  if (!channels_arg(info, 1, channels) || !array_arg(info, 2, "gain", gain) || !array_arg(info, 3, "offset", offset) ||
      !array_arg(info, 4, "out", out) || !number_arg(info, 5, "workers", workers))
    return env.Null();
  const size_t C = size_t(channels);
  const int W = int(workers);
  return with_input(info, [=](auto in) { scale_to_float(in.data, in.length / C, C, gain.data, offset.data, out.data, W); },
                    {info[0], info[2], info[3], info[4]});
}

// roundToInt16(input, out, workers) → Promise<number of clamped values>
Napi::Value RoundToInt16Js(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  ArrayArg<float> in;
  ArrayArg<int16_t> out;
  double workers;
  if (!array_arg(info, 0, "input", in) || !array_arg(info, 1, "out", out) || !number_arg(info, 2, "workers", workers)) return env.Null();
  auto clamped = std::make_shared<size_t>(0);
  const int W = int(workers);
  return AsyncJob::Start(env, [=] { *clamped = round_to_int16(in.data, std::min(in.length, out.length), out.data, W); },
                         [clamped](Napi::Env e) { return Napi::Number::New(e, double(*clamped)); }, {info[0], info[1]});
}

}  // namespace probedeck::binding
