"""Benchmark certificate rendering: the 1514-certificate district skills contest.

No database: the certificates are plain ``PageSpec`` data built the way
``certificates.selectors.page_spec_for`` builds them (real serials, signed codes,
QR codes), then rendered by the same code as the bulk issue
(``certificates.batches.render_pdfs`` + ``write_outputs``: a recycled process pool,
one ZIP and one merged print PDF).

Keys of the one JSON line:

- ``certificates``: how many;
- ``first_s``: a fresh process (imports, font subset, one PDF), wall time;
- ``per_s_1proc``: seconds per certificate, one process, warm renderer;
- ``per_s_2proc``: seconds per certificate of the whole batch on 2 worker processes;
- ``total_s``: the whole batch: font subset, every PDF, the ZIP and the merged print PDF;
- ``peak_rss_mb``: the largest resident set of the parent or any worker;
- ``bytes_per_pdf``: mean size of one certificate PDF;
- ``naive_per_s``: the obvious way: one WeasyPrint document per certificate, system Noto CJK, nothing reused;
- ``ratio``: ``naive_per_s / (total_s / certificates)``, how many times faster the batch is per certificate;
- extra: ``render_cpu_s`` / ``cpu_per_cert_s`` (CPU seconds the workers spent rendering: what the batch
  costs on an idle machine, whatever else runs), ``total_s_warm_workers`` (the same batch again with the
  rendering forkserver already running, as a ``db_worker``'s later batches see it) and ``load_avg``
  (1-minute load when it finished).

``--sample`` writes docs/certificates/sample.pdf and sample.png instead.
"""

import argparse
import datetime
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.template.loader import get_template  # noqa: E402

from certificates import services  # noqa: E402
from certificates.batches import render_pdfs, write_outputs  # noqa: E402
from certificates.rendering.fonts import charset_of, check_environment  # noqa: E402
from certificates.rendering.pages import BASE_CSS_TEMPLATE, DEFAULT_TEMPLATES, PageSpec  # noqa: E402
from certificates.rendering.qr import qr_svg  # noqa: E402
from certificates.rendering.renderer import CertificateRenderer  # noqa: E402
from certificates.selectors import chinese_date, doc_title_for  # noqa: E402
from certificates.signing import verification_code_for  # noqa: E402

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤欧阳"  # noqa: E501
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红建国志鹏辉斌宇浩凯健俊帆帅旭宁亮飞彬鑫琳晶婷雪慧颖倩琪嘉怡欣悦梓涵子轩浩然思远博文晨阳雨婷佳琪诗琪可馨梦瑶"  # noqa: E501
EVENTS = [
    "汽车维修",
    "中式烹调（本地名菜）",
    "美发",
    "平面设计",
    "电工",
    "焊工",
    "育婴员",
    "茶艺师",
    "西式面点",
    "叉车司机",
    "网约配送员",
    "养老护理员",
    "钳工",
    "电子商务",
]
UNITS = [f"{d}区{kind}" for d in "东西南北中" for kind in ("总工会", "汽车服务有限公司", "餐饮集团", "职业技术学校")]


def build_specs(count: int, seed: int = 1514) -> list[PageSpec]:
    """The district contest: 14 events, per event 1 first, 2 second, 3 third prize; the rest participation."""
    rng = random.Random(seed)
    issued = datetime.date(2026, 11, 22)
    specs = []
    per_event = max(1, count // len(EVENTS))
    for index in range(count):
        event_index = min(index // per_event, len(EVENTS) - 1)
        place = index - event_index * per_event
        level = 1 if place == 0 else 2 if place <= 2 else 3 if place <= 5 else None
        kind = "individual" if level else "participation"
        serial = f"CQ-2026-SKILL-{index + 1:04d}"
        code = verification_code_for(serial)
        url = f"http://127.0.0.1:8000/verify/{code}/"
        name = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))
        context = {
            "kind": kind,
            "doc_title": doc_title_for(kind),
            "competition_title": "2026年某区职工职业技能大赛",
            "event_title": EVENTS[event_index],
            "holder_name": name,
            "holder_unit": rng.choice(UNITS),
            "award_title": services.AWARD_TITLES[level] if level else "参赛证书",
            "issuer_name": "某区总工会",
            "issued_on_text": chinese_date(issued),
            "serial": serial,
            "verify_url": url,
            "qr_svg": qr_svg(url),
            "label_serial": "证书编号",
            "label_verify": "扫码验证真伪",
            "label_seal": "盖章处",
            "background_url": "",
        }
        specs.append(PageSpec(key=serial, template_key=f"default:{kind}", context=context))
    return specs


def render_naive(spec: PageSpec) -> bytes:
    """The obvious way, for the ratio: one document, system font, nothing reused."""
    from weasyprint import HTML  # the rendering package is the only module-level importer of WeasyPrint

    fonts = check_environment()
    template = get_template(DEFAULT_TEMPLATES[spec.template_key.split(":", 1)[1]])
    css = get_template(BASE_CSS_TEMPLATE).template.source
    style = f'body {{ font-family: "{fonts.family}"; }}\n{css}'
    html = (
        f'<!doctype html><html lang="zh-Hans"><head><meta charset="utf-8"><style>{style}</style></head>'
        f"<body>{template.render(spec.context)}</body></html>"
    )
    return HTML(string=html, base_url=Path(settings.BASE_DIR).as_uri() + "/").write_pdf()


