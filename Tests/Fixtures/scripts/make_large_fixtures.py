# Makes reference files too large to commit (45-100 MB each), for checking Slope on exports it has not seen:
# fastai vision learners with resnet34 and resnet50 bodies (other classes, other Resize methods, non-square
# sizes, pickle protocol 4 for one of them) and torchvision resnet18/34/50 state_dicts with their outputs.
# Usage: python make_large_fixtures.py OUT_DIR   (needs: pip install fastai==2.8.12 torch==2.15.0 pillow)
# Then: SLOPE_LARGE_FIXTURES=OUT_DIR swift test --filter LargeCheckpointTests
import sys, os, json, gzip, warnings, pickle, shutil
warnings.filterwarnings("ignore")
import numpy as np, torch, torchvision
from PIL import Image
from fastai.vision.all import (ImageDataLoaders, Resize, ResizeMethod, PadMode, Normalize, imagenet_stats, set_seed,
                               vision_learner, load_learner, accuracy, resnet34, resnet50)
torch.set_num_threads(2)
OUT = sys.argv[1]; os.makedirs(OUT, exist_ok=True)
DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "..", "shared", "data")
if len(sys.argv) > 2: DATA = sys.argv[2]

def save_json(name, obj):
    with open(os.path.join(OUT, name), "w") as f: json.dump(obj, f, allow_nan=False)

def vision(name, classes, resize, arch, normalize, protocol, count=40):
    src = f"{DATA}/fashion-mnist"
    img = np.frombuffer(gzip.open(f"{src}/t10k-images-idx3-ubyte.gz").read()[16:], np.uint8).reshape(-1, 28, 28)
    lab = np.frombuffer(gzip.open(f"{src}/t10k-labels-idx1-ubyte.gz").read()[8:], np.uint8)
    root = os.path.join(OUT, f"{name}-images")
    for c, n in classes.items():
        os.makedirs(f"{root}/train/{n}", exist_ok=True)
        for i, k in enumerate(np.where(lab == c)[0][:count]):
            Image.fromarray(img[k]).convert("RGB").save(f"{root}/train/{n}/{i}.png")
    set_seed(0, reproducible=True)
    tfms = [Normalize.from_stats(*imagenet_stats)] if normalize else []
    dls = ImageDataLoaders.from_folder(f"{root}/train", valid_pct=0.2, seed=0, item_tfms=resize, batch_tfms=tfms, bs=16)
    learn = vision_learner(dls, arch, pretrained=False, metrics=accuracy)
    with learn.no_bar(), learn.no_logging(): learn.fit_one_cycle(1, 1e-3)
    path = os.path.join(OUT, f"{name}.pkl"); learn.export(path, pickle_protocol=protocol)
    loaded = load_learner(path)
    tests = []
    os.makedirs(f"{root}/test", exist_ok=True)
    for c, n in classes.items():
        for j, k in enumerate(np.where(lab == c)[0][count:count + 2]):
            for (w, h) in [(28, 28), (45, 30), (24, 52)]:
                f = f"{root}/test/{n}-{j}-{w}x{h}.png"
                Image.fromarray(img[k]).convert("RGB").resize((w, h), Image.BILINEAR).save(f); tests.append(f)
    preds, _ = loaded.get_preds(dl=loaded.dls.test_dl(tests))
    save_json(f"{name}.json", {"model": f"{name}.pkl", "kind": "image", "classes": list(loaded.dls.vocab),
              "images": [os.path.relpath(f, OUT) for f in tests], "predictions": preds.tolist()})
    shutil.rmtree(f"{root}/train")
    print(name, "saved")

def state_dicts():
    for arch in ("resnet18", "resnet34", "resnet50"):
        torch.manual_seed(0)
        net = getattr(torchvision.models, arch)(num_classes=5)
        net.train(); net(torch.randn(4, 3, 40, 56)); net.eval()    # running statistics move off their start
        torch.save(net.state_dict(), os.path.join(OUT, f"{arch}_state_dict.pth"))
        x = torch.randn(2, 3, 40, 56)
        with torch.no_grad(): y = net(x)
        save_json(f"{arch}_state_dict.json", {"model": f"{arch}_state_dict.pth", "architecture": f"torchvision.models.{arch}(num_classes=5)",
                  "x": x.tolist(), "y": y.tolist()})
        print(arch, "state_dict saved")

if __name__ == "__main__":
    vision("fashion3_resnet34", {1: "trouser", 8: "bag", 9: "boot"}, Resize(36), resnet34, True, 2)
    vision("fashion4_resnet50", {0: "tshirt", 3: "dress", 5: "sandal", 7: "sneaker"},
           Resize((32, 48), method=ResizeMethod.Squish), resnet50, False, 4)
    vision("fashion3_resnet34_pad", {2: "pullover", 6: "shirt", 4: "coat"},
           Resize((40, 32), method=ResizeMethod.Pad, pad_mode=PadMode.Zeros), resnet34, True, 4)
    state_dicts()
    print("saved to", OUT)
