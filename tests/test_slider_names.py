"""SliderNames (helpers/explorers.py): every slider handle gets a name and the value it shows.

The Python half is checked without a browser (where the widget sits, that its script loads
nothing); the script itself runs in chromium on a page laid out as ipywidgets 8 draws a
labelled slider, and chromium's accessibility tree is read as a screen reader would.
tests/test_layout.py checks the same in JupyterLab with the real notebooks.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from typing import Any

import ipywidgets as ipw
import pytest

from helpers import explorers
from tests.browser_support import accessibility_node


def slider_names_in(widget: ipw.Widget) -> Iterator[explorers.SliderNames]:
    """Every SliderNames inside a widget, however deep."""
    if isinstance(widget, explorers.SliderNames):
        yield widget
    for child in getattr(widget, "children", ()):
        yield from slider_names_in(child)


def test_the_script_loads_nothing_and_writes_no_markup() -> None:
    esm = explorers.SLIDER_NAMES_ESM
    assert "export default" in esm
    assert not re.search(r"\bimport\b|https?:|//\w+\.\w+/", esm)  # no import, no other host
    assert not re.search(r"innerHTML|outerHTML|insertAdjacentHTML|document\.write", esm)
    assert explorers.SliderNames()._esm == esm


def test_an_explorer_holds_one_slider_names_after_its_chart() -> None:
    controls = {
        "a": explorers.slider("First", 1, 0, 2, 1),
        "b": explorers.slider("Second", 1, 0, 2, 1, kind="share"),
        "c": ipw.Dropdown(description="Pick", options=["x", "y"]),
    }
    explorer = explorers.Explorer(controls, lambda a, b, c: explorers.View(None, "t"), title="T")
    box = explorer.widget
    assert "wa-explorer" in box._dom_classes
    assert len(list(slider_names_in(box))) == 1
    assert isinstance(box.children[-1], explorers.SliderNames)
    assert box.children[-1].layout.display == "none"  # shows nothing, takes no room
    rows = box.children[1].children
    assert all("wa-control" in row._dom_classes for row in rows[:2])


def test_a_slider_labelled_on_its_own_is_named_too() -> None:
    box = explorers.labelled(explorers.slider("Alone", 1, 0, 2, 1))
    assert "wa-control" in box._dom_classes
    assert len(list(slider_names_in(box))) == 1
    assert not list(slider_names_in(explorers.labelled(ipw.Checkbox(description="c"))))


# ------------------------------------------------------------------ the script in chromium

#: A slider as ipywidgets 8 draws it inside labelled()'s box: the description hidden (kept as
#: the label's tooltip), the handle a noUiSlider div, the readout a sibling of the track.
SLIDER_HTML = """
<div class="widget-vbox wa-control">
  <div class="widget-html"><label class="wa-control-label">{label}</label></div>
  <div class="widget-inline-hbox widget-slider widget-hslider">
    <label class="widget-label" style="display: none" title="{label}"></label>
    <div class="slider-container"><div class="slider noUi-target">{handles}</div></div>
    <div class="widget-readout" contenteditable="true">{readout}</div>
  </div>
</div>"""
HANDLE_HTML = '<div class="noUi-handle" role="slider" tabindex="0" aria-valuenow="{now}"></div>'


def slider_html(label: str, readout: str, *values: float) -> str:
    handles = "".join(HANDLE_HTML.format(now=value) for value in values)
    return SLIDER_HTML.format(label=html.escape(label), handles=handles, readout=readout)


#: Loads the script as anywidget does (a module from a blob) and renders it into the element
#: given, with the explorer's box found from there; returns the cleanup function's holder.
RENDER_JS = """async ([esm, selector]) => {
  const url = URL.createObjectURL(new Blob([esm], {type: "text/javascript"}));
  const widget = (await import(url)).default;
  const el = document.querySelector(selector) || document.createElement("div");
  window.cleanup = widget.render({model: {}, el});
  window.namesEl = el;
}"""
SETTLE_JS = "() => new Promise(resolve => setTimeout(resolve, 50))"


def show(page: Any, readout: str) -> None:
    """Change the first readout's text, as ipywidgets does on a key or a drag, and let the
    observer run."""
    page.evaluate("t => { document.querySelector('.widget-readout').textContent = t; }", readout)
    page.evaluate(SETTLE_JS)


def announced(page: Any, index: int) -> dict[str, str]:
    """The name chromium's accessibility tree gives the index-th slider handle, and its value
    text. Why the value from the attribute: chromium (156) reports an ARIA slider's value over
    the DevTools protocol as aria-valuenow and leaves its valuetext empty, while screen readers
    read aria-valuetext (WAI-ARIA 1.2), so the attribute is what can be checked here."""
    node = accessibility_node(page, f"document.querySelectorAll('.noUi-handle')[{index}]")
    value = page.locator(".noUi-handle").nth(index).get_attribute("aria-valuetext")
    return {"name": str(node.get("name", {}).get("value", "")), "value": value or ""}


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context()
    page = context.new_page()
    try:
        yield page
    finally:
        context.close()


def explorer_page(page: Any, sliders: str) -> None:
    page.set_content(f'<div class="wa-explorer">{sliders}<div id="names"></div></div>')


@pytest.mark.browser
def test_handles_are_named_and_announce_the_readout(page: Any) -> None:
    explorer_page(
        page,
        slider_html("ASSUMPTION: share <b>kept</b>", "70%", 0.699999988079071)
        + slider_html("Seats", "100,000", 100000),
    )
    page.evaluate(RENDER_JS, [explorers.SLIDER_NAMES_ESM, "#names"])
    assert announced(page, 0) == {"name": "ASSUMPTION: share <b>kept</b>", "value": "70%"}
    assert announced(page, 1) == {"name": "Seats", "value": "100,000"}
    assert page.locator("b").count() == 0  # the label's text stayed text
    assert page.locator("#names").get_attribute("aria-hidden") == "true"


@pytest.mark.browser
def test_the_value_follows_the_readout_and_stops_after_cleanup(page: Any) -> None:
    explorer_page(page, slider_html("Day", "22 Dec 2017", 386))
    page.evaluate(RENDER_JS, [explorers.SLIDER_NAMES_ESM, "#names"])
    show(page, "23 Dec 2017")
    assert announced(page, 0)["value"] == "23 Dec 2017"
    page.evaluate("() => window.cleanup()")
    show(page, "24 Dec 2017")
    assert announced(page, 0)["value"] == "23 Dec 2017"  # the observer is gone


@pytest.mark.browser
def test_sliders_drawn_after_the_widget_are_named(page: Any) -> None:
    page.set_content('<div class="wa-explorer" id="box"></div>')
    # rendered while still outside the page, as a box's child view is before it is inserted
    page.evaluate(RENDER_JS, [explorers.SLIDER_NAMES_ESM, "#not-there"])
    page.evaluate("() => document.querySelector('#box').append(window.namesEl)")
    page.wait_for_timeout(300)
    page.evaluate(
        "html => document.querySelector('#box').insertAdjacentHTML('afterbegin', html)",
        slider_html("Late", "5", 5),
    )
    page.evaluate(SETTLE_JS)
    assert announced(page, 0) == {"name": "Late", "value": "5"}


@pytest.mark.browser
def test_a_range_slider_handle_announces_its_own_end(page: Any) -> None:
    explorer_page(page, slider_html("Years", "2015 \u2013 2019", 2015, 2019))
    page.evaluate(RENDER_JS, [explorers.SLIDER_NAMES_ESM, "#names"])
    assert [announced(page, i)["value"] for i in (0, 1)] == ["2015", "2019"]
