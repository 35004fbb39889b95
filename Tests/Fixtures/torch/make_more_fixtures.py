# Makes small PyTorch/fastai reference files beyond ../shared/fixtures/fastai (all outputs are small
# enough to commit): torchvision blocks (BasicBlock, Bottleneck with groups) saved whole and as
# state_dicts, tensors of every dtype and a strided view, a pickle-protocol-4 save, a big-endian
# archive (made by rewriting a little-endian one), and a fastai vision export (a small CNN of torch
# layers, fastai's preprocessing) with a non-square Resize by pad and by squish, with test images of
# other sizes. Each NAME.json holds the inputs and what PyTorch/fastai computed.
# Usage: python make_more_fixtures.py OUT_DIR   (needs torch, torchvision, fastai==2.8.12, pillow)
import sys, os, json, io, zipfile, warnings
warnings.filterwarnings("ignore")
import numpy as np, torch, torchvision
from PIL import Image
OUT = os.path.abspath(sys.argv[1]); os.makedirs(OUT, exist_ok=True)
torch.manual_seed(0); torch.set_num_threads(1)

def save_json(name, obj):
    with open(os.path.join(OUT, name), "w") as f: json.dump(obj, f, allow_nan=False)

def blocks():
    from torchvision.models.resnet import BasicBlock, Bottleneck, conv1x1
    nn = torch.nn
    basic = BasicBlock(16, 32, stride=2, downsample=nn.Sequential(conv1x1(16, 32, 2), nn.BatchNorm2d(32)))
    bottle = Bottleneck(32, 8, stride=1, groups=2, base_width=32, downsample=nn.Sequential(conv1x1(32, 32), nn.BatchNorm2d(32)))
    net = nn.Sequential(basic, bottle, nn.AdaptiveMaxPool2d((2, 1)), nn.Flatten(), nn.Linear(64, 3))
    net.train(); net(torch.randn(4, 16, 9, 7)); net.eval()
    torch.save(net, os.path.join(OUT, "blocks_whole.pt"), pickle_protocol=4)
    torch.save(net.state_dict(), os.path.join(OUT, "blocks_state_dict.pth"))
    x = torch.randn(2, 16, 9, 7)
    with torch.no_grad(): y = net(x)
    save_json("blocks.json", {"x": x.tolist(), "y": y.tolist(), "architecture": repr(net)})

def dtypes():
    base = torch.randn(3, 4)
    tensors = {"f32": base, "f64": base.double(), "f16": base.half(), "bf16": base.bfloat16(), "i64": torch.arange(-3, 9).reshape(3, 4),
               "i32": torch.arange(12, dtype=torch.int32), "i16": torch.arange(-6, 6, dtype=torch.int16), "i8": torch.arange(-6, 6, dtype=torch.int8),
               "u8": torch.arange(250, 256, dtype=torch.uint8), "bool": torch.tensor([True, False, True]),
               "transposed": base.t(), "slice": base[1:, ::2], "scalar": torch.tensor(2.5)}
    torch.save(tensors, os.path.join(OUT, "dtypes.pth"))
    save_json("dtypes.json", {k: {"shape": list(v.shape), "values": v.float().flatten().tolist()} for k, v in tensors.items()})
    # The same archive rewritten big-endian: each storage's elements byte-swapped, byteorder "big".
    src = zipfile.ZipFile(os.path.join(OUT, "dtypes.pth"))
    sizes = {}
    pkl = [n for n in src.namelist() if n.endswith("data.pkl")][0]
    elem = {"FloatStorage": 4, "DoubleStorage": 8, "HalfStorage": 2, "BFloat16Storage": 2, "LongStorage": 8, "IntStorage": 4,
            "ShortStorage": 2, "CharStorage": 1, "ByteStorage": 1, "BoolStorage": 1}
    # storage key -> element size, from the pickle's persistent ids (an unpickler that builds nothing)
    import pickle
    class U(pickle.Unpickler):
        def find_class(self, m, n): return n if n.endswith("Storage") else (lambda *a, **k: None)
        def persistent_load(self, pid): sizes[pid[2]] = elem[pid[1]]; return None
    U(io.BytesIO(src.read(pkl))).load()
    out = zipfile.ZipFile(os.path.join(OUT, "dtypes_big_endian.pth"), "w", zipfile.ZIP_STORED)
    for name in src.namelist():
        data = src.read(name)
        if name.endswith("/byteorder"): data = b"big"
        key = name.split("/data/")[-1] if "/data/" in name else None
        if key in sizes and sizes[key] > 1:
            k = sizes[key]; data = b"".join(data[i:i + k][::-1] for i in range(0, len(data), k))
        out.writestr(name, data)
    out.close()

def vision_export():
    from fastai.vision.all import (ImageDataLoaders, Resize, ResizeMethod, PadMode, Learner, Normalize, imagenet_stats, set_seed,
                                   CrossEntropyLossFlat, load_learner)
    nn = torch.nn
    root = os.path.join(OUT, "small_vision-images")
    rng = np.random.default_rng(0)
    for c in ("dots", "stripes"):
        os.makedirs(f"{root}/train/{c}", exist_ok=True)
        for i in range(24):
            a = rng.integers(0, 60, (30, 44, 3), dtype=np.uint8)
            if c == "stripes": a[:, ::4] = 230
            else: a[::5, ::5] = 240
            Image.fromarray(a).save(f"{root}/train/{c}/{i}.png")
    results = {}
    for name, resize in (("small_vision_pad", Resize((24, 32), method=ResizeMethod.Pad, pad_mode=PadMode.Zeros)),
                         ("small_vision_squish", Resize((24, 32), method=ResizeMethod.Squish))):
        set_seed(0, reproducible=True)
        dls = ImageDataLoaders.from_folder(f"{root}/train", valid_pct=0.25, seed=0, item_tfms=resize,
                                           batch_tfms=[Normalize.from_stats(*imagenet_stats)], bs=8)
        model = nn.Sequential(nn.Conv2d(3, 8, 3, padding=1), nn.BatchNorm2d(8), nn.ReLU(), nn.MaxPool2d(2),
                              nn.Conv2d(8, 8, 3, stride=2, padding=1), nn.ReLU(), nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(8, 2))
        learn = Learner(dls, model, loss_func=CrossEntropyLossFlat())
        with learn.no_bar(), learn.no_logging(): learn.fit(1, 1e-2)
        path = os.path.join(OUT, f"{name}.pkl"); learn.export(path)
        loaded = load_learner(path)
        os.makedirs(f"{root}/test", exist_ok=True)
        tests = []
        for j, (w, h) in enumerate([(44, 30), (20, 50), (64, 64), (17, 9)]):
            a = rng.integers(0, 255, (h, w, 3), dtype=np.uint8)
            f = f"{root}/test/{name}-{j}-{w}x{h}.png"; Image.fromarray(a).save(f); tests.append(f)
        preds, _ = loaded.get_preds(dl=loaded.dls.test_dl(tests))
        save_json(f"{name}.json", {"model": f"{name}.pkl", "classes": list(loaded.dls.vocab), "images": [os.path.relpath(f, OUT) for f in tests],
                                   "predictions": preds.tolist()})
    import shutil; shutil.rmtree(f"{root}/train")

if __name__ == "__main__":
    which = sys.argv[2:] or ["blocks", "dtypes", "vision_export"]
    for name in which: globals()[name]()
    print("saved to", OUT)
