#include "columns.hpp"

#include <cstring>
#include <vector>

namespace probedeck {

namespace {

// Contiguous kept columns move as one block (SpikeGLX: 384 neural of 385 is one run per row).
struct Run {
  size_t from, to, count;
};

std::vector<Run> runs_of(const int32_t* columns, size_t kept) {
  std::vector<Run> runs;
  for (size_t k = 0; k < kept; k++) {
    if (!runs.empty() && size_t(columns[k]) == runs.back().from + runs.back().count) {
      runs.back().count++;
    } else {
      runs.push_back({size_t(columns[k]), k, 1});
    }
  }
  return runs;
}

}  // namespace

void keep_columns(uint8_t* in, size_t rows, size_t frame, size_t elem_bytes, const int32_t* columns, size_t kept, bool from_uint16, uint8_t* out) {
  if (from_uint16) {
    // x − 32768 on a uint16 is its top bit flipped, read as int16.
    auto* v = reinterpret_cast<uint16_t*>(in);
    for (size_t i = 0; i < rows * frame; i++) v[i] ^= 0x8000;
  }
  const std::vector<Run> runs = runs_of(columns, kept);
  if (out == in && runs.size() == 1 && runs[0].from == 0 && kept == frame) return;
  const size_t in_row = frame * elem_bytes;
  const size_t out_row = kept * elem_bytes;
  // In place, in order, row by row: row t is written at or before where it is read, so it never
  // overwrites a value of a row still to come. memmove, as a row's first run may overlap where it lands.
  for (size_t t = 0; t < rows; t++) {
    const uint8_t* from = in + t * in_row;
    uint8_t* to = out + t * out_row;
    for (const Run& r : runs) std::memmove(to + r.to * elem_bytes, from + r.from * elem_bytes, r.count * elem_bytes);
  }
}

}  // namespace probedeck
