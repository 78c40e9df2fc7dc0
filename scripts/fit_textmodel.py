#!/usr/bin/env python3
"""Refit the line model of pasted text (clipper/core/data/textmodel.json) on the dev corpora.

    .venv/bin/python scripts/fit_textmodel.py                  # fit on all pages, write the model
    .venv/bin/python scripts/fit_textmodel.py --holdout        # fit on each half, score the other
    .venv/bin/python scripts/fit_textmodel.py --title-only     # refit the title ranker only

Labels: a line of a page's pasted text is "article" when most of its word 4-grams are in the
page's true article text (corpus/ground-truth.json); for the multilingual corpus, whose truth
is only a few sentences per page, when the page's saved HTML as extracted by Clipper and by
trafilatura both hold it (lines where they disagree are left out), and the corpus's sentences
that must (not) be in the note override both. The model is a logistic regression per line over
:mod:`clipper.core.textmodel`'s features (two passes), and the cost of a gap inside the
article is chosen on the training pages. Halves are split by a hash of the page's key: every
page is from a different site, so a half is also a set of sites the model has not seen.
Needs only the project's own dependencies.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import itertools
import json
import math
import random
import re
import sys
import unicodedata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from clipper.core import plaintext, textmodel  # noqa: E402
from clipper.core.mojibake import repair  # noqa: E402

TOKEN = re.compile(r"\w+")


def half(key: str) -> int:
    return int(hashlib.md5(key.encode()).hexdigest(), 16) % 2


# --- pages and labels -----------------------------------------------------------------------

def _grams(text: str):
    toks = [t.casefold() for t in TOKEN.findall(text)]
    four = {tuple(toks[i:i + 4]) for i in range(len(toks) - 3)}
    small = {n: {tuple(toks[i:i + n]) for i in range(len(toks) - n + 1)} for n in (1, 2, 3)}
    return four, small


def _labels(blocks, truth: str) -> list[tuple[int, float]]:
    """(label, weight) per block against one true text."""
    four, small = _grams(truth)
    out: list[list] = []
    for b in blocks:
        toks = [t.casefold() for t in b.tokens]
        if len(toks) >= 4:
            sh = [tuple(toks[i:i + 4]) for i in range(len(toks) - 3)]
            frac = sum(s in four for s in sh) / len(sh)
            out.append([int(frac >= 0.5), 1.0 if frac < 0.2 or frac > 0.8 else 0.4])
        elif toks:
            out.append([int(tuple(toks) in small[len(toks)]), 0.5])
        else:
            out.append([0, 0.2])
    # a short line is the article's only next to one of its long lines
    long_pos = [len(b.tokens) >= 4 and out[i][0] == 1 for i, b in enumerate(blocks)]
    for i, b in enumerate(blocks):
        if 0 < len(b.tokens) < 4 and out[i][0]:
            lo, hi = max(0, i - 3), min(len(blocks), i + 4)
            if not any(long_pos[lo:hi]):
                out[i][0] = 0
    return [(a, w) for a, w in out]


def _md_words(md: str) -> str:
    md = re.sub(r"\A---\n.*?\n---\n", "", md or "", flags=re.S)
    return re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", md)


def _norm(s: str) -> str:
    return " ".join(unicodedata.normalize("NFC", s).split())


def load_pages(corpus: Path, multilingual: Path, use_trafilatura: bool = True,
               cache: Path | None = None) -> list[dict]:
    """The dev pages with their line labels. What the saved HTML gives (Clipper's and
    trafilatura's article text, the title) is kept in ``cache`` if given: refitting after a
    change of the line features then needs no HTML extraction."""
    pages = []
    truth = json.loads((corpus / "ground-truth.json").read_text(encoding="utf-8"))
    from clipper.core.convert import element_to_markdown
    from clipper.core.extract import extract_article
    from clipper.core.inputs import page_from_html_file

    stored = {}
    if cache and cache.exists():
        stored = json.loads(cache.read_text(encoding="utf-8"))

    def from_html(path, data, url):
        """The saved page's article text and title as Clipper extracts them ("" if refused)."""
        key = "ours:" + path.name
        if key not in stored:
            try:
                page = page_from_html_file(path, data)
                art = extract_article(page.html, url=url)
                stored[key] = [_md_words(element_to_markdown(art.body)), repair(art.title or "")]
            except Exception:  # noqa: BLE001 -- a page the extractor refuses gives no labels
                stored[key] = ["", ""]
        return tuple(stored[key])

    def by_trafilatura(path, data):
        key = "trafilatura:" + path.name
        if key not in stored:
            stored[key] = trafilatura.extract(data) or ""
        return stored[key]

    for key in sorted(truth):
        raw = (corpus / "pasted" / f"{key}.txt").read_text(encoding="utf-8")
        html = gzip.decompress((corpus / "html" / f"{key}.html.gz").read_bytes())
        _, html_title = from_html(corpus / "html" / f"{key}.html", html, truth[key].get("url"))
        text = repair(raw)
        blocks = plaintext.blocks_of(text)
        site = plaintext.find_site([b.text for b in blocks], None)[0]
        pages.append({"key": key, "set": "en", "site": site, "html_title": html_title, "raw": raw,
                      "blocks": blocks, "labels": _labels(blocks, truth[key]["articleBody"]),
                      "truth": truth[key]["articleBody"]})
    cases = json.loads((multilingual / "cases.json").read_text(encoding="utf-8"))
    if use_trafilatura:
        import trafilatura
    for key in sorted(cases):
        path = multilingual / "pasted" / f"{key}.txt"
        if not path.exists():
            continue
        raw = path.read_text(encoding="utf-8")
        blocks = plaintext.blocks_of(repair(raw))
        site = plaintext.find_site([b.text for b in blocks], None)[0]
        html = gzip.decompress((multilingual / "html" / f"{key}.html.gz").read_bytes())
        ours, html_title = from_html(path.with_suffix(".html"), html, cases[key]["url"])
        a = _labels(blocks, ours)
        if use_trafilatura:
            b = _labels(blocks, by_trafilatura(path, html))
            labels = [(x, min(wx, wy) if x == y else 0.0) for (x, wx), (y, wy) in zip(a, b)]
        else:
            labels = a
        case = cases[key]
        for i, blk in enumerate(blocks):
            t = _norm(blk.text)
            if any(_norm(s) in t for s in case["without"] if len(_norm(s)) >= 8):
                labels[i] = (0, 3.0)
            elif any(_norm(s) in t for s in case["with"] if len(_norm(s)) >= 8):
                labels[i] = (1, 3.0)
        pages.append({"key": key, "set": "ml", "site": site, "html_title": html_title, "raw": raw,
                      "blocks": blocks, "labels": labels, "case": case})
    if cache:
        cache.write_text(json.dumps(stored, ensure_ascii=False), encoding="utf-8")
    return pages


# --- fitting --------------------------------------------------------------------------------

EN_WEIGHT = 2.0  # the English corpus's labels are exact; the multilingual ones partly inferred
TITLE_L2 = 3e-3  # the title ranker has ~50 features and a few hundred pages: held-out agreement was best here


def _weight(page, w):
    return w * min(1.0, 150 / max(1, len(page["blocks"]))) * (EN_WEIGHT if page["set"] == "en" else 1.0)


def fit_lr(rows, dim, epochs=12, lr=0.2, l2=1e-5, seed=1):
    """Logistic regression by Adagrad over sparse rows [(idx, val)], label, weight."""
    w = [0.0] * dim
    g2 = [1e-8] * dim
    rnd = random.Random(seed)
    order = list(range(len(rows)))
    for _ in range(epochs):
        rnd.shuffle(order)
        for k in order:
            x, y, wt = rows[k]
            z = sum(w[i] * v for i, v in x)
            z = max(-30.0, min(30.0, z))
            p = 1 / (1 + math.exp(-z))
            g = (p - y) * wt
            for i, v in x:
                gi = g * v + l2 * w[i]
                g2[i] += gi * gi
                w[i] -= lr * gi / math.sqrt(g2[i])
    return w


def fit_softmax(lists, dim, epochs=40, lr=0.2, l2=1e-4, seed=1):
    """A linear ranker: per list, softmax over its items, the likelihood of the good ones (a list
    may carry a weight as a third item)."""
    w = [0.0] * dim
    g2 = [1e-8] * dim
    rnd = random.Random(seed)
    order = list(range(len(lists)))
    for _ in range(epochs):
        rnd.shuffle(order)
        for k in order:
            xs, ys = lists[k][:2]
            weight = lists[k][2] if len(lists[k]) > 2 else 1.0
            zs = [sum(w[i] * v for i, v in x) for x in xs]
            top = max(zs)
            es = [math.exp(z - top) for z in zs]
            total = sum(es)
            good = sum(e for e, y in zip(es, ys) if y) or 1e-12
            grad: dict[int, float] = {}
            for x, e, y in zip(xs, es, ys):
                coef = (e / total - (e / good if y else 0.0)) * weight
                for i, v in x:
                    grad[i] = grad.get(i, 0.0) + coef * v
            for i, gi in grad.items():
                gi += l2 * w[i]
                g2[i] += gi * gi
                w[i] -= lr * gi / math.sqrt(g2[i])
    return w


def _sparse(vec):
    return [(i, v) for i, v in enumerate(vec) if v]


def _rows(pages, feats_of):
    rows = []
    for page in pages:
        for vec, b, (y, wt) in zip(feats_of(page), page["blocks"], page["labels"]):
            words = 1 + math.log1p(b.words)
            if wt > 0:
                rows.append((_sparse(vec), y, _weight(page, wt * words)))
    return rows


def _line_f1(pages, z_of, params):
    """Mean over pages of the word-weighted F1 of the decoded article lines."""
    total = 0.0
    for page in pages:
        start, end, dropped = textmodel.decode(z_of(page), page["blocks"], params)
        tp = fp = fn = 0.0
        for i, (b, (y, wt)) in enumerate(zip(page["blocks"], page["labels"])):
            if wt <= 0:
                continue
            kept = start <= i < end and i not in dropped
            n = max(1, b.words)
            tp += n * (kept and y)
            fp += n * (kept and not y)
            fn += n * (not kept and y)
        total += 2 * tp / (2 * tp + fp + fn) if tp else (1.0 if not fn and not fp else 0.0)
    return total / max(1, len(pages))


def _tune(pages, z_of, log, name):
    """The decoding parameters with the best line F1 on these pages (a small grid)."""
    zs = {id(p): z_of(p) for p in pages}

    def f1(params):
        return _line_f1(pages, lambda p: zs[id(p)], params)
    best, best_f1 = None, -1.0
    for tau, base, gap, gap_line, rel_tau in itertools.product(
            (0.3, 0.4, 0.5), (4.0, 10.0), (5.0, 15.0), (0.5, 1.5), (0.5, 1.0)):
        params = {"tau": tau, "base": base, "gap": gap, "gap_line": gap_line, "rel_tau": rel_tau}
        f = f1(params)
        if f > best_f1:
            best, best_f1 = params, f
    log(f"  {name}: {best}, line F1 {best_f1:.3f}")
    return best


def _kept(page, z, params):
    start, end, dropped = textmodel.decode(z, page["blocks"], params)
    return [start <= i < end and i not in dropped for i in range(len(page["blocks"]))], start, end


def fit(pages, log=print) -> dict:
    """Fit both passes on ``pages``. The second pass learns from first-pass scores that the
    first pass gave without having seen the page (two folds), as it will meet them."""
    for page in pages:
        page["f1"] = textmodel.features(page["blocks"], page["site"])
    w1 = fit_lr(_rows(pages, lambda p: p["f1"]), len(textmodel.FEATURES))
    first = dict(zip(textmodel.FEATURES, w1))
    decode1 = _tune(pages, lambda p: textmodel.scores(p["f1"], first), log, "first pass")
    folds = [[p for p in pages if half(p["key"] + "/fold") == f] for f in (0, 1)]
    for f in (0, 1):
        wf = fit_lr(_rows(folds[1 - f], lambda p: p["f1"]), len(textmodel.FEATURES))
        wf = dict(zip(textmodel.FEATURES, wf))
        for page in folds[f]:
            z = textmodel.scores(page["f1"], wf)
            kept, start, end = _kept(page, z, decode1)
            title = plaintext._title_text(page["blocks"], start, page["site"]) if end > start else ""
            page["f2"] = textmodel.second_features(page["blocks"], page["f1"], z, kept, title)
    w2 = fit_lr(_rows(pages, lambda p: p["f2"]), len(textmodel.FEATURES2))
    second = dict(zip(textmodel.FEATURES2, w2))
    for page in pages:  # as at run time: second-pass features from the full first pass
        z = textmodel.scores(page["f1"], first)
        kept, start, end = _kept(page, z, decode1)
        title = plaintext._title_text(page["blocks"], start, page["site"]) if end > start else ""
        page["f2"] = textmodel.second_features(page["blocks"], page["f1"], z, kept, title)
    decode2 = _tune(pages, lambda p: textmodel.scores(p["f2"], second, textmodel.FEATURES2), log,
                    "second pass")
    title = fit_title(pages, second, decode2, log)
    return {"first": {k: round(v, 5) for k, v in first.items()},
            "second": {k: round(v, 5) for k, v in second.items()}, "decode1": decode1, "decode2": decode2,
            "title": title}


def _tnorm(s: str) -> str:
    return " ".join(re.sub(r"[^\w]+", " ", (s or "").casefold()).split())


def same_title(a: str, b: str) -> bool:
    """The benchmark's loose agreement: equal, or one holds the other and half its length."""
    a, b = _tnorm(a), _tnorm(b)
    if not a or not b:
        return False
    short, long_ = sorted((a, b), key=len)
    return a == b or (short in long_ and len(short) >= 0.5 * len(long_))


def fit_title(pages, second, decode2, log) -> dict:
    """A ranker of title candidates, labelled by the title of the same page's saved HTML."""
    def article(page):
        z = textmodel.scores(page["f2"], second, textmodel.FEATURES2)
        kept, start, end = _kept(page, z, decode2)
        return z, kept, start, end
    return _fit_title(pages, article, log)


def fit_title_only(pages, model, log=print) -> dict:
    """The model with only its title ranker refitted (the line model as it is): the articles are
    the ones the line model finds at run time."""
    textmodel.weights.cache_clear()
    saved = textmodel.weights
    textmodel.weights = lambda: model  # type: ignore[assignment]
    try:
        def article(page):
            site = page["site"]
            labels = textmodel.article_lines(page["blocks"], site=site,
                                             title_of=lambda bl, at: plaintext._title_text(bl, at, site))
            return labels.emissions, labels.kept(), labels.start, labels.end
        return {**model, "title": _fit_title(pages, article, log)}
    finally:
        textmodel.weights = saved


def _fit_title(pages, article, log) -> dict:
    data = []
    for page in pages:
        if not _tnorm(page.get("html_title", "")):
            continue
        z, kept, start, end = article(page)
        cands = textmodel.title_candidates(page["blocks"], start, end, kept, z, page["site"],
                                           heading_of=lambda t, s=page["site"]: plaintext.heading_like(t, s))
        ys = [int(same_title(page["blocks"][i].text, page["html_title"])) for i, _ in cands]
        data.append((page, start, cands, ys))
    lists = [([_sparse(f) for _, f in cands], ys, EN_WEIGHT if page["set"] == "en" else 1.0)
             for page, _, cands, ys in data if any(ys)]
    w = dict(zip(textmodel.TITLE, fit_softmax(lists, len(textmodel.TITLE), l2=TITLE_L2)))

    def agree(threshold):
        w["_threshold"] = threshold
        hit = 0
        for page, start, cands, _ in data:
            at = textmodel.pick_title(cands, w)
            if at is None:
                at = plaintext._find_title(page["blocks"], start, None, page["site"])
            hit += at is not None and same_title(page["blocks"][at].text, page["html_title"])
        return hit
    best = max((-9.0, -4.0, -2.0, -1.0, 0.0, 1.0), key=agree)
    log(f"  title: threshold {best}, {agree(best)}/{len(data)} titles as in the saved page")
    w["_threshold"] = best
    return {k: round(v, 5) for k, v in w.items()}


# --- scoring with the real extractor --------------------------------------------------------

def evaluate(pages, model, bench: Path | None) -> str:
    textmodel.weights.cache_clear()
    saved = textmodel.weights
    textmodel.weights = lambda: model  # type: ignore[assignment]
    try:
        en = [p for p in pages if p["set"] == "en"]
        ml = [p for p in pages if p["set"] == "ml"]
        out = []
        titled = [p for p in pages if _tnorm(p.get("html_title", ""))]
        same = [p for p in titled if same_title(plaintext.extract_text(p["raw"]).title, p["html_title"])]
        out.append(f"titles {len(same)}/{len(titled)} (English {sum(p['set'] == 'en' for p in same)}/"
                   f"{sum(p['set'] == 'en' for p in titled)})")
        if en and bench:
            sys.path.insert(0, str(bench))
            from metrics import markdown_to_words, page_counts, prf
            counts = [page_counts(p["truth"], markdown_to_words(plaintext.extract_text(p["raw"]).markdown))
                      for p in en]
            out.append(f"English body F1 {prf(counts)[2]:.3f} ({len(en)} pages)")
        if ml:
            tp = fn = fp = 0
            for p in ml:
                t = _norm(_md_words(plaintext.extract_text(p["raw"]).markdown))
                a = sum(_norm(s) in t for s in p["case"]["with"])
                tp, fn = tp + a, fn + len(p["case"]["with"]) - a
                fp += sum(_norm(s) in t for s in p["case"]["without"])
            prec, rec = tp / max(1, tp + fp), tp / max(1, tp + fn)
            f1 = 2 * prec * rec / max(1e-9, prec + rec)
            out.append(f"multilingual snippet F1 {f1:.3f} ({len(ml)} pages)")
        return "; ".join(out)
    finally:
        textmodel.weights = saved


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    # the shared folder beside the checkout (or beside its worktrees' folder)
    shared = next((p for p in (ROOT.parent / "shared", ROOT.parent.parent / "shared") if p.is_dir()),
                  ROOT.parent / "shared")
    ap.add_argument("--corpus", type=Path, default=shared / "corpus")
    ap.add_argument("--multilingual", type=Path, default=shared / "corpus-multilingual")
    ap.add_argument("--bench", type=Path, default=shared / "bench", help="folder with metrics.py (scoring)")
    ap.add_argument("--out", type=Path, default=textmodel.WEIGHTS_FILE)
    ap.add_argument("--holdout", action="store_true",
                    help="fit on each half, score on the other; write nothing")
    ap.add_argument("--title-only", action="store_true",
                    help="refit only the title ranker, keeping the line model of --out")
    ap.add_argument("--no-trafilatura", action="store_true")
    ap.add_argument("--cache", type=Path, help="keep what the saved pages give in this file (faster refits)")
    args = ap.parse_args()
    bench = args.bench if (args.bench / "metrics.py").exists() else None
    pages = load_pages(args.corpus, args.multilingual, not args.no_trafilatura, args.cache)
    print(f"{len(pages)} pages, {sum(len(p['blocks']) for p in pages)} lines")
    current = json.loads(args.out.read_text(encoding="utf-8")) if args.title_only else None
    if args.holdout:
        for h in (0, 1):
            train = [p for p in pages if half(p["key"]) == h]
            test = [p for p in pages if half(p["key"]) != h]
            print(f"fit on half {h} ({len(train)} pages):")
            model = fit_title_only(train, current) if current else fit(train)
            print(f"  on its own half:   {evaluate(train, model, bench)}")
            print(f"  on the other half: {evaluate(test, model, bench)}")
        return 0
    model = fit_title_only(pages, current) if current else fit(pages)
    print(f"  on all pages: {evaluate(pages, model, bench)}")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    tmp = args.out.with_suffix(".tmp")
    tmp.write_text(json.dumps(model, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    tmp.replace(args.out)
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
