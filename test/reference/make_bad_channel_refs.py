"""Bad-channel references for the engine's unit tests, made with numpy/scipy (run: python3 make_bad_channel_refs.py).

spikeinterface is not installed here; SI's detect_bad_channels_ibl / detect_bad_channels (std, mad)
and interpolate_bad_channels (kriging weights) are re-implemented from its source in float32, as SI
runs them on float32 µV chunks. The input is one synthetic chunk (1500 × 48, µV) with a dead channel
(10), a noisy one (30), and four channels at the top (44–47) that miss the shared signal (outside
the brain). Writes bad_refs.json and bad_input.f32.
"""
import json
import pathlib

import numpy as np
import scipy
import scipy.signal
import scipy.spatial
import scipy.stats

here = pathlib.Path(__file__).resolve().parent
rng = np.random.default_rng(8)
FS = 30000.0
T, C = 1500, 48
common = scipy.signal.sosfilt(scipy.signal.butter(4, 3000, fs=FS, output="sos"), rng.normal(0, 60, T))
x = rng.normal(0, 5, (T, C)) + common[:, None]
x[:, 10] = 0
x[:, 30] = rng.normal(0, 100, T)
x[:, 44:] = rng.normal(0, 5, (T, 4))
x = x.astype(np.float32)
x.tofile(here / "bad_input.f32")


def detrend(v, nmed):
    ntap = int(np.ceil(nmed / 2))
    xf = np.r_[np.zeros(ntap) + v[0], v, np.zeros(ntap) + v[-1]]
    xf = scipy.signal.medfilt(xf, nmed)[ntap:-ntap]
    return v - xf


def ibl(raw, fs, psd_hf_threshold=0.02, dead=-0.5, noisy=1.0, outside=-0.75, n_neighbors=11, nyq=0.8, welch_ms=10.0):
    _, nc = raw.shape
    raw = raw - np.mean(raw, axis=0)[np.newaxis, :]
    nperseg = int(welch_ms * fs / 1000)
    fscale, psd = scipy.signal.welch(raw, fs=fs, axis=0, window="hann", nperseg=nperseg)
    ref = np.median(raw, axis=1)
    xcorr = np.sum(raw * ref[:, np.newaxis], axis=0) / np.sum(ref**2)
    xn = detrend(xcorr, n_neighbors)
    xd = xcorr - detrend(xcorr, n_neighbors) - 1
    psd_hf = np.mean(psd[fscale > (fs / 2 * nyq), :], axis=0)
    lab = np.zeros(nc, dtype=int)
    lab[np.where(xn < dead)[0]] = 1
    lab[np.where(np.logical_or(psd_hf > psd_hf_threshold, xn > noisy))[0]] = 2
    io = np.where(xd < outside)[0]
    if io.size > 0 and (io[-1] == nc - 1 or io[0] == 0):
        a = np.cumsum(np.r_[0, np.diff(io) - 1])
        lab[io[a == np.max(a)]] = 3
    return lab, xcorr, xn, xd, psd_hf


lab, xcorr, xn, xd, psd_hf = ibl(x, FS)
std = np.std(x, axis=0)
mad = scipy.stats.median_abs_deviation(x, axis=0)

# NP1.0 positions of channels 0..47 (staggered columns, 20 µm rows); bad 10 and 30.
pos = np.array([[(27 if (c // 2) % 2 == 0 else 11) + (c % 2) * 32, (c // 2) * 20] for c in range(C)], float)
bad = [10, 30]
good = [c for c in range(C) if c not in bad]
sigma = scipy.stats.mode(np.diff(np.unique(np.sort(pos[:, 1]))), keepdims=False)[0]
w = np.exp(-((scipy.spatial.distance.cdist(pos[good], pos[bad]) / sigma) ** 1.3))
w[w < 0.005] = 0
w /= np.sum(w, axis=0)[None, :]
w[np.logical_or(w < 0.005, np.isnan(w))] = 0
interp = x.copy()
interp[:, bad] = np.matmul(x[:, good], w.astype(np.float32))  # SI: traces[:, good] @ weights, float32
interp.tofile(here / "bad_interpolated.f32")

refs = {
    "numpy": np.__version__, "scipy": scipy.__version__, "fs": FS, "rows": T, "channels": C, "input": "bad_input.f32",
    "ibl": {"labels": lab.tolist(), "xcorr": xcorr.tolist(), "xcorrNeighbors": xn.tolist(), "xcorrDistant": xd.tolist(), "psdHf": psd_hf.tolist()},
    "std": std.astype(float).tolist(), "mad": mad.astype(float).tolist(),
    "positions": pos.tolist(), "bad": bad, "sigma": float(sigma), "interpolated": "bad_interpolated.f32",
}
(here / "bad_refs.json").write_text(json.dumps(refs, indent=1))
print("labels", lab.tolist())
