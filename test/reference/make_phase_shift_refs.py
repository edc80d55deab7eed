"""Phase-shift references for the engine's unit tests, made with numpy/scipy (run: python3 make_phase_shift_refs.py).

spikeinterface is not installed here, so its formulas are re-implemented from the source
(reference/spikeinterface-semantics.md section 3):
  fft: get_chunk_with_margin(add_zeros=True, window_on_margin=True) in float64 with a 40 ms margin,
       rfft, multiply by exp(-1j * 2*pi*rfftfreq(n) * shift), irfft, crop the margin;
  fir: SI PR #4563 kernels sinc(arange(-K/2, K/2) + d) * kaiser(K, 8.6), unit sum, float32, applied
       as y[t] = sum_k h[k] x[t - K/2 + k] accumulated in float32 in ascending k, zeros past the ends.
Input is engine_input.i16 (6000 x 8, from make_engine_refs.py). Writes phase_refs.json and small .f32 files.
"""
import json
import pathlib

import numpy as np
import scipy
import scipy.fft
import scipy.signal as ss

here = pathlib.Path(__file__).resolve().parent
FS = 30000.0
C = 8
x16 = np.fromfile(here / "engine_input.i16", dtype=np.int16).reshape(-1, C)
N = len(x16)
# NP1.0 slots 0, 1, 2, 5, 11 of 13 cycles, a half sample, an integer sample, a quarter.
shifts = np.array([0, 1 / 13, 2 / 13, 5 / 13, 11 / 13, 0.5, 1.0, 0.25])
MARGIN = int(40.0 * FS / 1000)
refs = {"numpy": np.__version__, "scipy": scipy.__version__, "shifts": shifts.tolist(), "margin": MARGIN, "cases": {}}


def save(name, arr, **meta):
    arr.astype(np.float32).tofile(here / f"phase_{name}.f32")
    refs["cases"][name] = {"file": f"phase_{name}.f32", **meta}


def fft_shift_window(get, n_total, start, end, sh, margin=MARGIN):
    """SI PhaseShiftRecordingSegment.get_traces for [start, end) over a parent `get(s, e)`."""
    left = margin if start >= margin else start
    right = margin if end <= n_total - margin else n_total - end
    buf = np.zeros((end - start + 2 * margin, C), np.float64)
    buf[margin - left: margin + end - start + right] = get(start - left, end + right)
    taper = (1 - np.cos(np.arange(margin) / margin * np.pi)) / 2
    buf[:margin] *= taper[:, None]
    buf[-margin:] *= taper[::-1][:, None]
    n = buf.shape[0]
    spec = scipy.fft.rfft(buf, n=n, axis=0)
    phi = 2 * np.pi * np.fft.rfftfreq(n)[:, None] * sh[None, :]
    y = scipy.fft.irfft(spec * np.exp(-1j * phi), n=n, axis=0)
    return y[margin:margin + end - start]


def fir_kernels(sh, k):
    n = np.arange(-k // 2, k // 2)
    h = np.sinc(n[:, None] + sh[None, :]) * np.kaiser(k, 8.6)[:, None]
    return (h / h.sum(axis=0, keepdims=True)).astype(np.float32)


def fir_shift(x, sh, k):
    h = fir_kernels(sh, k)
    xp = np.zeros((len(x) + k, C), np.float32)
    xp[k // 2: k // 2 + len(x)] = x.astype(np.float32)
    acc = np.zeros((len(x), C), np.float32)
    for j in range(k):
        acc += h[j] * xp[j: j + len(x)]
    return acc


raw = lambda s, e: x16[s:e]
# One window [1000, 5000): its margins are clipped to 1000 rows each side, the rest is zeros.
save("fft_window", fft_shift_window(raw, N, 1000, 5000, shifts), start=1000, end=5000)
# SI save() over the whole input in 2000-row chunks.
save("fft_chunked", np.concatenate([fft_shift_window(raw, N, s, s + 2000, shifts) for s in range(0, N, 2000)]), chunk=2000)
for k in (16, 32, 64):
    save(f"fir{k}", fir_shift(x16, shifts, k), taps=k)
fir_kernels(shifts, 16).tofile(here / "phase_fir16_kernels.f32")
refs["kernels16"] = "phase_fir16_kernels.f32"

# The executor's chain in SI's save() with 1500-row chunks, NP1.0 shifts of readout channels 0..7: bandpass (zero-phase, margin 500,
# real neighbours) -> phase_shift fft (its own 1200 margin, fetched from the filter) -> float32 ->
# global median CMR.
bp = ss.iirfilter(5, [300, 6000], btype="bandpass", ftype="butter", output="sos", fs=FS)


def bp_get(s, e, margin=500):
    left = margin if s >= margin else s
    right = margin if e <= N - margin else N - e
    y = ss.sosfiltfilt(bp, x16[s - left:e + right], axis=0)
    return y[left:len(y) - right].astype(np.float32)  # FilterRecording returns float32


np1 = ((np.arange(C) % 24) // 2) / 13
chain = []
for s in range(0, N, 1500):
    y = fft_shift_window(bp_get, N, s, min(s + 1500, N), np1).astype(np.float32)
    chain.append(y - np.median(y, axis=1, keepdims=True))
save("cli_bp_fft_median", np.concatenate(chain), chunk=1500)

(here / "phase_refs.json").write_text(json.dumps(refs, indent=1))
print("wrote", len(refs["cases"]), "phase-shift cases")
