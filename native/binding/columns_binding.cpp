// keepColumns.
#include <napi.h>

#include "args.hpp"
#include "async_job.hpp"
#include "columns.hpp"
#include "exports.hpp"

namespace probedeck::binding {

// keepColumns(bytes, frame, elemBytes, columns, fromUint16, out) → Promise<void>
Napi::Value KeepColumnsJs(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  ArrayArg<uint8_t> bytes, out;
  ArrayArg<int32_t> columns;
  double frame, elem;
  if (!array_arg(info, 0, "bytes", bytes) || !number_arg(info, 1, "frame", frame) || !number_arg(info, 2, "elemBytes", elem) ||
      !array_arg(info, 3, "columns", columns) || !array_arg(info, 5, "out", out))
    return env.Null();
  // The facade checks these; here a direct call cannot divide by 0 (SIGFPE ends the process).
  if (!(frame >= 1 && frame <= 65536 && frame == double(int64_t(frame))) || !(elem == 2 || elem == 4)) {
    Napi::RangeError::New(env, "Expected \"frame\" to be a whole number from 1 to 65536 and \"elemBytes\" 2 or 4").ThrowAsJavaScriptException();
    return env.Null();
  }
  const bool from_uint16 = info[4].ToBoolean();
  const size_t F = size_t(frame), E = size_t(elem);
  return AsyncJob::Start(env, [=] { keep_columns(bytes.data, bytes.length / (F * E), F, E, columns.data, columns.length, from_uint16, out.data); },
                         nullptr, {info[0], info[3], info[5]});
}

}  // namespace probedeck::binding
