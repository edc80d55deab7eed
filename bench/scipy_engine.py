"""The scipy/numpy side of the engine benchmark: the same steps on the same file, as SpikeInterface
computes them (1 s chunks with real-neighbour margins, sosfiltfilt / sosfilt, numpy median).
Prints one JSON object of best-of-N seconds."""
import json
import sys
import time

import numpy as np
import scipy.signal as ss

path, channels, fs, reps = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4])
x = np.fromfile(path, dtype=np.int16).reshape(-1, channels)
n = len(x)
sos = ss.iirfilter(5, [300, 6000], btype="bandpass", ftype="butter", output="sos", fs=fs)
margin, chunk = 500, int(fs)


def zero_phase():
    out = np.empty((n, channels), np.float32)
    for s in range(0, n, chunk):
        e = min(s + chunk, n)
        left = margin if s >= margin else s
        right = margin if e <= n - margin else n - e
        y = ss.sosfiltfilt(sos, x[s - left:e + right], axis=0)
        out[s:e] = y[left:len(y) - right]
    return out


def stream():
    zi = np.zeros((sos.shape[0], 2, channels))
    out = np.empty((n, channels), np.float32)
    for s in range(0, n, chunk):
        y, zi = ss.sosfilt(sos, x[s:s + chunk], axis=0, zi=zi)
        out[s:s + chunk] = y
    return out


filtered = zero_phase()


def cmr():
    return filtered - np.median(filtered, axis=1, keepdims=True)


def pipeline():
    y = zero_phase()
    return y - np.median(y, axis=1, keepdims=True)


def best(f):
    times = []
    for _ in range(reps):
        t = time.perf_counter()
        f()
        times.append(time.perf_counter() - t)
    return min(times)


print(json.dumps({"zero": best(zero_phase), "stream": best(stream), "cmr": best(cmr), "pipeline": best(pipeline)}))
