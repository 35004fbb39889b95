#!/usr/bin/env python3
"""Writes small labelled PNG folders (one subfolder per class) from ../shared/data, for measuring
`slope train FOLDER --images` defaults on the kind of folder a person's first own set is.

    python3 Tests/Fixtures/scripts/make_image_folders.py /tmp/folders

Each folder: NAME/CLASS/IMAGE.png. Sources: Fashion-MNIST (28x28 gray) and sklearn digits (8x8,
0..16). Sizes are upscaled (nearest), gray or colour-tinted (a per-class-independent random tint
per image, so colour carries no label). Deterministic (numpy seed per folder).
"""
import gzip, os, struct, sys, zlib
import numpy as np

ROOT = os.path.join(os.path.dirname(__file__), "..", "..", "..", "..", "shared", "data")
if not os.path.isdir(ROOT):
    ROOT = "/work/shared/data"
FASHION = ["tshirt", "trouser", "pullover", "dress", "coat", "sandal", "shirt", "sneaker", "bag", "boot"]


def png(path, pixels):
    """pixels: uint8 [H, W] (gray) or [H, W, 3] (RGB)."""
    h, w = pixels.shape[:2]
    colour = pixels.ndim == 3
    raw = b"".join(b"\x00" + pixels[y].tobytes() for y in range(h))
    def chunk(kind, data):
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body) & 0xFFFFFFFF)
    header = struct.pack(">IIBBBBB", w, h, 8, 2 if colour else 0, 0, 0, 0)
    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def fashion():
    with gzip.open(os.path.join(ROOT, "fashion-mnist", "train-images-idx3-ubyte.gz")) as f:
        images = np.frombuffer(f.read(), np.uint8, offset=16).reshape(-1, 28, 28)
    with gzip.open(os.path.join(ROOT, "fashion-mnist", "train-labels-idx1-ubyte.gz")) as f:
        labels = np.frombuffer(f.read(), np.uint8, offset=8)
    return images, labels


def digits():
    rows = np.loadtxt(os.path.join(ROOT, "digits", "digits.csv"), delimiter=",", skiprows=1, dtype=np.int64)
    images = (rows[:, :64].reshape(-1, 8, 8) * 255 // 16).astype(np.uint8)
    return images, rows[:, 64]


def upscale(image, size):
    h = image.shape[0]
    index = (np.arange(size) * h // size)
    return image[index][:, index]


def write(out, name, source, classes, per_class, size, colour, seed):
    images, labels = source
    rng = np.random.default_rng(seed)
    folder = os.path.join(out, name)
    for label, class_name in classes:
        os.makedirs(os.path.join(folder, class_name), exist_ok=True)
        chosen = rng.choice(np.flatnonzero(labels == label), per_class, replace=False)
        for i, index in enumerate(chosen):
            image = upscale(images[index], size)
            if colour:
                tint = rng.uniform(0.3, 1.0, 3)
                background = rng.uniform(0, 80, 3)
                image = (background + image[..., None].astype(np.float64) * tint * (255 - background) / 255).astype(np.uint8)
            png(os.path.join(folder, class_name, f"{i:03d}.png"), image)
    print(folder, len(classes), "classes x", per_class, f"{size}x{size}", "colour" if colour else "gray")


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else "/tmp/folders"
    f, d = fashion(), digits()
    fc = lambda *ids: [(i, FASHION[i]) for i in ids]
    dc = lambda *ids: [(i, f"digit{i}") for i in ids]
    write(out, "fashion3-60-28", f, fc(1, 7, 8), 60, 28, False, 1)        # the case: trouser, sneaker, bag
    write(out, "fashion4-40-64c", f, fc(0, 1, 5, 8), 40, 64, True, 2)     # t-shirt, trouser, sandal, bag; colour
    write(out, "fashion3-100-96", f, fc(3, 7, 9), 100, 96, False, 3)      # dress, sneaker, boot
    write(out, "fashion4-30-48c", f, fc(1, 2, 7, 8), 30, 48, True, 4)     # trouser, pullover, sneaker, bag
    write(out, "digits3-60-32", d, dc(0, 1, 7), 60, 32, False, 5)
    write(out, "digits4-50-64c", d, dc(2, 3, 6, 9), 50, 64, True, 6)
    write(out, "digits3-30-96", d, dc(0, 4, 8), 30, 96, False, 7)
    write(out, "digits4-100-40", d, dc(1, 5, 6, 7), 100, 40, False, 8)


if __name__ == "__main__":
    main()
