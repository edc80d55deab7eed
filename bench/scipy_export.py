"""The scipy/numpy side of the export benchmark: what SpikeInterface's save() does for a Neuropixels
AP file with bandpass (zero-phase, order 5, 300-6000 Hz) + global median CMR into int16 — 1 s
chunks with real-neighbour margins, sync column dropped, rounded half-to-even, written and fsynced.
Prints the seconds of one run."""
import os
import sys
import time

import numpy as np
import scipy.signal as ss

src, out, frame_channels, channels, fs = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), float(sys.argv[5])
t0 = time.perf_counter()
x = np.memmap(src, dtype=np.int16, mode="r").reshape(-1, frame_channels)
n = len(x)
sos = ss.iirfilter(5, [300, 6000], btype="bandpass", ftype="butter", output="sos", fs=fs)
margin, chunk = int(5 * fs / 300), int(fs)
with open(out, "wb") as f:
    for s in range(0, n, chunk):
        e = min(s + chunk, n)
        left = min(margin, s)
        right = min(margin, n - e)
        y = ss.sosfiltfilt(sos, x[s - left:e + right, :channels], axis=0).astype(np.float32)
        y = y[left:len(y) - right]
        y -= np.median(y, axis=1, keepdims=True)
        f.write(np.clip(np.rint(y), -32768, 32767).astype("<i2").tobytes())
    f.flush()
    os.fsync(f.fileno())
print(time.perf_counter() - t0)
