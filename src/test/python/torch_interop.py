"""The PyTorch side of PyTorchInteropTest: safetensors read and written with json and numpy only
(Debian's python3-torch has no safetensors package), models built with torch.nn.

  torch_interop.py load MODEL IO   load tensorj's weights into torch; check torch's outputs on IO's x
                                   against tensorj's (IO's y); exit 1 when they differ
  torch_interop.py save MODEL IO   train a torch model, write its state_dict to MODEL, and to IO an
                                   input x (F64, and F16 as x16) and torch's outputs y (F32)
"""
import json
import struct
import sys

import numpy as np
import torch

CODES = {"F32": np.float32, "F64": np.float64, "F16": np.float16, "I64": np.int64, "BOOL": np.bool_}


def model():
    # The same layers as the Java test's new Sequential(new Linear(4, 8), new BatchNorm1d(8), new ReLU(), new Linear(8, 3)).
    return torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.BatchNorm1d(8), torch.nn.ReLU(), torch.nn.Linear(8, 3))


def read(path):
    with open(path, "rb") as f:
        raw = f.read()
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8:8 + n])
    header.pop("__metadata__", None)
    data = raw[8 + n:]
    out = {}
    for name, entry in header.items():
        begin, end = entry["data_offsets"]
        little = np.dtype(CODES[entry["dtype"]]).newbyteorder("<")
        array = np.frombuffer(data[begin:end], dtype=little).reshape(entry["shape"])
        out[name] = torch.from_numpy(array.astype(array.dtype.newbyteorder("=")))
    return out


def write(path, tensors):
    names = {np.dtype(v): k for k, v in CODES.items()}
    header, blobs, offset = {}, [], 0
    for name, t in tensors.items():
        array = t.detach().cpu().numpy()
        blob = array.astype(array.dtype.newbyteorder("<")).tobytes()
        header[name] = {"dtype": names[array.dtype], "shape": list(array.shape), "data_offsets": [offset, offset + len(blob)]}
        blobs.append(blob)
        offset += len(blob)
    text = json.dumps(header).encode("utf-8")
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text + b"".join(blobs))


def load(model_path, io_path):
    m = model()
    missing, unexpected = m.load_state_dict(read(model_path), strict=False)
    # tensorj's BatchNorm1d has no num_batches_tracked (it only matters for momentum=None); torch's
    # BatchNorm fills it in itself for a state dict without version metadata, as ours is.
    assert set(missing) <= {"1.num_batches_tracked"} and list(unexpected) == [], (missing, unexpected)
    m.eval()
    io = read(io_path)
    with torch.no_grad():
        y = m(io["x"].float())
    print("max |torch - tensorj| =", (y - io["y"]).abs().max().item())
    sys.exit(0 if torch.allclose(y, io["y"], rtol=1e-5, atol=1e-5) else 1)


def save(model_path, io_path):
    torch.manual_seed(0)
    m = model()
    opt = torch.optim.SGD(m.parameters(), lr=0.1)
    for _ in range(20):
        x, target = torch.randn(16, 4), torch.randn(16, 3)
        opt.zero_grad()
        torch.nn.functional.mse_loss(m(x), target).backward()
        opt.step()
    m.eval()
    x = torch.randn(6, 4, dtype=torch.float64)
    with torch.no_grad():
        y = m(x.float())
    write(model_path, m.state_dict())
    write(io_path, {"x": x, "x16": x.half(), "y": y})
    print("saved", list(m.state_dict().keys()))


if __name__ == "__main__":
    {"load": load, "save": save}[sys.argv[1]](sys.argv[2], sys.argv[3])
