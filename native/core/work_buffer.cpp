#include "work_buffer.hpp"

namespace probedeck {

MemoryCounters& memory_counters() {
  static MemoryCounters counters;
  return counters;
}

}  // namespace probedeck
