// Type checks only (values were validated in TS): a wrong type is a TypeError naming the argument.
#pragma once
#include <napi.h>

#include <cstdint>
#include <string>

namespace probedeck::binding {

template <class T>
struct ArrayArg {
  T* data = nullptr;
  size_t length = 0;
};

template <class T>
constexpr napi_typedarray_type kind_of() {
  if constexpr (std::is_same_v<T, uint8_t>) return napi_uint8_array;
  if constexpr (std::is_same_v<T, int16_t>) return napi_int16_array;
  if constexpr (std::is_same_v<T, float>) return napi_float32_array;
  if constexpr (std::is_same_v<T, double>) return napi_float64_array;
  if constexpr (std::is_same_v<T, int32_t>) return napi_int32_array;
}

template <class T>
bool is_array_of(const Napi::Value& v) {
  return v.IsTypedArray() && v.As<Napi::TypedArray>().TypedArrayType() == kind_of<T>();
}

template <class T>
bool array_arg(const Napi::CallbackInfo& info, size_t i, const char* name, ArrayArg<T>& out) {
  if (!is_array_of<T>(info[i])) {
    Napi::TypeError::New(info.Env(), std::string("Expected a typed array of the right kind for \"") + name + "\"").ThrowAsJavaScriptException();
    return false;
  }
  auto a = info[i].As<Napi::TypedArrayOf<T>>();
  out.data = a.Data();
  out.length = a.ElementLength();
  return true;
}

/** Whether argument i was given (an optional argument left out, or passed as undefined, is not). */
inline bool present(const Napi::CallbackInfo& info, size_t i) { return info.Length() > i && !info[i].IsUndefined(); }

inline bool number_arg(const Napi::CallbackInfo& info, size_t i, const char* name, double& out) {
  if (!info[i].IsNumber()) {
    Napi::TypeError::New(info.Env(), std::string("Expected a number for \"") + name + "\"").ThrowAsJavaScriptException();
    return false;
  }
  out = info[i].As<Napi::Number>().DoubleValue();
  return true;
}

/**
 * A channel count: a whole number from 1 to 65536 (the facade's MAX_CHANNELS). The facade checks it
 * first; here it keeps a direct call from dividing by 0 (SIGFPE ends the process) or casting NaN.
 */
inline bool channels_arg(const Napi::CallbackInfo& info, size_t i, double& out) {
  if (!number_arg(info, i, "channels", out)) return false;
  if (!(out >= 1 && out <= 65536 && out == double(int64_t(out)))) {
    Napi::RangeError::New(info.Env(), "Expected \"channels\" to be a whole number from 1 to 65536").ThrowAsJavaScriptException();
    return false;
  }
  return true;
}

}  // namespace probedeck::binding
