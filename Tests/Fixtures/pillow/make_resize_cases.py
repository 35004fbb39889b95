# Pillow's resize((W, H), BILINEAR) of small RGB images, pixel for pixel, for checking Slope's copy of it
# (Data/Images/FastAIResize.swift). The input is a formula both sides compute: pixel (x, y), channel c is
# (x * 37 + y * 101 + c * 59 + (x * y) % 23 * 11) % 256. The cases cover every pass order Pillow 13 chooses
# (both sizes up, both down, one up and one down, and the tie of Pillow PR 9549's rule).
# Usage: python make_resize_cases.py > resize_cases.json   (needs: pip install pillow; made with Pillow 13.0.0)
import json, numpy as np, PIL
from PIL import Image

def source(w, h):
    a = np.zeros((h, w, 3), np.uint8)
    for y in range(h):
        for x in range(w):
            for c in range(3): a[y, x, c] = (x * 37 + y * 101 + c * 59 + (x * y) % 23 * 11) % 256
    return Image.fromarray(a)

sizes = [(9, 7, 14, 11), (14, 11, 9, 7), (6, 17, 11, 5), (17, 6, 5, 11), (12, 20, 10, 8), (20, 12, 8, 10),
         (15, 15, 13, 8), (15, 15, 8, 13), (10, 21, 8, 17), (10, 21, 8, 16), (24, 52, 12, 13), (30, 9, 7, 4),
         (5, 5, 16, 3), (3, 29, 1, 7), (7, 3, 2, 9), (16, 16, 15, 3), (13, 40, 12, 9), (40, 13, 9, 12)]
cases = []
for (w, h, W, H) in sizes:
    out = np.asarray(source(w, h).resize((W, H), Image.BILINEAR))
    cases.append({"width": w, "height": h, "targetWidth": W, "targetHeight": H, "pixels": out.tobytes().hex()})
print(json.dumps({"pillow": PIL.__version__, "cases": cases}, indent=0))
