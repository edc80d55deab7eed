// One declaration per exported function or class; addon.cpp only registers them.
#pragma once
#include <napi.h>

namespace probedeck::binding {

Napi::Value EngineInfoJs(const Napi::CallbackInfo& info);
Napi::Value EngineStatsJs(const Napi::CallbackInfo& info);
Napi::Value PoolLifecycleProbeJs(const Napi::CallbackInfo& info);
Napi::Value DesignSosJs(const Napi::CallbackInfo& info);
Napi::Value FilterWindowJs(const Napi::CallbackInfo& info);
Napi::Value FilterStreamJs(const Napi::CallbackInfo& info);
Napi::Value CommonReferenceJs(const Napi::CallbackInfo& info);
Napi::Value ScaleToFloatJs(const Napi::CallbackInfo& info);
Napi::Value KeepColumnsJs(const Napi::CallbackInfo& info);
Napi::Value RoundToInt16Js(const Napi::CallbackInfo& info);
Napi::Value DecimateMinMaxJs(const Napi::CallbackInfo& info);
Napi::Value PhaseShiftKernelsJs(const Napi::CallbackInfo& info);
Napi::Value PhaseShiftFirJs(const Napi::CallbackInfo& info);
Napi::Value PhaseShiftFftJs(const Napi::CallbackInfo& info);
Napi::Value IblChannelFeaturesJs(const Napi::CallbackInfo& info);
Napi::Value ChannelDeviationJs(const Napi::CallbackInfo& info);
Napi::Value InterpolateChannelsJs(const Napi::CallbackInfo& info);
Napi::Value ChannelActivityJs(const Napi::CallbackInfo& info);
Napi::Value WelchChannelsJs(const Napi::CallbackInfo& info);
Napi::Value StreamChainJs(const Napi::CallbackInfo& info);
Napi::Value AddressAlignmentJs(const Napi::CallbackInfo& info);
Napi::Value PageSizeJs(const Napi::CallbackInfo& info);
Napi::Value AdviseHugePagesJs(const Napi::CallbackInfo& info);

}  // namespace probedeck::binding
