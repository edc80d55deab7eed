"""References for the view statistics: scipy.signal.welch of two channels of the engine's µV test
input, and numpy RMS / peak-to-peak / threshold crossings (median − 2σ) of every channel, σ the MAD
around each channel's median (its offset is no noise). Writes view_refs.json."""
import json
from pathlib import Path

import numpy as np
import scipy.signal as ss

here = Path(__file__).parent
refs = json.loads((here / "engine_refs.json").read_text())
x = np.fromfile(here / "engine_input_uv.f32", dtype="<f4").reshape(-1, refs["channels"])
fs = refs["fs"]
f, p = ss.welch(x[:, [1, 5]].astype(np.float64), fs=fs, nperseg=256, axis=0)
centre = np.median(x, axis=0)
sigma = np.median(np.abs(x - centre), axis=0) / 0.6745
below = x < centre - 2 * sigma
crossings = np.sum(below[1:] & ~below[:-1], axis=0)  # downward crossings of median − 2σ
out = {
    "welch": {"channels": [1, 5], "nperseg": 256, "freqs": f.tolist(), "psd": p.T.tolist()},
    "rms": np.sqrt(np.mean(x.astype(np.float64) ** 2, axis=0)).tolist(),
    "ptp": np.ptp(x, axis=0).astype(float).tolist(),
    "crossings": crossings.astype(int).tolist(),
    "sigma": sigma.astype(float).tolist(),
}
(here / "view_refs.json").write_text(json.dumps(out))
