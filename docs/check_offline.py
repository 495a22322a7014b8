"""Fail if a built HTML page loads a script, stylesheet or frame from the network.

Usage::

    python docs/check_offline.py docs/_build/html

The documentation must read offline: MathJax is served from the site itself,
and no page may pull in anything else from a remote host. Checked are the
resources a browser fetches on its own when it opens a page (``<script src>``,
``<link rel="stylesheet" | "preload" | "modulepreload" href>``, ``<img src>``,
``<iframe src>``); links a reader clicks (``<a href>``) may point anywhere.
A URL is remote when it has a scheme other than ``file`` or ``data`` or starts
with ``//`` (protocol-relative). Prints every offending page and URL and exits
with status 1; exits 2 when the folder holds no HTML page.
"""

# Authors: The sklearn_losslab developers
# SPDX-License-Identifier: BSD-3-Clause

import sys
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

#: The attribute of each tag that the browser fetches without a click.
FETCHED = {"script": "src", "img": "src", "iframe": "src", "link": "href"}
#: The ``rel`` values of ``<link>`` that make the browser fetch ``href``.
FETCHED_LINK_RELS = {"stylesheet", "preload", "modulepreload"}
LOCAL_SCHEMES = {"", "file", "data"}


def is_remote(url):
    """Whether the browser fetches ``url`` from the network."""
    url = url.strip()
    return url.startswith("//") or urlsplit(url).scheme.lower() not in LOCAL_SCHEMES


class _RemoteResources(HTMLParser):
    def __init__(self):
        super().__init__()
        self.found = []

    def handle_starttag(self, tag, attrs):
        if tag not in FETCHED:
            return
        attrs = dict(attrs)
        if tag == "link":
            rels = set((attrs.get("rel") or "").lower().split())
            if not rels & FETCHED_LINK_RELS:
                return
        url = attrs.get(FETCHED[tag])
        if url and is_remote(url):
            self.found.append(f"<{tag}> {url}")


def remote_resources(html):
    """The remote resources an HTML document loads, as ``'<tag> url'`` strings."""
    parser = _RemoteResources()
    parser.feed(html)
    parser.close()
    return parser.found


def main(argv):
    if len(argv) != 2:
        print("usage: python docs/check_offline.py BUILD_DIR", file=sys.stderr)
        return 2
    root = Path(argv[1])
    pages = sorted(root.rglob("*.html"))
    if not pages:
        print(f"no HTML page under {root}", file=sys.stderr)
        return 2
    failed = False
    for page in pages:
        for resource in remote_resources(page.read_text(encoding="utf-8")):
            print(f"{page.relative_to(root)}: remote {resource}")
            failed = True
    if failed:
        print("built pages load remote resources: the docs do not work offline")
        return 1
    print(f"{len(pages)} pages, no remote script, stylesheet or frame")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
