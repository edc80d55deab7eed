// decimateMinMax(data, channels, columns, out, workers) → Promise<void>
#include <napi.h>

#include "args.hpp"
#include "async_job.hpp"
#include "decimate.hpp"
#include "exports.hpp"

namespace probedeck::binding {

Napi::Value DecimateMinMaxJs(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  ArrayArg<float> in, out;
  double channels, columns, workers;
  if (!array_arg(info, 0, "data", in) || !channels_arg(info, 1, channels) || !number_arg(info, 2, "columns", columns) ||
      !array_arg(info, 3, "out", out) || !number_arg(info, 4, "workers", workers))
    return env.Null();
  const size_t C = size_t(channels), cols = size_t(columns);
  const int W = int(workers);
  return AsyncJob::Start(env, [=] { decimate_minmax(in.data, in.length / C, C, cols, out.data, W); }, nullptr, {info[0], info[3]});
}

}  // namespace probedeck::binding
