// iblChannelFeatures, channelDeviation, interpolateChannels.
#include <napi.h>

#include "args.hpp"
#include "async_job.hpp"
#include "bad_channels.hpp"
#include "exports.hpp"

namespace probedeck::binding {

// iblChannelFeatures(data, channels, fs, nperseg, nyquistFraction, xcorr, psdHf, workers) → Promise<void>
Napi::Value IblChannelFeaturesJs(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  ArrayArg<float> data;
  ArrayArg<double> xcorr, psd;
  double channels, fs, nperseg, fraction, workers;
  if (!array_arg(info, 0, "data", data) || !channels_arg(info, 1, channels) || !number_arg(info, 2, "fs", fs) ||
      !number_arg(info, 3, "nperseg", nperseg) || !number_arg(info, 4, "nyquistFraction", fraction) || !array_arg(info, 5, "xcorr", xcorr) ||
      !array_arg(info, 6, "psdHf", psd) || !number_arg(info, 7, "workers", workers))
    return env.Null();
  const size_t C = size_t(channels), P = size_t(nperseg);
  const int W = int(workers);
  return AsyncJob::Start(env, [=] { ibl_channel_features(data.data, data.length / C, C, fs, P, fraction, xcorr.data, psd.data, W); }, nullptr,
                         {info[0], info[5], info[6]});
}

// channelDeviation(data, channels, kind, out, workers) → Promise<void>; kind 0 = std, 1 = mad
Napi::Value ChannelDeviationJs(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  ArrayArg<float> data;
  ArrayArg<double> out;
  double channels, kind, workers;
  if (!array_arg(info, 0, "data", data) || !channels_arg(info, 1, channels) || !number_arg(info, 2, "kind", kind) ||
      !array_arg(info, 3, "out", out) || !number_arg(info, 4, "workers", workers))
    return env.Null();
  const size_t C = size_t(channels);
  const auto k = kind == 0 ? Deviation::std_dev : Deviation::mad;
  const int W = int(workers);
  return AsyncJob::Start(env, [=] { channel_deviation(data.data, data.length / C, C, k, out.data, W); }, nullptr, {info[0], info[3]});
}

// interpolateChannels(data, channels, targets, offsets, sources, weights, workers) → Promise<void>
Napi::Value InterpolateChannelsJs(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  ArrayArg<float> data, weights;
  ArrayArg<int32_t> targets, offsets, sources;
  double channels, workers;
  if (!array_arg(info, 0, "data", data) || !channels_arg(info, 1, channels) || !array_arg(info, 2, "targets", targets) ||
      !array_arg(info, 3, "offsets", offsets) || !array_arg(info, 4, "sources", sources) || !array_arg(info, 5, "weights", weights) ||
      !number_arg(info, 6, "workers", workers))
    return env.Null();
  std::vector<int> t(targets.data, targets.data + targets.length), o(offsets.data, offsets.data + offsets.length),
      s(sources.data, sources.data + sources.length);
  std::vector<float> w(weights.data, weights.data + weights.length);
  const size_t C = size_t(channels);
  const int W = int(workers);
  return AsyncJob::Start(env, [=] { interpolate_channels(data.data, data.length / C, C, t, o, s, w, W); }, nullptr, {info[0]});
}

}  // namespace probedeck::binding
