"""The preview's page: a bar (what is shown, its state, the PDF link), the problems of the last render above the
last good report, and the report itself in a frame that reloads (keeping its scroll position) whenever the server
says a newer report is there (server-sent events).

Every text comes from the catalogue (section ``preview``); workbook text reaches the page escaped: in the HTML by
:func:`html.escape`, in the events as JSON that the page's script sets as text, never as markup.
"""

from __future__ import annotations

import json
from html import escape
from typing import Any

from smartcity_eval.common import i18n

T = i18n.section("preview")

STYLE = """
body { margin: 0; font-family: "DejaVu Sans", Arial, sans-serif; display: flex; flex-direction: column;
  height: 100vh; }
header { display: flex; align-items: center; gap: 1em; padding: .4em 1em; background: #123c69; color: #fff; }
header h1 { font-size: 1em; margin: 0; flex: 1; }
header a { color: #fff; font-weight: bold; }
#status { font-size: .9em; opacity: .9; }
#problems { background: #fdecea; color: #611a15; border-bottom: 2px solid #b3261e; padding: .5em 1em;
  max-height: 40vh; overflow: auto; }
#problems h2 { font-size: 1em; margin: .2em 0 .4em; }
#problems ul { margin: 0; padding-left: 1.2em; font-family: "DejaVu Sans Mono", monospace; font-size: .9em; }
iframe { flex: 1; border: 0; width: 100%; }
"""

SCRIPT = """
const frame = document.getElementById("report");
let shown = STATE.report;
function show(state) {
  document.getElementById("status").textContent = state.status;
  const panel = document.getElementById("problems");
  panel.hidden = state.problems.length === 0;
  panel.querySelector("h2").textContent = state.title;
  panel.querySelector("ul").replaceChildren(...state.problems.map((text) => {
    const item = document.createElement("li");
    item.textContent = text;
    return item;
  }));
  if (state.report !== shown) {
    shown = state.report;
    const y = frame.contentWindow ? frame.contentWindow.scrollY : 0;
    frame.addEventListener("load", () => frame.contentWindow.scrollTo(0, y), { once: true });
    frame.src = "report.html?v=" + state.report;
  }
}
show(STATE);
new EventSource("events").onmessage = (event) => show(JSON.parse(event.data));
"""


def page(state: dict[str, Any], label: str, lang: str) -> str:
    """The whole page for ``state`` (:meth:`~smartcity_eval.preview.server.State.public`): ``label`` names what is
    previewed."""
    t = T[lang]
    data = json.dumps(state, ensure_ascii=False).replace("<", "\\u003c")
    return f"""<!DOCTYPE html>
<html lang="{escape(lang)}"><head><meta charset="utf-8"><title>{escape(t("title", region=label))}</title>
<style>{STYLE}</style></head>
<body>
<header><h1>{escape(t("title", region=label))}</h1><span id="status">{escape(state["status"])}</span>
<a href="report.pdf" target="_blank" title="{escape(t("pdf_hint"))}">{escape(t("pdf"))}</a></header>
{problems_html(state)}
<iframe id="report" title="{escape(t("frame"))}" src="report.html?v={int(state["report"])}"></iframe>
<script>const STATE = {data};{SCRIPT}</script>
</body></html>"""


def problems_html(state: dict[str, Any]) -> str:
    """The problems panel (hidden when there is none), every problem escaped."""
    items = "".join(f"<li>{escape(text)}</li>" for text in state["problems"])
    hidden = "" if state["problems"] else " hidden"
    return f'<section id="problems" role="alert"{hidden}><h2>{escape(state["title"])}</h2><ul>{items}</ul></section>'


def waiting(lang: str) -> str:
    """What the frame shows before the first good report."""
    return f'<!DOCTYPE html><html lang="{escape(lang)}"><body><p>{escape(T(lang, "preparing"))}</p></body></html>'
