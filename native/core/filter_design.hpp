// Butterworth and notch design, equal to scipy.signal.iirfilter(..., ftype="butter", output="sos")
// and scipy.signal.iirnotch: same prototype, prewarp, transforms, bilinear map and zpk2sos
// "nearest" pairing, so the section order and gains match scipy's (to ~1e-15).
#pragma once
#include <vector>

namespace probedeck {

enum class BandType { lowpass, highpass, bandpass, bandstop };

/** Returns n_sections × 6 coefficients, row-major [b0 b1 b2 a0 a1 a2] with a0 = 1. */
std::vector<double> butter_sos(int order, BandType type, double f1, double f2, double fs);

/** One section [b0 b1 b2 1 a1 a2] of scipy.signal.iirnotch(freq, q, fs). */
std::vector<double> notch_sos(double freq, double q, double fs);

}  // namespace probedeck
