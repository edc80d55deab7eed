"""The scipy/numpy side of the engine benchmark: the same steps on the same file, as SpikeInterface
computes them (1 s chunks with real-neighbour margins, sosfiltfilt / sosfilt, numpy median).
Prints one JSON object of best-of-N seconds."""
import json
import sys
import time

import numpy as np
import scipy.fft
import scipy.signal as ss

path, channels, fs, reps, min_total = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4]), float(sys.argv[5])
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


def scale():
    return x.astype(np.float32) * np.float32(2.34375)


filtered = zero_phase()


def cmr():
    return filtered - np.median(filtered, axis=1, keepdims=True)


def pipeline():
    y = zero_phase()
    return y - np.median(y, axis=1, keepdims=True)


# SpikeInterface's phase_shift (FFT method) on 1 s chunks: 40 ms zero-padded, tapered margin with
# real neighbours, rfft * exp(-i w s), irfft; NP1.0 shifts slot/13.
ps_margin = int(40 * fs / 1000)
shifts = ((np.arange(channels) % 24) // 2) / 13
taper = (1 - np.cos(np.arange(ps_margin) / ps_margin * np.pi)) / 2


def fft_shift(get, s, e):
    left = ps_margin if s >= ps_margin else s
    right = ps_margin if e <= n - ps_margin else n - e
    buf = np.zeros((e - s + 2 * ps_margin, channels), np.float64)
    buf[ps_margin - left:ps_margin + e - s + right] = get(s - left, e + right)
    buf[:ps_margin] *= taper[:, None]
    buf[-ps_margin:] *= taper[::-1][:, None]
    m = len(buf)
    spec = scipy.fft.rfft(buf, n=m, axis=0)
    y = scipy.fft.irfft(spec * np.exp(-1j * (2 * np.pi * np.fft.rfftfreq(m)[:, None] * shifts[None, :])), n=m, axis=0)
    return y[ps_margin:ps_margin + e - s].astype(np.float32)


def phase_fft():
    out = np.empty((n, channels), np.float32)
    for s in range(0, n, chunk):
        out[s:s + chunk] = fft_shift(lambda a, b: x[a:b], s, min(s + chunk, n))
    return out


def live():
    """Causal band-pass with carried state, then the FFT phase shift and the median CMR per chunk."""
    y = stream()
    out = np.empty((n, channels), np.float32)
    for s in range(0, n, chunk):
        z = fft_shift(lambda a, b: y[a:b], s, min(s + chunk, n))
        out[s:s + chunk] = z - np.median(z, axis=1, keepdims=True)
    return out


def best(f, reps=reps, min_total=min_total):
    """The best of at least `reps` runs and of at least `min_total` seconds of them (as the TypeScript side)."""
    times = []
    while len(times) < reps or sum(times) < min_total:
        t = time.perf_counter()
        f()
        times.append(time.perf_counter() - t)
    return min(times)


# The FFT phase shift takes seconds: measured once, to spare the shared machine.
print(json.dumps({"scale": best(scale), "zero": best(zero_phase), "stream": best(stream), "cmr": best(cmr), "pipeline": best(pipeline), "phase_fft": best(phase_fft, 1, 0), "live": best(live, 1, 0)}))
