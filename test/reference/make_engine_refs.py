"""Reference outputs for the engine's unit tests, made with scipy/numpy (run: python3 make_engine_refs.py).

Writes small little-endian binaries (.i16/.f32/.f64) and engine_refs.json describing them, so the
tests run without Python. The chunked cases re-implement SpikeInterface's save() semantics:
windows [i*cs, (i+1)*cs), each fetched with real neighbours +-margin clipped at the ends, filtered
with sosfiltfilt (zero-phase) or sosfilt from zero state (causal), cropped, cast to float32, then
common_reference (numpy median/mean over channels, float32).
"""
import json
import pathlib

import numpy as np
import scipy
import scipy.signal as ss

here = pathlib.Path(__file__).resolve().parent
rng = np.random.default_rng(20261124)
FS = 30000.0
T, C = 6000, 8

t = np.arange(T) / FS
x = (rng.normal(0, 40, (T, C)) + 200 * np.sin(2 * np.pi * 50 * t)[:, None] + 80 * np.sin(2 * np.pi * 1500 * t)[:, None] * np.arange(1, C + 1)
     + rng.normal(0, 60, (T, 1)))
x16 = np.clip(np.round(x), -32768, 32767).astype(np.int16)
x16.tofile(here / "engine_input.i16")

refs = {"scipy": scipy.__version__, "numpy": np.__version__, "fs": FS, "rows": T, "channels": C, "input": "engine_input.i16", "design": [], "cases": {}}

# Coefficient matrices for a grid of designs.
for fs in (30000.0, 2500.0, 30000.103):
    for order in (1, 2, 3, 5, 8, 10):
        for btype in ("lowpass", "highpass", "bandpass", "bandstop"):
            band = [0.01 * fs, 0.2 * fs] if btype in ("bandpass", "bandstop") else 0.1 * fs
            sos = ss.iirfilter(order, band, btype=btype, ftype="butter", output="sos", fs=fs)
            refs["design"].append({"fs": fs, "order": order, "btype": btype, "band": band, "sos": sos.ravel().tolist()})
b, a = ss.iirnotch(3000, 30, fs=30000)
refs["notch"] = {"freq": 3000, "q": 30, "fs": 30000, "sos": np.r_[b, a].tolist()}


def save(name, arr):
    arr.astype(np.float32).tofile(here / f"engine_{name}.f32")
    refs["cases"][name] = f"engine_{name}.f32"


bp = ss.iirfilter(5, [300, 6000], btype="bandpass", ftype="butter", output="sos", fs=FS)
hp = ss.iirfilter(5, 300, btype="highpass", ftype="butter", output="sos", fs=FS)

# One window with margins 500 on both sides: rows [500, 5500).
save("bp_zero_window", ss.sosfiltfilt(bp, x16[0:6000], axis=0)[500:5500])
save("hp_zero_window", ss.sosfiltfilt(hp, x16[0:6000], axis=0)[500:5500])
save("bp_causal_window", ss.sosfilt(bp, x16[0:6000].astype(np.float64), axis=0)[500:5500])
save("bp_stream", ss.sosfilt(bp, x16.astype(np.float64), axis=0))

# Float32 input through the same window.
xf = (x16.astype(np.float32) * np.float32(2.34375))
xf.tofile(here / "engine_input_uv.f32")
save("bp_zero_window_f32in", ss.sosfiltfilt(bp, xf, axis=0)[500:5500])
# No margins: scipy's odd extension at both ends is computed in float32 (odd_ext keeps the input's
# dtype). Large values with full mantissas, so that 2·x[0] − x[k] rounds in float32.
save("bp_zero_whole_f32in", ss.sosfiltfilt(bp, (x16.astype(np.float32) * np.float32(2343.75)) * np.float32(1.1), axis=0))

# CMR on float32 data.
y = ss.sosfiltfilt(bp, x16, axis=0).astype(np.float32)
y.tofile(here / "engine_cmr_input.f32")
save("cmr_global_median", y - np.median(y, axis=1, keepdims=True))
save("cmr_global_mean", y - np.mean(y, axis=1, keepdims=True))
ex = [2, 5]
keep = [c for c in range(C) if c not in ex]
save("cmr_global_median_excl", y - np.median(y[:, keep], axis=1, keepdims=True))
groups = np.array([0, 0, 0, 0, 1, 1, 1, 1])
g = y.copy()
for k in (0, 1):
    idx = np.flatnonzero(groups == k)
    g[:, idx] = y[:, idx] - np.median(y[:, idx], axis=1, keepdims=True)
save("cmr_group_median", g)


def si_chunked(x, sos, margin, chunk, zero):
    n = len(x)
    out = []
    for s in range(0, n, chunk):
        e = min(s + chunk, n)
        left = margin if s >= margin else s
        right = margin if e <= n - margin else n - e
        w = x[s - left:e + right]
        yy = ss.sosfiltfilt(sos, w, axis=0) if zero else ss.sosfilt(sos, w.astype(np.float64), axis=0)
        yy = yy[left:len(yy) - right]
        out.append(yy.astype(np.float32))
    return np.concatenate(out)


# The CLI cases: chunk 1500 samples (50 ms), margin "auto" (500), then CMR.
z = si_chunked(x16, bp, 500, 1500, True)
save("cli_bp_zero_median", z - np.median(z, axis=1, keepdims=True))
c = si_chunked(x16, hp, 500, 1500, False)
# SpikeInterface references each chunk as scipy returned it, Fortran-ordered (see the wide mean below).
c = np.asfortranarray(c)
save("cli_hp_causal_mean", c - np.mean(c, axis=1, keepdims=True))
ints = si_chunked(x16, bp, 500, 1500, True)
np.round(ints).astype(np.int16).tofile(here / "engine_cli_bp_zero_int16.i16")
refs["cases"]["cli_bp_zero_int16"] = "engine_cli_bp_zero_int16.i16"

# SpikeInterface's mean over a Neuropixels-wide row of a filter's float32 output. scipy returns the
# filtered traces Fortran-ordered (as `y` above), and numpy then sums the channels one after another
# in float32; an offset makes that rounding show.
wide = (np.random.default_rng(384).normal(0, 30, (64, 384)) + 500).astype(np.float32)
wide.tofile(here / "engine_cmr_wide_input.f32")
wide = np.asfortranarray(wide)
save("cmr_wide_mean", wide - np.mean(wide, axis=1, keepdims=True))
wide_keep = [c for c in range(384) if c not in (0, 191, 383)]
save("cmr_wide_mean_excl", wide - np.mean(wide[:, wide_keep], axis=1, keepdims=True))

(here / "engine_refs.json").write_text(json.dumps(refs, indent=1))
print("wrote", len(refs["cases"]), "cases and", len(refs["design"]), "designs")
