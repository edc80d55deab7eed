"""Reads a ProbeDeck export back the way a sorter's Python side would, and prints what it found as
JSON: the test compares it with the source's metadata. Only numpy and the standard library."""
import json
import sys
from pathlib import Path

import numpy as np


def si_folder(folder: Path):
    binary = json.loads((folder / "binary.json").read_text())
    top = json.loads((folder / "si_folder.json").read_text())
    kw = binary["kwargs"]
    assert binary["class"].endswith(".BinaryRecordingExtractor") and binary["relative_paths"], binary["class"]
    assert top["class"].endswith(".BinaryFolderRecording"), top["class"]
    traces = np.memmap(folder / kw["file_paths"][0], dtype=kw["dtype"], mode="r", offset=kw["file_offset"])
    traces = traces.reshape(-1, kw["num_channels"])
    props = {p.stem: np.load(p, allow_pickle=False) for p in (folder / "properties").glob("*.npy")}
    # As SpikeInterface loads a folder: 0.105 on reads probegroup.json first, up to 0.104 only probe.json.
    new_probe = json.loads((folder / "probegroup.json").read_text())
    old_probe = json.loads((folder / "probe.json").read_text())
    probe = new_probe["probes"][0]
    return {
        "fs": kw["sampling_frequency"],
        "num_channels": kw["num_channels"],
        "channel_ids": [str(c) for c in kw["channel_ids"]],
        # None for an unscaled folder (no gain given), as SpikeInterface saves one.
        "gains": None if kw["gain_to_uV"] is None else [float(g) for g in kw["gain_to_uV"]],
        "prop_gains": props["gain_to_uV"].astype(float).tolist() if "gain_to_uV" in props else None,
        "prop_ids": [str(c) for c in props["channel_name"]],
        "locations": props["location"].tolist(),
        "groups": props["group"].tolist(),
        "probe_positions": probe["contact_positions"],
        "probe_ids": probe["contact_ids"],
        "device_channel_indices": probe["device_channel_indices"],
        "shape": list(traces.shape),
        "dtype": str(traces.dtype),
        "probe_json_same": new_probe == old_probe,
        "probe_json_spec": [old_probe["specification"], len(old_probe["probes"])],
        "channel_labels": [str(v) for v in props["channel_labels"]],
        "inter_sample_shift": props["inter_sample_shift"].tolist() if "inter_sample_shift" in props else None,
        "rms": float(np.sqrt(np.mean(traces[:, :].astype(np.float64) ** 2))),
    }


def raw_f32(folder: Path):
    side = json.loads((folder / "recording.json").read_text())
    traces = np.fromfile(folder / side["file"], dtype="<f4").reshape(-1, side["numChannels"])
    return {"fs": side["samplingFrequency"], "units": side["units"], "shape": list(traces.shape), "num_samples": side["numSamples"]}


def kilosort(folder: Path):
    params = {}
    exec((folder / "params.py").read_text(), {}, params)
    ks = json.loads((folder / "probe_kilosort.json").read_text())
    traces = np.fromfile(folder / params["dat_path"], dtype=params["dtype"]).reshape(-1, params["n_channels_dat"])
    channels = json.loads((folder / "channels.json").read_text())
    return {
        "fs": params["sample_rate"],
        "n_chan": ks["n_chan"],
        "chanMap": ks["chanMap"],
        "xc": ks["xc"],
        "yc": ks["yc"],
        "hp_filtered": params["hp_filtered"],
        "bad_channels": params["bad_channels"],
        "bad": {c["row"]: c["bad"] for c in channels if c["bad"] is not None},
        "shape": list(traces.shape),
    }


if __name__ == "__main__":
    kind, folder = sys.argv[1], Path(sys.argv[2])
    print(json.dumps({"si-binary": si_folder, "raw-f32": raw_f32, "kilosort": kilosort}[kind](folder)))
