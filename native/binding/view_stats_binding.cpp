// channelActivity(data, channels, k, rms, ptp, sigma, crossings, workers) → Promise<void>
// welchChannels(data, channels, list, nperseg, fs, out, workers) → Promise<void>
#include <napi.h>

#include "args.hpp"
#include "async_job.hpp"
#include "exports.hpp"
#include "view_stats.hpp"

namespace probedeck::binding {

Napi::Value ChannelActivityJs(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  ArrayArg<float> in;
  ArrayArg<double> rms, ptp, sigma, crossings;
  double channels, k, workers;
  if (!array_arg(info, 0, "data", in) || !channels_arg(info, 1, channels) || !number_arg(info, 2, "k", k) || !array_arg(info, 3, "rms", rms) ||
      !array_arg(info, 4, "ptp", ptp) || !array_arg(info, 5, "sigma", sigma) || !array_arg(info, 6, "crossings", crossings) || !number_arg(info, 7, "workers", workers))
    return env.Null();
  const size_t C = size_t(channels);
  return AsyncJob::Start(env, [=] { channel_activity(in.data, in.length / C, C, k, rms.data, ptp.data, sigma.data, crossings.data, int(workers)); }, nullptr,
                         {info[0], info[3], info[4], info[5], info[6]});
}

Napi::Value WelchChannelsJs(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  ArrayArg<float> in;
  ArrayArg<int32_t> list;
  ArrayArg<double> out;
  double channels, nperseg, fs, workers;
  if (!array_arg(info, 0, "data", in) || !channels_arg(info, 1, channels) || !array_arg(info, 2, "list", list) || !number_arg(info, 3, "nperseg", nperseg) ||
      !number_arg(info, 4, "fs", fs) || !array_arg(info, 5, "out", out) || !number_arg(info, 6, "workers", workers))
    return env.Null();
  const size_t C = size_t(channels);
  return AsyncJob::Start(env, [=] { welch_channels(in.data, in.length / C, C, list.data, list.length, size_t(nperseg), fs, out.data, int(workers)); }, nullptr,
                         {info[0], info[2], info[5]});
}

}  // namespace probedeck::binding
