// Registers the engine's exports. No logic lives here.
#include <napi.h>

#include "exports.hpp"

static Napi::Object Init(Napi::Env env, Napi::Object exports) {
  using namespace probedeck::binding;
  auto add = [&](const char* name, Napi::Function::Callback fn) { exports.Set(name, Napi::Function::New(env, fn, name)); };
  add("engineInfo", EngineInfoJs);
  add("engineStats", EngineStatsJs);
  add("poolLifecycleProbe", PoolLifecycleProbeJs);
  add("designSos", DesignSosJs);
  add("filterWindow", FilterWindowJs);
  add("filterStream", FilterStreamJs);
  add("commonReference", CommonReferenceJs);
  add("scaleToFloat", ScaleToFloatJs);
  add("keepColumns", KeepColumnsJs);
  add("roundToInt16", RoundToInt16Js);
  add("decimateMinMax", DecimateMinMaxJs);
  add("phaseShiftKernels", PhaseShiftKernelsJs);
  add("phaseShiftFir", PhaseShiftFirJs);
  add("phaseShiftFft", PhaseShiftFftJs);
  add("iblChannelFeatures", IblChannelFeaturesJs);
  add("channelDeviation", ChannelDeviationJs);
  add("interpolateChannels", InterpolateChannelsJs);
  add("channelActivity", ChannelActivityJs);
  add("welchChannels", WelchChannelsJs);
  add("streamChain", StreamChainJs);
  add("addressAlignment", AddressAlignmentJs);
  add("pageSize", PageSizeJs);
  add("adviseHugePages", AdviseHugePagesJs);
  return exports;
}

NODE_API_MODULE(probedeck, Init)
