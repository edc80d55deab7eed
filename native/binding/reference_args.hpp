// A reference plan as the TS facade flattens it (ReferencePlan in main/engine/reference.ts):
// operator, then set k is setMembers[setOffsets[k] .. setOffsets[k+1]), then each channel's set.
#pragma once
#include <napi.h>

#include "args.hpp"
#include "reference.hpp"

namespace probedeck::binding {

/** Reads the plan from arguments first … first + 3; false (with a TypeError thrown) on a wrong type. */
inline bool reference_plan_arg(const Napi::CallbackInfo& info, size_t first, ReferencePlan& plan) {
  ArrayArg<int32_t> members, offsets, of_channel;
  double op;
  if (!number_arg(info, first, "operator", op) || !array_arg(info, first + 1, "setMembers", members) || !array_arg(info, first + 2, "setOffsets", offsets) ||
      !array_arg(info, first + 3, "setOfChannel", of_channel))
    return false;
  // planReference makes these; a plan made by hand must still not read outside its arrays.
  const auto refuse = [&](const char* what) {
    Napi::RangeError::New(info.Env(), std::string("Expected a reference plan whose ") + what).ThrowAsJavaScriptException();
    return false;
  };
  if (offsets.length < 1 || offsets.data[0] != 0) return refuse("setOffsets start at 0");
  for (size_t k = 0; k + 1 < offsets.length; k++)
    if (offsets.data[k + 1] < offsets.data[k] || size_t(offsets.data[k + 1]) > members.length) return refuse("setOffsets rise within setMembers");
  const int32_t n_sets = int32_t(offsets.length - 1);
  for (size_t c = 0; c < of_channel.length; c++)
    if (of_channel.data[c] < -1 || of_channel.data[c] >= n_sets) return refuse("setOfChannel holds set numbers (or -1)");
  plan.op = op == 0 ? RefOperator::median : RefOperator::mean;
  for (size_t k = 0; k + 1 < offsets.length; k++) plan.sets.emplace_back(members.data + offsets.data[k], members.data + offsets.data[k + 1]);
  plan.set_of_channel.assign(of_channel.data, of_channel.data + of_channel.length);
  return true;
}

}  // namespace probedeck::binding
