"""Certificate PDFs: the only package that imports WeasyPrint.

Why it is built this way (see docs/PERFORMANCE.md, "Certificates"):

* The system Noto CJK fonts are 20–27 MB collections; embedding from them costs
  ≈ 130 ms and ≈ 300 KB per PDF. We subset the CJK font ONCE per character set with
  HarfBuzz (cached on disk; a cached subset that covers the characters is reused), and
  WeasyPrint's per-PDF subsetting then works on a small font: fast and small PDFs.
  Characters missing from a subset still render, through the system font named
  after it in the ``font-family`` stack; they are never boxes.
* Many certificates are laid out AND written as ONE multi-page PDF (WeasyPrint's
  per-PDF costs, font subsetting above all, are paid once per chunk), which pikepdf
  (qpdf) then splits into one PDF per certificate, each page carrying only the
  resources its content uses. The chunk PDF itself is the chunk's part of the merged
  print PDF, so no page is drawn twice.
* ``CSS`` and ``FontConfiguration`` objects are built once per renderer and reused.
* Our default templates render well-formed XML, so a chunk's HTML is parsed by expat
  (≈ 0.06 ms per page) instead of WeasyPrint's pure-Python HTML5 parser (≈ 2 ms);
  organisers' templates keep the HTML5 parser.
* Rendering refuses to run without libharfbuzz-subset (WeasyPrint would silently
  fall back to fontTools, ≈ 7 s per certificate) or without a CJK font (Chinese
  would silently become empty boxes).
* Templates render in a sandbox: the URL fetcher serves ``data:`` URLs and files
  under a few project directories only; no network, no arbitrary files.

Inputs are plain data (``PageSpec``), never ORM objects, so worker processes of the
bulk issue need no database.

One module per reason to change; import from them directly (this package's
``__init__`` stays empty, so ``preload`` can set Django up before anything loads):

* ``pages``: ``PageSpec``, ``RenderedChunk``, the default template names, the errors;
* ``fonts``: finding the CJK fonts, the HarfBuzz subsetter, the subset cache, ``charset_of``;
* ``sandbox``: the URL fetcher, its roots, organisers' template engine;
* ``qr``: the QR code as inline SVG;
* ``renderer``: ``CertificateRenderer``;
* ``pdf``: splitting a chunk into one PDF per certificate, merging the print PDF;
* ``workers`` and ``preload``: the bulk issue's worker processes and their forkserver.
"""