def peak_rss_mb() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return round(max(own, children) / 1024, 1)


def first_certificate() -> None:
    """Child mode: a fresh process renders one certificate (fresh font cache) and exits."""
    spec = build_specs(1)[0]
    CertificateRenderer(charset=charset_of([spec])).render_one(spec)


def write_sample() -> None:
    docs = ROOT / "docs" / "certificates"
    docs.mkdir(parents=True, exist_ok=True)
    spec = build_specs(1)[0]
    spec.context.update(holder_name="欧阳建国", holder_unit="东区汽车服务有限公司", event_title="汽车维修")
    pdf = CertificateRenderer(charset=charset_of([spec])).render_one(spec)
    (docs / "sample.pdf").write_bytes(pdf)
    subprocess.run(
        ["pdftoppm", "-png", "-r", "110", "-singlefile", str(docs / "sample.pdf"), str(docs / "sample")], check=True
    )
    print(json.dumps({"sample_pdf": str(docs / "sample.pdf"), "bytes": len(pdf)}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--count", type=int, default=1514)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--naive", type=int, default=8, help="certificates rendered the obvious way")
    parser.add_argument("--first", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--sample", action="store_true", help="write docs/certificates/sample.pdf and .png")
    args = parser.parse_args()
    if args.first:
        first_certificate()
        return
    if args.sample:
        write_sample()
        return

    with tempfile.TemporaryDirectory(prefix="bench-cert-") as tmp:
        tmp_path = Path(tmp)
        # first_s: a fresh interpreter with an empty font cache.
        env = {**os.environ, "CERTIFICATE_FONT_CACHE": str(tmp_path / "fresh-fonts")}
        started = time.perf_counter()
        subprocess.run([sys.executable, __file__, "--first"], check=True, env=env)
        first_s = time.perf_counter() - started

        specs = build_specs(args.count)

        # The obvious way, for the ratio.
        naive = specs[: args.naive]
        started = time.perf_counter()
        for spec in naive:
            render_naive(spec)
        naive_per_s = (time.perf_counter() - started) / len(naive)

        # One process, warm renderer (subset already built): the per-certificate cost.
        one = specs[:80]
        renderer = CertificateRenderer(charset=charset_of(specs))
        renderer.render(one[:2], merged=False)
        started = time.perf_counter()
        for i in range(0, len(one), 40):
            renderer.render(one[i : i + 40], merged=False)
        per_s_1proc = (time.perf_counter() - started) / len(one)
        del renderer

        # The whole batch, as the bulk issue runs it (the subset is rebuilt: fresh cache dir).
        os.environ["CERTIFICATE_FONT_CACHE"] = str(tmp_path / "batch-fonts")
        settings.CERTIFICATE_FONT_CACHE = str(tmp_path / "batch-fonts")
        out = tmp_path / "pdf"
        out.mkdir()
        started = time.perf_counter()
        stats = {}
        rendered = render_pdfs(specs, workdir=out, workers=args.workers, stats=stats)
        paths, errors = rendered.paths, rendered.errors
        rendered_s = time.perf_counter() - started
        write_outputs(
            [(f"{s.key}.pdf", paths[s.key]) for s in specs if s.key in paths],
            print_parts=rendered.print_parts,
            zip_path=tmp_path / "all.zip",
            print_path=tmp_path / "print.pdf",
        )
        total_s = time.perf_counter() - started
        sizes = [p.stat().st_size for p in paths.values()]

        # The same batch again: the forkserver is up (as for a db_worker's later batches, or when
        # batch_execute has started it while issuing), the subsets are cached.
        again = tmp_path / "pdf-again"
        again.mkdir()
        started = time.perf_counter()
        rendered = render_pdfs(specs, workdir=again, workers=args.workers)
        write_outputs(
            [(f"{s.key}.pdf", rendered.paths[s.key]) for s in specs if s.key in rendered.paths],
            print_parts=rendered.print_parts,
            zip_path=tmp_path / "again.zip",
            print_path=tmp_path / "again.pdf",
        )
        total_warm_s = time.perf_counter() - started

    result = {
        "certificates": len(paths),
        "first_s": round(first_s, 2),
        "per_s_1proc": round(per_s_1proc, 4),
        "per_s_2proc": round(rendered_s / len(specs), 4),
        "total_s": round(total_s, 2),
        "peak_rss_mb": max(peak_rss_mb(), round(stats["peak_rss_kb"] / 1024, 1)),
        "bytes_per_pdf": round(sum(sizes) / len(sizes)),
        "max_bytes_pdf": max(sizes),
        "naive_per_s": round(naive_per_s, 4),
        "ratio": round(naive_per_s / (total_s / len(specs)), 1),
        "failed": len(errors),
        "render_cpu_s": round(stats["cpu_s"], 1),
        "cpu_per_cert_s": round(stats["cpu_s"] / len(specs), 4),
        "total_s_warm_workers": round(total_warm_s, 2),
        "load_avg": round(os.getloadavg()[0], 1),
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
